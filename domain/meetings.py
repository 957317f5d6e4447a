"""The joint meeting: agenda, written notice, opinions, leave, sign-in, decisions, minutes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.agenda import Agenda, ItemKind
from domain.attendance import Roll
from domain.charters import Charter, LabelledEnum, labelled
from domain.decisions import Outcome, Position, Tally, decide
from domain.stamp import Stamp


@labelled({"plenary": "全体会议", "regular": "例会", "thematic": "专题会议"})
class MeetingKind(LabelledEnum):
    PLENARY = "plenary"
    REGULAR = "regular"
    THEMATIC = "thematic"


@labelled(
    {
        "scheduled": "已安排",
        "noticed": "已通知",
        "open": "进行中",
        "closed": "已结束",
        "cancelled": "已取消",
    }
)
class MeetingStatus(LabelledEnum):
    SCHEDULED = "scheduled"
    NOTICED = "noticed"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


S = MeetingStatus

HELD_STATUSES = frozenset({S.OPEN, S.CLOSED})
"""A meeting in one of these was held: its notified units were there, excused, or
absent without leave."""


def attendance_status(signed_in: bool, on_leave: bool, meeting_status: str) -> str:
    """present | on_leave | absent_without_leave | expected (derived)."""
    if signed_in:
        return "present"
    if on_leave:
        return "on_leave"
    return "absent_without_leave" if meeting_status in HELD_STATUSES else "expected"


class Meeting(Aggregate):
    """One joint meeting of a tenant, from scheduling to minutes."""

    TOPIC = "gongjian.Meeting"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.Meeting.Created"

    @event("Scheduled", topic="gongjian.Meeting.Scheduled")
    def __init__(
        self,
        id: UUID,
        stamp: Stamp,
        kind: str,
        title: str,
        scheduled_for: datetime,
        location: str,
        charter: dict[str, Any],
    ) -> None:
        self.tenant_id = stamp.tenant_id
        self.kind = MeetingKind(kind)
        self.title = title
        self.scheduled_for = scheduled_for
        self.location = location
        self.charter = Charter.from_dict(charter)
        self.status = S.SCHEDULED
        self.agenda = Agenda()
        self.roll = Roll()
        self.positions: dict[str, dict[str, str]] = {}
        self.minutes: str | None = None
        self.minutes_recipients: list[str] = []
        self.minutes_received: list[str] = []

    @classmethod
    def schedule(
        cls,
        stamp: Stamp,
        *,
        meeting_id: UUID,
        kind: MeetingKind,
        title: str,
        scheduled_for: datetime,
        location: str,
        charter: Charter,
    ) -> Meeting:
        """Schedule a meeting under the tenant's current charter."""
        if not title.strip():
            raise errors.InvalidValue("a meeting needs a title")
        return cls(
            id=meeting_id,
            stamp=stamp,
            kind=kind.value,
            title=title.strip(),
            scheduled_for=scheduled_for,
            location=location,
            charter=charter.as_dict(),
        )

    # -- agenda ---------------------------------------------------------------

    def add_item(
        self,
        stamp: Stamp,
        item_id: str,
        title: str,
        kind: ItemKind = ItemKind.TOPIC,
        carried_from: str | None = None,
    ) -> None:
        """Add an agenda item; only before the written notice goes out."""
        self._require(S.SCHEDULED, error=errors.AgendaClosed)
        self.agenda.check_new(item_id, title)
        self._item_added(stamp, item_id, title.strip(), kind.value, carried_from)

    def withdraw_item(self, stamp: Stamp, item_id: str) -> None:
        """Withdraw an agenda item before notice, with a reason."""
        self._require(S.SCHEDULED, error=errors.AgendaClosed)
        self.agenda.require_open(item_id)
        stamp.require_reason("withdrawing an agenda item")
        self._item_withdrawn(stamp, item_id)

    # -- notice, opinions, leave ----------------------------------------------

    def issue_notice(
        self, stamp: Stamp, issued_at: datetime, recipients: list[str], extraordinary: bool
    ) -> None:
        """Send the written notice to every member unit, respecting the notice period."""
        self._require(S.SCHEDULED)
        if not self.open_items():
            raise errors.AgendaEmpty("the notice needs at least one agenda item")
        if not recipients:
            raise errors.InvalidValue("the notice needs at least one member unit")
        period = timedelta(days=self.charter.notice_days)
        if self.scheduled_for - issued_at < period:
            if not extraordinary:
                raise errors.NoticePeriodNotMet(
                    f"the charter requires {self.charter.notice_days} days of notice"
                )
            stamp.require_reason("an extraordinary meeting")
        self._notice_issued(stamp, issued_at, sorted(set(recipients)), extraordinary)

    def solicit_opinions(self, stamp: Stamp, item_id: str, due: datetime) -> None:
        """Ask the units for written opinions on an item before the meeting."""
        self._require(S.SCHEDULED, S.NOTICED)
        self.agenda.require_open(item_id)
        self._opinions_solicited(stamp, item_id, due)

    def submit_opinion(self, stamp: Stamp, unit_id: str, item_id: str, text: str) -> None:
        """Record a unit's written opinion on a solicited item."""
        self._require(S.NOTICED, S.OPEN)
        self.roll.require_notified(unit_id)
        self.agenda.require_open(item_id)
        self.agenda.require_solicited(item_id)
        if not text.strip():
            raise errors.InvalidValue("an opinion needs text")
        self._opinion_submitted(stamp, unit_id, item_id, text.strip())

    def request_leave(self, stamp: Stamp, unit_id: str, opinions: dict[str, str]) -> None:
        """A unit asks to be excused, with its reason and written opinions; the chair or
        the secretary approves or refuses the request (``decide_leave``)."""
        self._require(S.NOTICED)
        self.roll.check_leave(unit_id)
        stamp.require_reason("a leave request")
        for item_id in opinions:
            self.agenda.require_open(item_id)
        self._leave_requested(stamp, unit_id, stamp.reason or "", opinions, True)

    def decide_leave(self, stamp: Stamp, unit_id: str, approved: bool) -> None:
        """Approve a unit's leave request (it is then excused) or refuse it (reason
        required); a decision may be changed until the meeting is held."""
        self._require(S.NOTICED, S.OPEN)
        if unit_id not in self.roll.leave:
            raise errors.NoLeaveRequested(f"unit {unit_id} has not asked for leave")
        if not approved:
            stamp.require_reason("refusing leave")
        self._leave_decided(stamp, unit_id, approved)

    # -- the meeting itself ---------------------------------------------------

    def sign_in(
        self,
        stamp: Stamp,
        unit_id: str,
        attendee: str,
        substitute: bool,
        liaison: str | None = None,
    ) -> None:
        """Sign in a unit's representative or named substitute, once. A thematic
        meeting is attended by the units' liaisons (``liaison``: the unit's, by name)
        unless a substitute is named."""
        self._require(S.NOTICED, S.OPEN)
        self.roll.check_sign_in(unit_id)
        if not attendee.strip():
            raise errors.InvalidValue("sign-in needs the attendee's name")
        if self.kind is MeetingKind.THEMATIC and not substitute and attendee.strip() != liaison:
            raise errors.NotTheLiaison(
                f"a thematic meeting is attended by unit {unit_id}'s liaison"
                + ("" if liaison else ", and it has none")
                + ": sign in the liaison, or name a substitute"
            )
        if unit_id in self.roll.leave:
            stamp.require_reason("signing in a unit that asked for leave (it withdraws it)")
        self._signed_in(stamp, unit_id, attendee.strip(), substitute)

    def open(self, stamp: Stamp, opened_at: datetime, chair_unit_id: str | None) -> None:
        """Open the meeting at ``opened_at``, chaired by the attendee of
        ``chair_unit_id`` (a unit signed in): not earlier than the charter's margin
        before its scheduled time, and refused below the charter's quorum."""
        self._require(S.NOTICED)
        earliest = self.scheduled_for - timedelta(minutes=self.charter.opening_margin_minutes)
        if opened_at < earliest:
            raise errors.MeetingNotYetDue(
                f"the meeting is scheduled for {self.scheduled_for.isoformat()}; it may be "
                f"opened from {earliest.isoformat()}"
            )
        self.roll.check_quorum(self.charter.quorum)
        if chair_unit_id is None:
            raise errors.ChairRequired(
                "name the chairing unit (chair_unit_id): the council has no chair, or its "
                "chair's unit has not signed in"
            )
        if chair_unit_id not in self.roll.present:
            raise errors.ChairRequired(
                f"the chair's unit {chair_unit_id} has not signed in: a meeting is chaired "
                "by someone present"
            )
        self._opened(stamp, chair_unit_id)

    def record_position(self, stamp: Stamp, item_id: str, unit_id: str, position: Position) -> None:
        """Record a present unit's position on an item; an objection needs a reason."""
        self._require(S.OPEN)
        self.agenda.require_open(item_id)
        self.roll.check_present(unit_id)
        if position is Position.OBJECT:
            stamp.require_reason("an objection")
        self._position_recorded(stamp, item_id, unit_id, position.value)

    def tally(self, item_id: str) -> Tally:
        """Count the present units' positions on an item."""
        return Tally.count(len(self.roll.present), self.positions.get(item_id, {}))

    def decide_item(self, stamp: Stamp, item_id: str, resolution_id: UUID | None) -> Outcome:
        """Decide an item by the charter's rule; only an agreed item gets a resolution."""
        self._require(S.OPEN)
        self.agenda.require_open(item_id)
        tally = self.tally(item_id)
        outcome = decide(self.charter.decision_rule, tally)
        adopted = resolution_id if outcome is Outcome.AGREED else None
        counts = {
            "present": tally.present,
            "agree": tally.agree,
            "object": tally.object,
            "abstain": tally.abstain,
        }
        self._item_decided(stamp, item_id, outcome.value, counts, adopted)
        return outcome

    def close(self, stamp: Stamp) -> None:
        """Close the meeting."""
        self._require(S.OPEN)
        self._closed(stamp)

    def issue_minutes(self, stamp: Stamp, text: str, recipients: list[str] | None = None) -> None:
        """Issue the minutes once, to ``recipients`` (default: every unit the notice
        reached); later changes are corrections."""
        self._require(S.OPEN, S.CLOSED)
        if self.minutes is not None:
            raise errors.MinutesAlreadyIssued("minutes were issued; correct them instead")
        if not text.strip():
            raise errors.InvalidValue("minutes need text")
        sent = sorted(set(self.roll.recipients if recipients is None else recipients))
        for unit_id in sent:
            self.roll.require_notified(unit_id)
        self._minutes_issued(stamp, text.strip(), sent)

    def acknowledge_minutes(self, stamp: Stamp, unit_id: str) -> None:
        """A unit the minutes were sent to acknowledges receiving them (once)."""
        if self.minutes is None:
            raise errors.MinutesNotIssued("no minutes have been issued")
        if unit_id not in self.minutes_recipients:
            raise errors.NotNotified(f"the minutes were not sent to unit {unit_id}")
        if unit_id in self.minutes_received:
            raise errors.MinutesAlreadyAcknowledged(f"unit {unit_id} acknowledged them already")
        self._minutes_acknowledged(stamp, unit_id)

    def correct_minutes(self, stamp: Stamp, text: str) -> None:
        """Correct issued minutes, with a reason; the original stays in history."""
        if self.minutes is None:
            raise errors.MinutesNotIssued("no minutes have been issued")
        stamp.require_reason("correcting minutes")
        if not text.strip():
            raise errors.InvalidValue("minutes need text")
        self._minutes_corrected(stamp, text.strip())

    def postpone(self, stamp: Stamp, scheduled_for: datetime) -> None:
        """Move the meeting to a new time; notice, leave and sign-in start again."""
        self._require(S.SCHEDULED, S.NOTICED)
        stamp.require_reason("postponing")
        self._postponed(stamp, scheduled_for)

    def cancel(self, stamp: Stamp) -> None:
        """Cancel the meeting with a reason."""
        self._require(S.SCHEDULED, S.NOTICED, S.OPEN)
        stamp.require_reason("cancelling")
        self._cancelled(stamp)

    # -- derived --------------------------------------------------------------

    @property
    def items(self) -> dict[str, dict[str, Any]]:
        """Agenda items by id."""
        return self.agenda.items

    def open_items(self) -> list[str]:
        """Items neither withdrawn nor decided."""
        return self.agenda.open_ids()

    def absent_without_leave(self) -> list[str]:
        """Notified units that neither signed in nor were excused."""
        return self.roll.absent_without_leave()

    def item_outcome(self, item_id: str) -> str | None:
        """The outcome recorded for an item, if decided."""
        return self.agenda.outcome(item_id)

    # -- guards ---------------------------------------------------------------

    def _require(
        self, *allowed: MeetingStatus, error: type[errors.DomainError] = errors.MeetingNotInState
    ) -> None:
        if self.status not in allowed:
            wanted = " or ".join(s.value for s in allowed)
            raise error(f"meeting is {self.status.value}, must be {wanted}")

    # -- events ---------------------------------------------------------------

    @event("AgendaItemAdded", topic="gongjian.Meeting.AgendaItemAdded")
    def _item_added(
        self, stamp: Stamp, item_id: str, title: str, kind: str, carried_from: str | None
    ) -> None:
        self.agenda.added(item_id, title, kind, carried_from)

    @event("AgendaItemWithdrawn", topic="gongjian.Meeting.AgendaItemWithdrawn")
    def _item_withdrawn(self, stamp: Stamp, item_id: str) -> None:
        self.agenda.withdrawn(item_id)

    @event("NoticeIssued", topic="gongjian.Meeting.NoticeIssued")
    def _notice_issued(
        self, stamp: Stamp, issued_at: datetime, recipients: list[str], extraordinary: bool
    ) -> None:
        self.status = S.NOTICED
        self.roll.notified(recipients)

    @event("OpinionsSolicited", topic="gongjian.Meeting.OpinionsSolicited")
    def _opinions_solicited(self, stamp: Stamp, item_id: str, due: datetime) -> None:
        self.agenda.solicited.add(item_id)

    @event("OpinionSubmitted", topic="gongjian.Meeting.OpinionSubmitted")
    def _opinion_submitted(self, stamp: Stamp, unit_id: str, item_id: str, text: str) -> None:
        pass

    class LeaveRequested(Aggregate.Event):
        """A unit asked for leave. Version 2 records whether the request waits for the
        chair's or secretary's decision; requests stored as version 1, from before
        leave was decided, excused the unit at once and are read as approved."""

        TOPIC = "gongjian.Meeting.LeaveRequested"
        class_version = 2
        stamp: Stamp
        unit_id: str
        reason: str
        opinions: dict[str, str]
        needs_decision: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["needs_decision"] = False

    @event(LeaveRequested)
    def _leave_requested(
        self,
        stamp: Stamp,
        unit_id: str,
        reason: str,
        opinions: dict[str, str],
        needs_decision: bool,
    ) -> None:
        self.roll.excused(unit_id, reason, approved=not needs_decision)

    @event("LeaveDecided", topic="gongjian.Meeting.LeaveDecided")
    def _leave_decided(self, stamp: Stamp, unit_id: str, approved: bool) -> None:
        self.roll.leave_decided(unit_id, approved)

    @event("SignedIn", topic="gongjian.Meeting.SignedIn")
    def _signed_in(self, stamp: Stamp, unit_id: str, attendee: str, substitute: bool) -> None:
        self.roll.signed_in(unit_id, attendee, substitute)

    class Opened(Aggregate.Event):
        """The meeting opened. Version 2 records the unit whose attendee chaired it;
        openings stored as version 1, from before that rule, name none."""

        TOPIC = "gongjian.Meeting.Opened"
        class_version = 2
        stamp: Stamp
        chair_unit_id: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["chair_unit_id"] = None

    @event(Opened)
    def _opened(self, stamp: Stamp, chair_unit_id: str | None) -> None:
        self.status = S.OPEN
        self.chair_unit_id = chair_unit_id

    @event("PositionRecorded", topic="gongjian.Meeting.PositionRecorded")
    def _position_recorded(self, stamp: Stamp, item_id: str, unit_id: str, position: str) -> None:
        self.positions.setdefault(item_id, {})[unit_id] = position

    @event("ItemDecided", topic="gongjian.Meeting.ItemDecided")
    def _item_decided(
        self,
        stamp: Stamp,
        item_id: str,
        outcome: str,
        tally: dict[str, int],
        resolution_id: UUID | None,
    ) -> None:
        self.agenda.decided(item_id, outcome, resolution_id)

    @event("Closed", topic="gongjian.Meeting.Closed")
    def _closed(self, stamp: Stamp) -> None:
        self.status = S.CLOSED

    class MinutesIssued(Aggregate.Event):
        """The minutes were issued. Version 2 names their text ``minutes`` (it was
        ``text``) and records the units they were sent to (none recorded before);
        events stored as version 1 are read as version 2 (docs/decisions/0007)."""

        TOPIC = "gongjian.Meeting.MinutesIssued"
        class_version = 2
        stamp: Stamp
        minutes: str
        recipients: list[str]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["minutes"] = state.pop("text")
            state["recipients"] = []

    @event(MinutesIssued)
    def _minutes_issued(self, stamp: Stamp, minutes: str, recipients: list[str]) -> None:
        self.minutes = minutes
        self.minutes_recipients = list(recipients)

    @event("MinutesAcknowledged", topic="gongjian.Meeting.MinutesAcknowledged")
    def _minutes_acknowledged(self, stamp: Stamp, unit_id: str) -> None:
        self.minutes_received = [*self.minutes_received, unit_id]

    @event("MinutesCorrected", topic="gongjian.Meeting.MinutesCorrected")
    def _minutes_corrected(self, stamp: Stamp, text: str) -> None:
        self.minutes = text

    @event("Postponed", topic="gongjian.Meeting.Postponed")
    def _postponed(self, stamp: Stamp, scheduled_for: datetime) -> None:
        # A new written notice is needed: leave and sign-ins were for the old date.
        self.scheduled_for = scheduled_for
        self.status = S.SCHEDULED
        self.roll = Roll()

    @event("Cancelled", topic="gongjian.Meeting.Cancelled")
    def _cancelled(self, stamp: Stamp) -> None:
        self.status = S.CANCELLED
