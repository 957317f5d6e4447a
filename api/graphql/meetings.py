"""GraphQL types for meetings: agenda, attendance, opinions, positions."""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry
from sqlalchemy import Row

from api.graphql import verification
from api.graphql.nodes import Node
from api.graphql.records import record_fields
from api.graphql.resolutions import ExecutionReport, Resolution, load_resolution
from api.graphql.types import Ctx, Event, history_of
from api.graphql.units import Charter, MemberUnit, load_unit
from domain.agenda import ItemKind
from domain.meetings import attendance_status
from projections import queries, tables

MINUTES_RECORDED = frozenset({"MinutesIssued", "MinutesCorrected"})  # event types


@strawberry.type
class Tally:
    present: int
    agree: int
    object: int
    abstain: int


@strawberry.type
@record_fields(tables.POSITIONS)
class UnitPosition:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    async def unit(self, info: Ctx) -> MemberUnit | None:
        return await load_unit(info, self.row.tenant_id, self.row.unit_id)


@strawberry.type(description="A unit the minutes were sent to (会议纪要送达).")
@record_fields(tables.MINUTES_RECEIPTS)
class MinutesReceipt:
    row: strawberry.Private[Row[Any]]


@strawberry.type
@record_fields(tables.OPINIONS)
class Opinion:
    row: strawberry.Private[Row[Any]]


@strawberry.type
@record_fields(tables.ATTENDANCE)
class Attendance:
    row: strawberry.Private[Row[Any]]
    meeting_status: strawberry.Private[str]

    @strawberry.field(description="present | on_leave | absent_without_leave | expected")
    def status(self) -> str:
        return attendance_status(self.row.signed_in, self.row.on_leave, self.meeting_status)

    @strawberry.field
    async def unit(self, info: Ctx) -> MemberUnit | None:
        return await load_unit(info, self.row.tenant_id, self.row.unit_id)


@strawberry.type
@record_fields(tables.AGENDA_ITEMS)
class AgendaItem(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field(
        description="For an execution review (决议落实情况汇报): the execution reports it "
        "presents, those recorded since the previous held meeting and up to this one's "
        "time, oldest first. Null for any other kind of item."
    )
    async def execution_reports(self, info: Ctx) -> list[ExecutionReport] | None:
        if self.row.kind != ItemKind.EXECUTION_REVIEW.value:
            return None
        tenant_id = self.row.tenant_id
        rows = await asyncio.to_thread(
            queries.reports_presented,
            info.context.reads,
            tenant_id,
            str(self.row.meeting_id),
            info.context.position(info, tenant_id),
        )
        return [ExecutionReport(row=row) for row in rows]

    @strawberry.field
    def tally(self) -> Tally | None:
        return Tally(**self.row.tally) if self.row.tally else None

    @strawberry.field
    async def positions(self, info: Ctx) -> list[UnitPosition]:
        rows = await info.context.loaders.positions.load(
            info.context.key(info, self.row.tenant_id, self.row.meeting_id)
        )
        return [UnitPosition(row=r) for r in rows if r.item_id == self.row.item_id]

    @strawberry.field
    async def opinions(self, info: Ctx) -> list[Opinion]:
        rows = await info.context.loaders.opinions.load(
            info.context.key(info, self.row.tenant_id, self.row.meeting_id)
        )
        return [Opinion(row=r) for r in rows if r.item_id == self.row.item_id]

    @strawberry.field
    async def resolution(self, info: Ctx) -> Resolution | None:
        if not self.row.resolution_id:
            return None
        return await load_resolution(info, self.row.tenant_id, self.row.resolution_id)

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        ref = f"{self.row.meeting_id}/{self.row.item_id}"
        return await history_of(info, self.row.tenant_id, ref)


@strawberry.type
@record_fields(tables.MEETINGS)
class Meeting(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def charter(self) -> Charter:
        return Charter.of(self.row.charter)

    @strawberry.field(
        description="the unit whose attendee chaired the meeting (its attendance row names "
        "the person, for readers who may see it)"
    )
    async def chair(self, info: Ctx) -> MemberUnit | None:
        if not self.row.chair_unit_id:
            return None
        return await load_unit(info, self.row.tenant_id, self.row.chair_unit_id)

    @strawberry.field
    async def agenda(self, info: Ctx) -> list[AgendaItem]:
        rows = await info.context.loaders.agenda.load(
            info.context.key(info, self.row.tenant_id, self.row.meeting_id)
        )
        return [AgendaItem(row=r) for r in rows]

    @strawberry.field
    async def attendance(self, info: Ctx) -> list[Attendance]:
        key = info.context.key(info, self.row.tenant_id, self.row.meeting_id)
        rows = await info.context.loaders.attendance.load(key)
        return [Attendance(row=r, meeting_status=self.row.status) for r in rows]

    @strawberry.field
    async def opinions(self, info: Ctx) -> list[Opinion]:
        rows = await info.context.loaders.opinions.load(
            info.context.key(info, self.row.tenant_id, self.row.meeting_id)
        )
        return [Opinion(row=r) for r in rows]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.meeting_id)

    @strawberry.field(
        description="The units the minutes were sent to, and when each acknowledged them."
    )
    async def minutes_recipients(self, info: Ctx) -> list[MinutesReceipt]:
        rows = await info.context.loaders.minutes_receipts.load(
            info.context.key(info, self.row.tenant_id, self.row.meeting_id)
        )
        return [MinutesReceipt(row=r) for r in rows]

    @strawberry.field(
        description="The checkpoint the minutes carry: proof that the minutes as they now "
        "read (their issue, or their latest correction) are in the tenant's log, against "
        "the checkpoint taken when they were recorded. Null before minutes are issued, "
        "and while no checkpoint covers them (a deployment without a signing key)."
    )
    async def minutes_proof(self, info: Ctx) -> verification.InclusionProof | None:
        if self.row.minutes is None:
            return None
        recorded = [
            event
            for event in await history_of(info, self.row.tenant_id, self.row.meeting_id)
            if event.row.type in MINUTES_RECORDED
        ]
        if not recorded:
            return None
        position = int(recorded[-1].row.position)
        return await verification.first_covering(info, self.row.tenant_id, position)
