"""GraphQL types for public commitments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from sqlalchemy import Row

from api.graphql import personal
from api.graphql.figures import Share, today
from api.graphql.types import Ctx, Event, history_of
from domain.commitments import Channel, CommitmentStatus, MakerKind
from projections import indicators
from projections.context import utc


@strawberry.type
class Milestone:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.milestone_id)

    @strawberry.field
    def title(self) -> str:
        return str(self.row.title)

    @strawberry.field
    def due(self) -> date:
        return self.row.due  # type: ignore[no-any-return]

    @strawberry.field
    def percent(self) -> int:
        return int(self.row.percent)

    @strawberry.field
    def evidence(self) -> list[str]:
        return list(self.row.evidence)

    @strawberry.field(description="past due and not at 100% (derived)")
    def overdue(self) -> bool:
        return bool(self.row.percent < 100 and today() > self.row.due)

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        ref = f"{self.row.commitment_id}/{self.row.milestone_id}"
        return await history_of(info, self.row.tenant_id, ref)


@strawberry.type
class Rating:
    resident_id: str = strawberry.field(description="*** unless the reader may see personal data")
    period: str
    rating: int
    comment: str | None = strawberry.field(description="null unless the reader may see it")
    current: bool = strawberry.field(description="false once the resident rated again")
    rated_at: datetime


@strawberry.type
class Commitment:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.commitment_id)

    @strawberry.field
    def maker_kind(self) -> str:
        return str(self.row.maker_kind)

    @strawberry.field
    def maker_kind_label(self) -> str:
        return MakerKind(self.row.maker_kind).label

    @strawberry.field
    def maker_id(self) -> str:
        return str(self.row.maker_id)

    @strawberry.field
    def text(self) -> str:
        return str(self.row.text)

    @strawberry.field
    def category(self) -> str:
        return str(self.row.category)

    @strawberry.field
    def due(self) -> date:
        return self.row.due  # type: ignore[no-any-return]

    @strawberry.field
    def status(self) -> str:
        return str(self.row.status)

    @strawberry.field
    def status_label(self) -> str:
        return CommitmentStatus(self.row.status).label

    @strawberry.field
    def channel_label(self) -> str | None:
        return Channel(self.row.channel).label if self.row.channel else None

    @strawberry.field
    def published_on(self) -> date | None:
        return self.row.published_on  # type: ignore[no-any-return]

    @strawberry.field(description="past due, neither fulfilled nor withdrawn (derived)")
    def lapsed(self) -> bool:
        return self.row.status in ("made", "published") and today() > self.row.due

    @strawberry.field
    def version(self) -> int:
        return int(self.row.version)

    @strawberry.field
    async def milestones(self, info: Ctx) -> list[Milestone]:
        key = info.context.key(info, self.row.tenant_id, self.row.commitment_id)
        return [Milestone(row=r) for r in await info.context.loaders.milestones.load(key)]

    @strawberry.field
    async def ratings(self, info: Ctx, current_only: bool = True) -> list[Rating]:
        key = info.context.key(info, self.row.tenant_id, self.row.commitment_id)
        shown = info.context.sees_personal
        return [
            Rating(
                resident_id=r.resident_id if shown(r.resident_id) else personal.HIDDEN,
                period=r.period,
                rating=r.rating,
                comment=r.comment if shown(r.resident_id) else None,
                current=r.current,
                rated_at=utc(r.rated_at),
            )
            for r in await info.context.loaders.ratings.load(key)
            if r.current or not current_only
        ]

    @strawberry.field(description="current ratings of 4 or 5 over all current ratings; target 0.9")
    async def satisfaction(self, info: Ctx) -> Share:
        rows = await info.context.loaders.ratings.load(
            info.context.key(info, self.row.tenant_id, self.row.commitment_id)
        )
        return Share.of(indicators.satisfaction_of([r.rating for r in rows if r.current]))

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.commitment_id)


@strawberry.type
class MakerSatisfaction:
    maker_kind: str
    maker_id: str
    satisfaction: Share
