"""GraphQL types for party members, service posts, claims and activities."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import Row

from api.graphql import personal
from api.graphql.figures import Share, hours
from api.graphql.types import Ctx, Event, history_of
from domain.members import MemberClass, MemberStatus, ReviewRating
from domain.posts import PostCategory
from projections.context import utc


@strawberry.type
class Claim:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def post_id(self) -> str:
        return str(self.row.post_id)

    @strawberry.field
    def member_id(self) -> str:
        return str(self.row.member_id)

    @strawberry.field
    def claimed_at(self) -> datetime:
        return utc(self.row.claimed_at)

    @strawberry.field
    def ended_at(self) -> datetime | None:
        return utc(self.row.ended_at) if self.row.ended_at else None

    @strawberry.field(description="released | post_retired, once ended")
    def end_reason(self) -> str | None:
        return self.row.end_reason  # type: ignore[no-any-return]

    @strawberry.field
    def active(self) -> bool:
        return self.row.ended_at is None

    @strawberry.field
    async def post(self, info: Ctx) -> ServicePost | None:
        rows = await info.context.loaders.posts.load(
            info.context.key(info, self.row.tenant_id, self.row.post_id)
        )
        return ServicePost(row=rows[0]) if rows else None

    @strawberry.field
    async def member(self, info: Ctx) -> PartyMember | None:
        return await load_member(info, self.row.tenant_id, self.row.member_id)


@strawberry.type
class ServiceLog:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.log_id)

    @strawberry.field
    def post_id(self) -> str:
        return str(self.row.post_id)

    @strawberry.field
    def served_on(self) -> date:
        return self.row.served_on  # type: ignore[no-any-return]

    @strawberry.field(description="exact decimal hours")
    def hours(self) -> str:
        return str(self.row.hours)

    @strawberry.field
    def what(self) -> str:
        return str(self.row.what)

    @strawberry.field(description="pending | confirmed | rejected")
    def status(self) -> str:
        return str(self.row.status)

    @strawberry.field
    def reject_reason(self) -> str | None:
        return self.row.reject_reason  # type: ignore[no-any-return]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, f"{self.row.member_id}/{self.row.log_id}")


@strawberry.type
class YearReview:
    year: int
    rating: str
    rating_label: str
    feedback: str | None = strawberry.field(
        description="the note fed back to the member's work unit (null unless the reader "
        "may see personal data)"
    )


@strawberry.type
class PendingTransfer:
    transfer_id: str
    to_tenant_id: str


@strawberry.type
class PartyMember:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.member_id)

    @strawberry.field(description="the member's name (masked: the surname, see Person)")
    def name(self, info: Ctx) -> str:
        shown = str(self.row.name)
        return shown if info.context.sees_personal(self.row.member_id) else personal.name(shown)

    @strawberry.field
    def member_class(self) -> str:
        return str(self.row.member_class)

    @strawberry.field
    def member_class_label(self) -> str:
        return MemberClass(self.row.member_class).label

    @strawberry.field(description="null unless the reader may see personal data")
    def work_unit(self, info: Ctx) -> str | None:
        if not info.context.sees_personal(self.row.member_id):
            return None
        return self.row.work_unit  # type: ignore[no-any-return]

    @strawberry.field
    def status(self) -> str:
        return str(self.row.status)

    @strawberry.field
    def status_label(self) -> str:
        return MemberStatus(self.row.status).label

    @strawberry.field(description="membership (组织关系) is in this community")
    def membership_here(self) -> bool:
        return bool(self.row.member_class != MemberClass.IN_SERVICE.value)

    @strawberry.field(description="when an in-service member reported (报到) here")
    def reported_on(self) -> date | None:
        return self.row.reported_on  # type: ignore[no-any-return]

    @strawberry.field(description="'<tenant>/<member id>' this member was transferred from")
    def transferred_from(self) -> str | None:
        return self.row.transferred_from  # type: ignore[no-any-return]

    @strawberry.field(description="set while a transfer out is recorded here but not completed")
    def pending_transfer(self) -> PendingTransfer | None:
        if self.row.status != MemberStatus.TRANSFER_PENDING.value:
            return None
        return PendingTransfer(transfer_id=self.row.transfer_id, to_tenant_id=self.row.transfer_to)

    @strawberry.field
    def version(self) -> int:
        return int(self.row.version)

    @strawberry.field
    async def claims(self, info: Ctx, active_only: bool = False) -> list[Claim]:
        key = info.context.key(info, self.row.tenant_id, self.row.member_id)
        rows = await info.context.loaders.claims_by_member.load(key)
        return [Claim(row=r) for r in rows if r.ended_at is None or not active_only]

    @strawberry.field(description="the activity record card")
    async def service_logs(self, info: Ctx) -> list[ServiceLog]:
        key = info.context.key(info, self.row.tenant_id, self.row.member_id)
        return [ServiceLog(row=r) for r in await info.context.loaders.service_logs.load(key)]

    @strawberry.field(description="hours of confirmed service, exact")
    async def confirmed_hours(self, info: Ctx) -> str:
        rows = await info.context.loaders.service_logs.load(
            info.context.key(info, self.row.tenant_id, self.row.member_id)
        )
        return hours(sum((Decimal(r.hours) for r in rows if r.status == "confirmed"), Decimal(0)))

    @strawberry.field
    async def year_reviews(self, info: Ctx) -> list[YearReview]:
        rows = await info.context.loaders.year_reviews.load(
            info.context.key(info, self.row.tenant_id, self.row.member_id)
        )
        shown = info.context.sees_personal(self.row.member_id)
        return [
            YearReview(
                year=r.year,
                rating=r.rating,
                rating_label=ReviewRating(r.rating).label,
                feedback=r.feedback if shown else None,
            )
            for r in rows
        ]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.member_id)


async def load_member(info: Ctx, tenant_id: str, member_id: str) -> PartyMember | None:
    rows = await info.context.loaders.members.load(info.context.key(info, tenant_id, member_id))
    return PartyMember(row=rows[0]) if rows else None


@strawberry.type
class ServicePost:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.post_id)

    @strawberry.field
    def title(self) -> str:
        return str(self.row.title)

    @strawberry.field
    def category(self) -> str:
        return str(self.row.category)

    @strawberry.field
    def category_label(self) -> str:
        return PostCategory(self.row.category).label

    @strawberry.field
    def capacity(self) -> int:
        return int(self.row.capacity)

    @strawberry.field
    def description(self) -> str:
        return str(self.row.description)

    @strawberry.field
    def retired(self) -> bool:
        return bool(self.row.retired)

    @strawberry.field
    async def claims(self, info: Ctx, active_only: bool = False) -> list[Claim]:
        rows = await info.context.loaders.claims_by_post.load(
            info.context.key(info, self.row.tenant_id, self.row.post_id)
        )
        return [Claim(row=r) for r in rows if r.ended_at is None or not active_only]

    @strawberry.field
    async def holders(self, info: Ctx) -> list[PartyMember]:
        rows = await info.context.loaders.claims_by_post.load(
            info.context.key(info, self.row.tenant_id, self.row.post_id)
        )
        found = [
            await load_member(info, self.row.tenant_id, r.member_id)
            for r in rows
            if r.ended_at is None
        ]
        return [m for m in found if m is not None]

    @strawberry.field(description="confirmed hours logged on this post, exact")
    async def confirmed_hours(self, info: Ctx) -> str:
        rows = await info.context.loaders.claims_by_post.load(
            info.context.key(info, self.row.tenant_id, self.row.post_id)
        )
        total = Decimal(0)
        for member_id in {r.member_id for r in rows}:
            logs = await info.context.loaders.service_logs.load(
                info.context.key(info, self.row.tenant_id, member_id)
            )
            total += sum(
                (
                    Decimal(x.hours)
                    for x in logs
                    if x.status == "confirmed" and x.post_id == self.row.post_id
                ),
                Decimal(0),
            )
        return hours(total)

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.post_id)


@strawberry.type
class Participation:
    members: Share = strawberry.field(
        description="members whose membership is here with "
        "confirmed service in the window; target 0.6"
    )
    window_days: int
    as_of: date
    last_collective_activity: date | None
    collective_activity_within_two_months: bool


@strawberry.type
class CollectiveActivity:
    id: strawberry.ID
    title: str
    held_on: date
    participant_ids: list[str]
