"""GraphQL record types, each fed by one read-model row (the read DTO)."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from typing import Any

import strawberry
from sqlalchemy import Row
from strawberry.scalars import JSON
from strawberry.types import Info

from api.gql_loaders import Context
from domain.agenda import ItemKind, ItemStatus
from domain.charters import Cadence, DecisionRule
from domain.decisions import Outcome, Position
from domain.meetings import MeetingKind, MeetingStatus
from domain.resolutions import ReportKind, ResolutionStatus
from domain.tenants import TenantKind
from domain.units import UnitKind
from projections.context import utc

Ctx = Info[Context, None]


def _t(moment: datetime | None) -> datetime | None:
    return utc(moment) if moment else None


def encode_cursor(value: int) -> str:
    """An opaque cursor for an integer sort key."""
    return base64.urlsafe_b64encode(f"c:{value}".encode()).decode()


def decode_cursor(cursor: str | None) -> int | None:
    """Read a cursor made by ``encode_cursor``; a malformed one is an error."""
    if cursor is None:
        return None
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode().removeprefix("c:"))
    except ValueError as error:
        raise ValueError(f"malformed cursor {cursor!r}") from error


@strawberry.type(description="Who recorded a fact: user, role and the unit they acted for.")
class ActorInfo:
    user_id: str
    role: str
    unit_id: str | None


@strawberry.type(description="One event in a tenant's log.")
class Event:
    position: int
    type: str
    record_type: str
    record_id: str
    version: int
    recorded_at: datetime
    occurred_at: datetime | None = strawberry.field(description="when it happened, if stated")
    actor: ActorInfo
    reason: str | None
    data: JSON

    @classmethod
    def of(cls, row: Row[Any]) -> Event:
        return cls(
            position=row.position,
            type=row.type,
            record_type=row.record_type,
            record_id=row.record_id,
            version=row.version,
            recorded_at=utc(row.recorded_at),
            occurred_at=_t(row.occurred_at),
            actor=ActorInfo(**row.actor),
            reason=row.reason,
            data=row.data,
        )


async def _history(info: Ctx, tenant_id: str, record_id: str) -> list[Event]:
    rows = await info.context.loaders.history.load((tenant_id, record_id))
    return [Event.of(row) for row in rows]


@strawberry.type
class Person:
    name: str
    phone: str | None


def _person(data: dict[str, Any] | None) -> Person | None:
    return Person(name=data["name"], phone=data.get("phone")) if data else None


@strawberry.type
class Charter:
    cadence: str
    cadence_label: str
    notice_days: int
    quorum: str
    decision_rule: str
    decision_rule_label: str
    max_active_claims: int

    @classmethod
    def of(cls, data: dict[str, Any]) -> Charter:
        return cls(
            cadence=data["cadence"],
            cadence_label=Cadence(data["cadence"]).label,
            notice_days=data["notice_days"],
            quorum=data["quorum"],
            decision_rule=data["decision_rule"],
            decision_rule_label=DecisionRule(data["decision_rule"]).label,
            max_active_claims=data["max_active_claims"],
        )


@strawberry.type
class MemberUnit:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.unit_id)

    @strawberry.field
    def name(self) -> str:
        return str(self.row.name)

    @strawberry.field
    def kind(self) -> str:
        return str(self.row.kind)

    @strawberry.field
    def kind_label(self) -> str:
        return UnitKind(self.row.kind).label

    @strawberry.field
    def representative(self) -> Person | None:
        return _person(self.row.representative)

    @strawberry.field
    def liaison(self) -> Person | None:
        return _person(self.row.liaison)

    @strawberry.field
    def active(self) -> bool:
        return bool(self.row.active)

    @strawberry.field
    def joined_at(self) -> datetime:
        return utc(self.row.joined_at)

    @strawberry.field
    def version(self) -> int:
        return int(self.row.version)

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await _history(info, self.row.tenant_id, self.row.unit_id)


async def load_unit(info: Ctx, tenant_id: str, unit_id: str) -> MemberUnit | None:
    rows = await info.context.loaders.units.load((tenant_id, unit_id))
    return MemberUnit(row=rows[0]) if rows else None


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

    @strawberry.field
    def attendee(self) -> str | None:
        return self.row.attendee  # type: ignore[no-any-return]

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
        rows = await info.context.loaders.positions.load((self.row.tenant_id, self.row.meeting_id))
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
        rows = await info.context.loaders.opinions.load((self.row.tenant_id, self.row.meeting_id))
        return [_opinion(r) for r in rows if r.item_id == self.row.item_id]

    @strawberry.field
    async def resolution(self, info: Ctx) -> Resolution | None:
        if not self.row.resolution_id:
            return None
        return await load_resolution(info, self.row.tenant_id, self.row.resolution_id)

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        ref = f"{self.row.meeting_id}/{self.row.item_id}"
        return await _history(info, self.row.tenant_id, ref)


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
        rows = await info.context.loaders.agenda.load((self.row.tenant_id, self.row.meeting_id))
        return [AgendaItem(row=r) for r in rows]

    @strawberry.field
    async def attendance(self, info: Ctx) -> list[Attendance]:
        key = (self.row.tenant_id, self.row.meeting_id)
        rows = await info.context.loaders.attendance.load(key)
        return [Attendance(row=r, meeting_status=self.row.status) for r in rows]

    @strawberry.field
    async def opinions(self, info: Ctx) -> list[Opinion]:
        rows = await info.context.loaders.opinions.load((self.row.tenant_id, self.row.meeting_id))
        return [_opinion(r) for r in rows]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await _history(info, self.row.tenant_id, self.row.meeting_id)


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
    async def meeting(self, info: Ctx) -> Meeting | None:
        rows = await info.context.loaders.meetings.load((self.row.tenant_id, self.row.meeting_id))
        return Meeting(row=rows[0]) if rows else None

    @strawberry.field
    async def execution_reports(self, info: Ctx) -> list[ExecutionReport]:
        key = (self.row.tenant_id, self.row.resolution_id)
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
        return await _history(info, self.row.tenant_id, self.row.resolution_id)


async def load_resolution(info: Ctx, tenant_id: str, resolution_id: str) -> Resolution | None:
    rows = await info.context.loaders.resolutions.load((tenant_id, resolution_id))
    return Resolution(row=rows[0]) if rows else None


def tenant_kind_label(kind: str) -> str:
    """The Chinese label of a tenant kind."""
    return TenantKind(kind).label
