"""GraphQL types for public commitments."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import Row

from api.graphql.attached_files import AttachedFile, attached_files
from api.graphql.figures import Share
from api.graphql.nodes import Node
from api.graphql.records import record_fields
from api.graphql.types import Ctx, Event, history_of
from domain.commitments import is_lapsed, is_milestone_overdue
from projections import indicators, tables_engagement


@strawberry.type
@record_fields(tables_engagement.MILESTONES)
class Milestone(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field(description="uploaded evidence files attached to the latest progress report")
    def files(self) -> list[AttachedFile]:
        return attached_files(self.row.tenant_id, self.row.files)

    @strawberry.field(description="past due and not at 100% (derived)")
    async def overdue(self, info: Ctx) -> bool:
        today = await info.context.today(self.row.tenant_id)
        return is_milestone_overdue(self.row.due, self.row.percent, today)

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        ref = f"{self.row.commitment_id}/{self.row.milestone_id}"
        return await history_of(info, self.row.tenant_id, ref)


@strawberry.type
@record_fields(tables_engagement.RATINGS)
class Rating:
    row: strawberry.Private[Row[Any]]


@strawberry.type
@record_fields(tables_engagement.COMMITMENTS)
class Commitment(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field(description="past due, neither fulfilled nor withdrawn (derived)")
    async def lapsed(self, info: Ctx) -> bool:
        today = await info.context.today(self.row.tenant_id)
        return is_lapsed(self.row.due, self.row.status, today)

    @strawberry.field
    async def milestones(self, info: Ctx) -> list[Milestone]:
        key = info.context.key(info, self.row.tenant_id, self.row.commitment_id)
        return [Milestone(row=r) for r in await info.context.loaders.milestones.load(key)]

    @strawberry.field
    async def ratings(self, info: Ctx, current_only: bool = True) -> list[Rating]:
        key = info.context.key(info, self.row.tenant_id, self.row.commitment_id)
        return [
            Rating(row=r)
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
