"""GraphQL types for meetings: agenda, attendance, opinions, positions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import Row

from api.graphql import personal
from api.graphql.resolutions import Resolution, load_resolution
from api.graphql.types import Ctx, Event, _t, history_of
from api.graphql.units import Charter, MemberUnit, load_unit
from domain.agenda import ItemKind, ItemStatus
from domain.decisions import Outcome, Position
from domain.meetings import MeetingKind, MeetingStatus
from projections.context import utc


@strawberry.type
class Tally:
    present: int
    agree: int
    object: int
    abstain: int


@strawberry.type
class UnitPosition:
    unit_id: str
    position: str
    position_label: str
    reason: str | None

    @strawberry.field
    async def unit(self, info: Ctx) -> MemberUnit | None:
        return await load_unit(info, self.tenant_id, self.unit_id)

    tenant_id: strawberry.Private[str]


@strawberry.type
class Opinion:
    unit_id: str
    item_id: str
    text: str
    with_leave: bool = strawberry.field(description="submitted with a leave request")
    position: int


@strawberry.type
class Attendance:
    row: strawberry.Private[Row[Any]]
    meeting_status: strawberry.Private[str]

    @strawberry.field
    def unit_id(self) -> str:
        return str(self.row.unit_id)

    @strawberry.field(description="present | on_leave | absent_without_leave | expected")
    def status(self) -> str:
        if self.row.signed_in:
            return "present"
        if self.row.on_leave:
            return "on_leave"
        if self.meeting_status in ("open", "closed"):
            return "absent_without_leave"
        return "expected"

    @strawberry.field(description="who signed in (masked: the surname, see Person)")
    def attendee(self, info: Ctx) -> str | None:
        attendee: str | None = self.row.attendee
        if attendee and not info.context.sees_personal(self.row.unit_id):
            return personal.name(attendee)
        return attendee

    @strawberry.field
    def substitute(self) -> bool:
        return bool(self.row.substitute)

    @strawberry.field
    def leave_reason(self) -> str | None:
        return self.row.leave_reason  # type: ignore[no-any-return]

    @strawberry.field
    async def unit(self, info: Ctx) -> MemberUnit | None:
        return await load_unit(info, self.row.tenant_id, self.row.unit_id)


@strawberry.type
class AgendaItem:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.item_id)

    @strawberry.field
    def title(self) -> str:
        return str(self.row.title)

    @strawberry.field
    def kind(self) -> str:
        return str(self.row.kind)

    @strawberry.field
    def kind_label(self) -> str:
        return ItemKind(self.row.kind).label

    @strawberry.field
    def status(self) -> str:
        return str(self.row.status)

    @strawberry.field
    def status_label(self) -> str:
        return ItemStatus(self.row.status).label

    @strawberry.field(description="agreed | not_agreed, once decided")
    def outcome(self) -> str | None:
        return self.row.outcome  # type: ignore[no-any-return]

    @strawberry.field
    def outcome_label(self) -> str | None:
        return Outcome(self.row.outcome).label if self.row.outcome else None

    @strawberry.field
    def tally(self) -> Tally | None:
        return Tally(**self.row.tally) if self.row.tally else None

    @strawberry.field(description="'<meetingId>/<itemId>' of the not-agreed item carried here")
    def carried_from(self) -> str | None:
        return self.row.carried_from  # type: ignore[no-any-return]

    @strawberry.field
    def opinions_due(self) -> datetime | None:
        return _t(self.row.opinions_due)

    @strawberry.field
    async def positions(self, info: Ctx) -> list[UnitPosition]:
        rows = await info.context.loaders.positions.load(
            info.context.key(info, self.row.tenant_id, self.row.meeting_id)
        )
        return [
            UnitPosition(
                unit_id=r.unit_id,
                position=r.position,
                position_label=Position(r.position).label,
                reason=r.reason,
                tenant_id=r.tenant_id,
            )
            for r in rows
            if r.item_id == self.row.item_id
        ]

    @strawberry.field
    async def opinions(self, info: Ctx) -> list[Opinion]:
        rows = await info.context.loaders.opinions.load(
            info.context.key(info, self.row.tenant_id, self.row.meeting_id)
        )
        return [_opinion(r) for r in rows if r.item_id == self.row.item_id]

    @strawberry.field
    async def resolution(self, info: Ctx) -> Resolution | None:
        if not self.row.resolution_id:
            return None
        return await load_resolution(info, self.row.tenant_id, self.row.resolution_id)

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        ref = f"{self.row.meeting_id}/{self.row.item_id}"
        return await history_of(info, self.row.tenant_id, ref)


def _opinion(row: Row[Any]) -> Opinion:
    return Opinion(
        unit_id=row.unit_id,
        item_id=row.item_id,
        text=row.text,
        with_leave=row.with_leave,
        position=row.position,
    )


@strawberry.type
class Meeting:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.meeting_id)

    @strawberry.field
    def kind(self) -> str:
        return str(self.row.kind)

    @strawberry.field
    def kind_label(self) -> str:
        return MeetingKind(self.row.kind).label

    @strawberry.field
    def title(self) -> str:
        return str(self.row.title)

    @strawberry.field
    def status(self) -> str:
        return str(self.row.status)

    @strawberry.field
    def status_label(self) -> str:
        return MeetingStatus(self.row.status).label

    @strawberry.field
    def scheduled_for(self) -> datetime:
        return utc(self.row.scheduled_for)

    @strawberry.field
    def location(self) -> str:
        return str(self.row.location)

    @strawberry.field
    def notice_issued_at(self) -> datetime | None:
        return _t(self.row.notice_issued_at)

    @strawberry.field
    def extraordinary(self) -> bool:
        return bool(self.row.extraordinary)

    @strawberry.field
    def minutes(self) -> str | None:
        return self.row.minutes  # type: ignore[no-any-return]

    @strawberry.field
    def minutes_issued_at(self) -> datetime | None:
        return _t(self.row.minutes_issued_at)

    @strawberry.field
    def charter(self) -> Charter:
        return Charter.of(self.row.charter)

    @strawberry.field
    def version(self) -> int:
        return int(self.row.version)

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
        return [_opinion(r) for r in rows]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.meeting_id)
