"""GraphQL types for resolutions and their execution reports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import Row

from api.graphql.types import Ctx, Event, history_of
from api.graphql.units import MemberUnit, load_unit
from domain.resolutions import ReportKind, ResolutionStatus
from projections.context import utc

if TYPE_CHECKING:
    from api.graphql.meetings import Meeting


@strawberry.type
class ExecutionReport:
    unit_id: str
    kind: str
    kind_label: str
    note: str
    evidence: list[str]
    recorded_at: datetime
    position: int
    returned_reason: str | None = strawberry.field(description="set if the convener returned it")


@strawberry.type
class Resolution:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.resolution_id)

    @strawberry.field
    def title(self) -> str:
        return str(self.row.title)

    @strawberry.field
    def action(self) -> str:
        return str(self.row.action)

    @strawberry.field
    def deadline(self) -> date:
        return self.row.deadline  # type: ignore[no-any-return]

    @strawberry.field
    def status(self) -> str:
        return str(self.row.status)

    @strawberry.field
    def status_label(self) -> str:
        return ResolutionStatus(self.row.status).label

    @strawberry.field(description="past its deadline and not verified or superseded (derived)")
    def overdue(self) -> bool:
        closed = self.row.status in ("verified", "superseded")
        return not closed and datetime.now(UTC).date() > self.row.deadline

    @strawberry.field
    def responsible_unit_ids(self) -> list[str]:
        return list(self.row.responsible)

    @strawberry.field
    def completed_by_unit_ids(self) -> list[str]:
        return list(self.row.completed_by)

    @strawberry.field
    def notified_unit_ids(self) -> list[str]:
        return list(self.row.notified)

    @strawberry.field
    def item_id(self) -> str:
        return str(self.row.item_id)

    @strawberry.field
    def superseded_by(self) -> str | None:
        return self.row.superseded_by  # type: ignore[no-any-return]

    @strawberry.field
    def adopted_at(self) -> datetime:
        return utc(self.row.adopted_at)

    @strawberry.field
    def version(self) -> int:
        return int(self.row.version)

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
        return [
            ExecutionReport(
                unit_id=r.unit_id,
                kind=r.kind,
                kind_label=ReportKind(r.kind).label,
                note=r.note,
                evidence=list(r.evidence),
                recorded_at=utc(r.recorded_at),
                position=r.position,
                returned_reason=r.returned_reason,
            )
            for r in await info.context.loaders.reports.load(key)
        ]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.resolution_id)


async def load_resolution(info: Ctx, tenant_id: str, resolution_id: str) -> Resolution | None:
    rows = await info.context.loaders.resolutions.load(
        info.context.key(info, tenant_id, resolution_id)
    )
    return Resolution(row=rows[0]) if rows else None
