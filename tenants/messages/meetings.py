"""Commands on meetings: agenda, notice, opinions, leave, attendance, decisions, minutes."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from domain.agenda import ItemKind
from domain.decisions import Position
from domain.meetings import MeetingKind
from tenants.commands.meetings import ProposedResolution
from tenants.ledger import CommandResult
from tenants.messages.base import CommandAccepted, Handling, Message, RecordCommand, Route
from tenants.messages.fields import Day, Flag, ItemId, LongText, Moment, Name, Ref, Text

TAG = "meetings"


class AgendaItemAdded(CommandAccepted):
    item_id: str = Field(description="id of the new agenda item")


class ItemDecided(CommandAccepted):
    outcome: str = Field(description="agreed | not_agreed")
    resolution_id: str | None = Field(description="the adopted resolution, if agreed")


class ScheduleMeeting(Message):
    """Schedule a plenary, regular or thematic meeting."""

    route = Route("/meetings", TAG, 201)
    kind: MeetingKind
    title: Name
    scheduled_for: Moment
    location: Name

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.schedule_meeting(
            h.stamp, uuid4(), self.kind, self.title, self.scheduled_for, self.location, idem=h.idem
        )


class OnMeeting(RecordCommand):
    """A command on one meeting."""

    meeting_id: UUID

    def target(self, tenant_id: str) -> UUID:
        return self.meeting_id


class OnItem(OnMeeting):
    """A command on one agenda item of a meeting."""

    item_id: ItemId


class CarriedFrom(BaseModel):
    """A not-agreed item of an earlier meeting that an agenda item carries forward."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    meeting_id: UUID
    item_id: ItemId


class AddAgendaItem(OnMeeting):
    """Add an agenda item (before notice); may carry a not-agreed item forward."""

    route = Route("/meetings/{meeting_id}/agenda-items", TAG, 201, AgendaItemAdded)
    item_id: ItemId | None = None
    title: Name
    kind: ItemKind = ItemKind.TOPIC
    carried_from: CarriedFrom | None = None

    def handle(self, h: Handling) -> CommandResult:
        carried = self.carried_from
        source = (carried.meeting_id, carried.item_id) if carried else None
        item_id = self.item_id or uuid4().hex[:12]
        return h.ledger.add_item(
            h.stamp, self.meeting_id, item_id, self.title, self.kind, source, idem=h.idem
        )


class WithdrawAgendaItem(OnItem):
    """Withdraw an agenda item before notice (reason required)."""

    route = Route("/meetings/{meeting_id}/agenda-items/{item_id}/withdraw", TAG)

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.withdraw_item(h.stamp, self.meeting_id, self.item_id, idem=h.idem)


class IssueNotice(OnMeeting):
    """Send the written notice to every member unit."""

    route = Route("/meetings/{meeting_id}/notice", TAG)
    issued_at: Moment | None = None
    extraordinary: Flag = False

    def handle(self, h: Handling) -> CommandResult:
        issued_at = self.issued_at or datetime.now(UTC)
        return h.ledger.issue_notice(
            h.stamp, self.meeting_id, issued_at, self.extraordinary, idem=h.idem
        )


class SolicitOpinions(OnItem):
    """Ask member units for written opinions on an item."""

    route = Route("/meetings/{meeting_id}/agenda-items/{item_id}/opinion-requests", TAG)
    due: Moment

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.solicit_opinions(
            h.stamp, self.meeting_id, self.item_id, self.due, idem=h.idem
        )


class SubmitOpinion(OnItem):
    """Record a unit's written opinion."""

    route = Route("/meetings/{meeting_id}/agenda-items/{item_id}/opinions", TAG)
    unit_id: Ref
    text: Text

    def bound_value(self, role: str) -> str | None:
        return self.unit_id

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.submit_opinion(
            h.stamp, self.meeting_id, self.unit_id, self.item_id, self.text, idem=h.idem
        )


class RequestLeave(OnMeeting):
    """A unit asks for leave, with its reason and written opinions; the chair or the
    secretary then approves or refuses it."""

    route = Route("/meetings/{meeting_id}/leave-requests", TAG)
    unit_id: Ref
    opinions: dict[ItemId, Text] = Field(default_factory=dict, max_length=100)

    def bound_value(self, role: str) -> str | None:
        return self.unit_id

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.request_leave(
            h.stamp, self.meeting_id, self.unit_id, dict(self.opinions), idem=h.idem
        )


class DecideLeave(OnMeeting):
    """Approve a unit's leave request (it is excused), or refuse it (reason required)."""

    route = Route("/meetings/{meeting_id}/leave-requests/{unit_id}/decision", TAG)
    unit_id: Ref
    approved: Flag

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.decide_leave(
            h.stamp, self.meeting_id, self.unit_id, self.approved, idem=h.idem
        )


class SignIn(OnMeeting):
    """Sign in a unit's representative or a named substitute."""

    route = Route("/meetings/{meeting_id}/sign-ins", TAG)
    unit_id: Ref
    attendee: Name
    substitute: Flag = False

    def bound_value(self, role: str) -> str | None:
        return self.unit_id

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.sign_in(
            h.stamp, self.meeting_id, self.unit_id, self.attendee, self.substitute, idem=h.idem
        )


class OpenMeeting(OnMeeting):
    """Open the meeting (refused below quorum), recording its chair: the attendee of
    `chair_unit_id`, a unit signed in; omitted, the council chair's unit if it
    signed in."""

    route = Route("/meetings/{meeting_id}/open", TAG)
    chair_unit_id: Ref | None = None

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.open_meeting(h.stamp, self.meeting_id, self.chair_unit_id, idem=h.idem)


class RecordPosition(OnItem):
    """Record a present unit's position: agree, object (with reason) or abstain."""

    route = Route("/meetings/{meeting_id}/agenda-items/{item_id}/positions", TAG)
    unit_id: Ref
    position: Position

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.record_position(
            h.stamp, self.meeting_id, self.item_id, self.unit_id, self.position, idem=h.idem
        )


class DecideItem(OnItem):
    """Decide the item by the charter's rule; an agreed item adopts the resolution."""

    route = Route("/meetings/{meeting_id}/agenda-items/{item_id}/decision", TAG, 200, ItemDecided)
    action: Text
    responsible_unit_ids: list[Ref] = Field(min_length=1, max_length=100)
    deadline: Day

    def handle(self, h: Handling) -> CommandResult:
        proposal = ProposedResolution(
            uuid4(), self.action, list(self.responsible_unit_ids), self.deadline
        )
        return h.ledger.decide_item(h.stamp, self.meeting_id, self.item_id, proposal, idem=h.idem)


class CloseMeeting(OnMeeting):
    """Close the meeting."""

    route = Route("/meetings/{meeting_id}/close", TAG)

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.close_meeting(h.stamp, self.meeting_id, idem=h.idem)


class IssueMinutes(OnMeeting):
    """Issue the minutes (once)."""

    route = Route("/meetings/{meeting_id}/minutes", TAG)
    signs_log = True
    text: LongText
    recipients: list[Ref] | None = Field(
        None,
        max_length=200,
        description="the units the minutes are sent to (default: every notified unit)",
    )

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.issue_minutes(
            h.stamp, self.meeting_id, self.text, False, idem=h.idem, recipients=self.recipients
        )


class CorrectMinutes(OnMeeting):
    """Correct issued minutes (reason required); the original stays in history."""

    route = Route("/meetings/{meeting_id}/minutes/corrections", TAG)
    signs_log = True
    text: LongText

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.issue_minutes(h.stamp, self.meeting_id, self.text, True, idem=h.idem)


class AcknowledgeMinutes(OnMeeting):
    """A unit acknowledges receiving the minutes (its liaison, or the secretary for it)."""

    route = Route("/meetings/{meeting_id}/minutes/receipts", TAG)
    unit_id: Ref

    def bound_value(self, role: str) -> str | None:
        return self.unit_id

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.acknowledge_minutes(h.stamp, self.meeting_id, self.unit_id, idem=h.idem)


class PostponeMeeting(OnMeeting):
    """Postpone the meeting (reason required)."""

    route = Route("/meetings/{meeting_id}/postpone", TAG)
    scheduled_for: Moment

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.postpone(h.stamp, self.meeting_id, self.scheduled_for, idem=h.idem)


class CancelMeeting(OnMeeting):
    """Cancel the meeting (reason required)."""

    route = Route("/meetings/{meeting_id}/cancel", TAG)

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.cancel(h.stamp, self.meeting_id, idem=h.idem)
