"""GraphQL types for party members, service posts, claims and activities."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import Row

from api.graphql.figures import Share, hours
from api.graphql.nodes import Node
from api.graphql.records import record_fields
from api.graphql.types import Ctx, Event, history_of
from domain.members import MemberClass, MemberStatus, confirmed_hours
from projections import tables_engagement as f


@strawberry.type
@record_fields(f.CLAIMS)
class Claim:
    row: strawberry.Private[Row[Any]]

    @strawberry.field(
        description="the claim's id: '<postId>/<memberId>/<position>', the log position at "
        "which it was made (a member may claim the same post again later)"
    )
    def id(self) -> str:
        return f.claim_ref(
            str(self.row.post_id), str(self.row.member_id), self.row.claimed_position
        )

    @strawberry.field
    def active(self) -> bool:
        return self.row.ended_at is None

    @strawberry.field(
        description="the claim's events: made, released, ended by the post's retirement"
    )
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.id())

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
@record_fields(f.SERVICE_LOGS)
class ServiceLog(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, f"{self.row.member_id}/{self.row.log_id}")


@strawberry.type
@record_fields(f.YEAR_REVIEWS)
class YearReview:
    row: strawberry.Private[Row[Any]]


@strawberry.type
class PendingTransfer:
    transfer_id: str
    to_tenant_id: str


@strawberry.type
@record_fields(f.MEMBERS)
class PartyMember(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field(description="membership (组织关系) is in this community")
    def membership_here(self) -> bool:
        return bool(self.row.member_class != MemberClass.IN_SERVICE.value)

    @strawberry.field(description="set while a transfer out is recorded here but not completed")
    def pending_transfer(self) -> PendingTransfer | None:
        if self.row.status != MemberStatus.TRANSFER_PENDING.value:
            return None
        return PendingTransfer(transfer_id=self.row.transfer_id, to_tenant_id=self.row.transfer_to)

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
        return hours(confirmed_hours((r.hours, r.status) for r in rows))

    @strawberry.field
    async def year_reviews(self, info: Ctx) -> list[YearReview]:
        rows = await info.context.loaders.year_reviews.load(
            info.context.key(info, self.row.tenant_id, self.row.member_id)
        )
        return [YearReview(row=r) for r in rows]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.member_id)


async def load_member(info: Ctx, tenant_id: str, member_id: str) -> PartyMember | None:
    rows = await info.context.loaders.members.load(info.context.key(info, tenant_id, member_id))
    return PartyMember(row=rows[0]) if rows else None


@strawberry.type
@record_fields(f.POSTS)
class ServicePost(Node):
    row: strawberry.Private[Row[Any]]

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
            total += confirmed_hours(
                (x.hours, x.status) for x in logs if x.post_id == self.row.post_id
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
@record_fields(f.ACTIVITIES)
class CollectiveActivity(Node):
    row: strawberry.Private[Row[Any]]
