"""GraphQL types for resolutions and their execution reports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import Row

from api.graphql.attached_files import AttachedFile, attached_files
from api.graphql.nodes import Node
from api.graphql.records import record_fields
from api.graphql.types import Ctx, Event, history_of
from api.graphql.units import MemberUnit, load_unit
from domain.resolutions import is_overdue
from projections import tables

if TYPE_CHECKING:
    from api.graphql.meetings import Meeting


@strawberry.type
@record_fields(tables.EXECUTION_REPORTS)
class ExecutionReport:
    row: strawberry.Private[Row[Any]]

    @strawberry.field(description="uploaded evidence files attached")
    def files(self) -> list[AttachedFile]:
        return attached_files(self.row.tenant_id, self.row.files)


@strawberry.type
@record_fields(tables.RESOLUTIONS)
class Resolution(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field(description="past its deadline and not verified or superseded (derived)")
    async def overdue(self, info: Ctx) -> bool:
        today = await info.context.today(self.row.tenant_id)
        return is_overdue(self.row.deadline, self.row.status, today)

    @strawberry.field
    async def responsible_units(self, info: Ctx) -> list[MemberUnit]:
        units = [await load_unit(info, self.row.tenant_id, u) for u in self.row.responsible]
        return [u for u in units if u is not None]

    @strawberry.field
    async def meeting(
        self, info: Ctx
    ) -> Annotated[Meeting, strawberry.lazy("api.graphql.meetings")] | None:
        from api.graphql.meetings import Meeting  # a cycle: meetings show their resolutions

        rows = await info.context.loaders.meetings.load(
            info.context.key(info, self.row.tenant_id, self.row.meeting_id)
        )
        return Meeting(row=rows[0]) if rows else None

    @strawberry.field
    async def execution_reports(self, info: Ctx) -> list[ExecutionReport]:
        key = info.context.key(info, self.row.tenant_id, self.row.resolution_id)
        return [ExecutionReport(row=r) for r in await info.context.loaders.reports.load(key)]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.resolution_id)


async def load_resolution(info: Ctx, tenant_id: str, resolution_id: str) -> Resolution | None:
    rows = await info.context.loaders.resolutions.load(
        info.context.key(info, tenant_id, resolution_id)
    )
    return Resolution(row=rows[0]) if rows else None
