"""Commands on meetings: agenda, notice, opinions, leave, attendance, decisions, minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from domain import errors
from domain.agenda import ItemKind
from domain.decisions import Outcome, Position
from domain.meetings import Meeting, MeetingKind
from domain.plenary_business import Council, council_id
from domain.resolutions import Resolution
from domain.stamp import Stamp
from domain.units import MemberUnit
from tenants.commands.units import UnitCommands
from tenants.ledger import CommandResult
from tenants.store.recorder import IdempotentCommand

Idem = IdempotentCommand | None


@dataclass(frozen=True)
class ProposedResolution:
    """What an agreed item resolves: action, responsible units, deadline."""

    resolution_id: UUID
    action: str
    responsible_unit_ids: list[str]
    deadline: date


class MeetingCommands(UnitCommands):
    """Every command on a meeting is load → call → save."""

    def schedule_meeting(
        self,
        stamp: Stamp,
        meeting_id: UUID,
        kind: MeetingKind,
        title: str,
        scheduled_for: datetime,
        location: str,
        idem: Idem = None,
    ) -> CommandResult:
        """Schedule a meeting under the tenant's current charter."""
        charter = self.tenant().charter
        meeting = Meeting.schedule(
            stamp,
            meeting_id=meeting_id,
            kind=kind,
            title=title,
            scheduled_for=scheduled_for,
            location=location,
            charter=charter,
        )
        return self.commit(meeting, idempotent=idem)

    def add_item(
        self,
        stamp: Stamp,
        meeting_id: UUID,
        item_id: str,
        title: str,
        kind: ItemKind,
        carried_from: tuple[UUID, str] | None,
        idem: Idem = None,
    ) -> CommandResult:
        """Add an agenda item, possibly carried from a not-agreed item of an earlier meeting."""
        meeting = self.load(Meeting, meeting_id)
        source = None
        if carried_from is not None:
            earlier = self.load(Meeting, carried_from[0])
            if earlier.item_outcome(carried_from[1]) == Outcome.AGREED.value:
                raise errors.CannotCarryAgreedItem("an agreed item is already a resolution")
            source = f"{carried_from[0]}/{carried_from[1]}"
        meeting.add_item(stamp, item_id, title, kind, source)
        return self.commit(meeting, idempotent=idem, extra={"item_id": item_id})

    def withdraw_item(
        self,
        stamp: Stamp,
        meeting_id: UUID,
        item_id: str,
        idem: Idem = None,
    ) -> CommandResult:
        """Withdraw an agenda item before notice."""
        meeting = self.load(Meeting, meeting_id)
        meeting.withdraw_item(stamp, item_id)
        return self.commit(meeting, idempotent=idem)

    def issue_notice(
        self,
        stamp: Stamp,
        meeting_id: UUID,
        issued_at: datetime,
        extraordinary: bool,
        idem: Idem = None,
    ) -> CommandResult:
        """Send the written notice to every active member unit."""
        meeting = self.load(Meeting, meeting_id)
        meeting.issue_notice(stamp, issued_at, self.active_unit_ids(), extraordinary)
        return self.commit(meeting, idempotent=idem)

    def solicit_opinions(
        self,
        stamp: Stamp,
        meeting_id: UUID,
        item_id: str,
        due: datetime,
        idem: Idem = None,
    ) -> CommandResult:
        """Ask units for written opinions on an item."""
        meeting = self.load(Meeting, meeting_id)
        meeting.solicit_opinions(stamp, item_id, due)
        return self.commit(meeting, idempotent=idem)

    def submit_opinion(
        self,
        stamp: Stamp,
        meeting_id: UUID,
        unit_id: str,
        item_id: str,
        text: str,
        idem: Idem = None,
    ) -> CommandResult:
        """Record a unit's written opinion."""
        meeting = self.load(Meeting, meeting_id)
        meeting.submit_opinion(stamp, unit_id, item_id, text)
        return self.commit(meeting, idempotent=idem)

    def request_leave(
        self,
        stamp: Stamp,
        meeting_id: UUID,
        unit_id: str,
        opinions: dict[str, str],
        idem: Idem = None,
    ) -> CommandResult:
        """A unit asks for leave, with its written opinions."""
        meeting = self.load(Meeting, meeting_id)
        meeting.request_leave(stamp, unit_id, opinions)
        return self.commit(meeting, idempotent=idem)

    def decide_leave(
        self, stamp: Stamp, meeting_id: UUID, unit_id: str, approved: bool, idem: Idem = None
    ) -> CommandResult:
        """Approve or refuse (reason required) a unit's leave request."""
        meeting = self.load(Meeting, meeting_id)
        meeting.decide_leave(stamp, unit_id, approved)
        return self.commit(meeting, idempotent=idem)

    def sign_in(
        self,
        stamp: Stamp,
        meeting_id: UUID,
        unit_id: str,
        attendee: str,
        substitute: bool,
        idem: Idem = None,
    ) -> CommandResult:
        """Sign a unit in (at a thematic meeting, its liaison unless a substitute)."""
        meeting = self.load(Meeting, meeting_id)
        liaison = None
        if meeting.kind is MeetingKind.THEMATIC and not substitute:
            try:
                contact = self.load(MemberUnit, UUID(unit_id)).liaison
            except (ValueError, errors.NotFound):
                contact = None  # not a unit of this tenant: the roll refuses it
            liaison = None if contact is None else str(contact.get("name") or "") or None
        meeting.sign_in(stamp, unit_id, attendee, substitute, liaison)
        return self.commit(meeting, idempotent=idem)

    def open_meeting(
        self, stamp: Stamp, meeting_id: UUID, chair_unit_id: str | None = None, idem: Idem = None
    ) -> CommandResult:
        """Open the meeting if quorate, chaired by ``chair_unit_id``'s attendee or, when
        none is named, by the council chair's unit if it signed in."""
        meeting = self.load(Meeting, meeting_id)
        if chair_unit_id is None and council_id(self.tenant_id) in self.repository:
            chair = self.load(Council, council_id(self.tenant_id)).chair_unit_id
            chair_unit_id = chair if chair in meeting.roll.present else None
        meeting.open(stamp, stamp.occurred_at or datetime.now(UTC), chair_unit_id)
        return self.commit(meeting, idempotent=idem)

    def record_position(
        self,
        stamp: Stamp,
        meeting_id: UUID,
        item_id: str,
        unit_id: str,
        position: Position,
        idem: Idem = None,
    ) -> CommandResult:
        """Record a unit's position on an item."""
        meeting = self.load(Meeting, meeting_id)
        meeting.record_position(stamp, item_id, unit_id, position)
        return self.commit(meeting, idempotent=idem)

    def decide_item(
        self,
        stamp: Stamp,
        meeting_id: UUID,
        item_id: str,
        proposal: ProposedResolution,
        idem: Idem = None,
    ) -> CommandResult:
        """Decide an item; when agreed, adopt its resolution in the same transaction."""
        meeting = self.load(Meeting, meeting_id)
        unknown = set(proposal.responsible_unit_ids) - set(self.active_unit_ids())
        if unknown:
            raise errors.NotFound(f"no active member unit {', '.join(sorted(unknown))}")
        outcome = meeting.decide_item(stamp, item_id, proposal.resolution_id)
        if outcome is not Outcome.AGREED:
            extra = {"outcome": outcome.value, "resolution_id": None}
            return self.commit(meeting, idempotent=idem, extra=extra)
        resolution = Resolution.adopt(
            stamp,
            resolution_id=proposal.resolution_id,
            meeting_id=meeting.id,
            item_id=item_id,
            title=meeting.items[item_id]["title"],
            action=proposal.action,
            responsible_unit_ids=proposal.responsible_unit_ids,
            deadline=proposal.deadline,
            meeting_day=self.tenant().charter.today(meeting.scheduled_for),
        )
        extra = {"outcome": outcome.value, "resolution_id": str(resolution.id)}
        return self.commit(meeting, resolution, idempotent=idem, extra=extra)

    def close_meeting(self, stamp: Stamp, meeting_id: UUID, idem: Idem = None) -> CommandResult:
        """Close the meeting."""
        meeting = self.load(Meeting, meeting_id)
        meeting.close(stamp)
        return self.commit(meeting, idempotent=idem)

    def issue_minutes(
        self,
        stamp: Stamp,
        meeting_id: UUID,
        text: str,
        correction: bool,
        idem: Idem = None,
        recipients: list[str] | None = None,
    ) -> CommandResult:
        """Issue the minutes (to ``recipients``, default every notified unit), or
        correct issued minutes with a reason."""
        meeting = self.load(Meeting, meeting_id)
        if correction:
            meeting.correct_minutes(stamp, text)
        else:
            meeting.issue_minutes(stamp, text, recipients)
        return self.commit(meeting, idempotent=idem)

    def acknowledge_minutes(
        self, stamp: Stamp, meeting_id: UUID, unit_id: str, idem: Idem = None
    ) -> CommandResult:
        """A unit acknowledges receiving the minutes."""
        meeting = self.load(Meeting, meeting_id)
        meeting.acknowledge_minutes(stamp, unit_id)
        return self.commit(meeting, idempotent=idem)

    def postpone(
        self,
        stamp: Stamp,
        meeting_id: UUID,
        scheduled_for: datetime,
        idem: Idem = None,
    ) -> CommandResult:
        """Postpone the meeting with a reason."""
        meeting = self.load(Meeting, meeting_id)
        meeting.postpone(stamp, scheduled_for)
        return self.commit(meeting, idempotent=idem)

    def cancel(self, stamp: Stamp, meeting_id: UUID, idem: Idem = None) -> CommandResult:
        """Cancel the meeting with a reason."""
        meeting = self.load(Meeting, meeting_id)
        meeting.cancel(stamp)
        return self.commit(meeting, idempotent=idem)
