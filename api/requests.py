"""One request model per command. Shared fields live in ``CommandBody``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from domain.agenda import ItemKind
from domain.charters import Cadence, DecisionRule
from domain.decisions import Position
from domain.meetings import MeetingKind
from domain.resolutions import ReportKind
from domain.tenants import TenantKind
from domain.units import UnitKind


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a time must carry its UTC offset, e.g. 2025-03-01T09:00:00+08:00")
    return moment


Moment = Annotated[datetime, AfterValidator(_aware)]
Text = Annotated[str, Field(min_length=1, max_length=4000)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]
TenantId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
ItemId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
UnitRef = Annotated[str, Field(min_length=1, max_length=64)]


class CommandBody(BaseModel):
    """Fields every command accepts."""

    model_config = ConfigDict(extra="forbid")

    occurred_at: Moment | None = Field(None, description="when it happened, if not now")
    reason: Reason | None = Field(None, description="why (required for corrections etc.)")
    expected_version: int | None = Field(None, ge=1, description="optimistic concurrency")


class CharterBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cadence: Cadence = Cadence.QUARTERLY
    notice_days: int = Field(3, ge=0, le=365)
    quorum: str = Field("0.5", pattern=r"^(0(\.\d{1,4})?|1(\.0{1,4})?)$")
    decision_rule: DecisionRule = DecisionRule.CONSENSUS
    max_active_claims: int = Field(2, ge=1, le=20)


class RegisterTenant(CommandBody):
    tenant_id: TenantId
    kind: TenantKind
    name: Name
    parent_id: TenantId | None = None
    charter: CharterBody = CharterBody()


class AmendCharter(CommandBody):
    charter: CharterBody


class JoinUnit(CommandBody):
    name: Name
    kind: UnitKind


class AppointPerson(CommandBody):
    name: Name
    phone: Annotated[str, Field(max_length=40)] | None = None


class LeaveUnit(CommandBody):
    pass


class ScheduleMeeting(CommandBody):
    kind: MeetingKind
    title: Name
    scheduled_for: Moment
    location: Name


class CarriedFrom(BaseModel):
    model_config = ConfigDict(extra="forbid")

    meeting_id: UUID
    item_id: ItemId


class AddAgendaItem(CommandBody):
    item_id: ItemId | None = None
    title: Name
    kind: ItemKind = ItemKind.TOPIC
    carried_from: CarriedFrom | None = None


class WithdrawAgendaItem(CommandBody):
    pass


class IssueNotice(CommandBody):
    issued_at: Moment | None = None
    extraordinary: bool = False


class SolicitOpinions(CommandBody):
    due: Moment


class SubmitOpinion(CommandBody):
    unit_id: UnitRef
    text: Text


class RequestLeave(CommandBody):
    unit_id: UnitRef
    opinions: dict[ItemId, Text] = Field(default_factory=dict, max_length=100)


class SignIn(CommandBody):
    unit_id: UnitRef
    attendee: Name
    substitute: bool = False


class OpenMeeting(CommandBody):
    pass


class RecordPosition(CommandBody):
    unit_id: UnitRef
    position: Position


class DecideItem(CommandBody):
    action: Text
    responsible_unit_ids: list[UnitRef] = Field(min_length=1, max_length=100)
    deadline: date


class CloseMeeting(CommandBody):
    pass


class IssueMinutes(CommandBody):
    text: Annotated[str, Field(min_length=1, max_length=50_000)]


class PostponeMeeting(CommandBody):
    scheduled_for: Moment


class CancelMeeting(CommandBody):
    pass


class NotifyResolution(CommandBody):
    unit_ids: list[UnitRef] | None = Field(None, max_length=500)


class ReportExecution(CommandBody):
    unit_id: UnitRef
    kind: ReportKind
    note: Text
    evidence: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=50
    )


class VerifyResolution(CommandBody):
    pass


class ReturnReport(CommandBody):
    unit_id: UnitRef


class SupersedeResolution(CommandBody):
    by_resolution_id: UUID


class CommandAccepted(BaseModel):
    """The answer to every command."""

    record_id: str = Field(description="id of the record the command changed")
    version: int = Field(description="the record's new version")
    position: int = Field(description="the tenant log position of the last event written")


class AgendaItemAdded(CommandAccepted):
    item_id: str = Field(description="id of the new agenda item")


class ItemDecided(CommandAccepted):
    outcome: str = Field(description="agreed | not_agreed")
    resolution_id: str | None = Field(description="the adopted resolution, if agreed")


def charter_data(body: CharterBody) -> dict[str, Any]:
    """The charter as the domain reads it."""
    return body.model_dump(mode="json")
