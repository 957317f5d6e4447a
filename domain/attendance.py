"""A meeting's roll: who was notified, who is excused, who signed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from domain import errors


def is_absent_without_leave(signed_in: bool, on_leave: bool) -> bool:
    """A notified unit that neither signed in nor was excused (of a held meeting)."""
    return not signed_in and not on_leave


@dataclass
class Roll:
    """The attendance side of a meeting; checks here, changes only through events."""

    recipients: list[str] = field(default_factory=list)
    leave: dict[str, str] = field(default_factory=dict)  # requested, by unit: the reason
    approved: set[str] = field(default_factory=set)  # leave granted (excused)
    present: dict[str, dict[str, Any]] = field(default_factory=dict)

    def require_notified(self, unit_id: str) -> None:
        """Refuse a unit the written notice did not reach."""
        if unit_id not in self.recipients:
            raise errors.NotNotified(f"unit {unit_id} was not notified of this meeting")

    def check_leave(self, unit_id: str) -> None:
        """A unit may ask for leave once, and not after signing in."""
        self.require_notified(unit_id)
        if unit_id in self.leave:
            raise errors.AlreadyOnLeave(f"unit {unit_id} is already on leave")
        if unit_id in self.present:
            raise errors.AlreadySignedIn(f"unit {unit_id} has signed in")

    def check_sign_in(self, unit_id: str) -> None:
        """A notified unit signs in once."""
        self.require_notified(unit_id)
        if unit_id in self.present:
            raise errors.AlreadySignedIn(f"unit {unit_id} has already signed in")

    def check_quorum(self, quorum: Decimal) -> None:
        """Refuse to open below the share of notified units the charter requires."""
        if Decimal(len(self.present)) < quorum * len(self.recipients):
            raise errors.QuorumNotMet(
                f"{len(self.present)} of {len(self.recipients)} units present, quorum is {quorum}"
            )

    def check_present(self, unit_id: str) -> None:
        """Only a unit present takes a position."""
        if unit_id not in self.present:
            raise errors.NotSignedIn(f"unit {unit_id} is not signed in")

    def absent_without_leave(self) -> list[str]:
        """Notified units that neither signed in nor were excused (derived)."""
        return [
            u
            for u in self.recipients
            if is_absent_without_leave(u in self.present, u in self.approved)
        ]

    def notified(self, recipients: list[str]) -> None:
        self.recipients = recipients

    def excused(self, unit_id: str, reason: str, approved: bool) -> None:
        self.leave[unit_id] = reason
        if approved:
            self.approved.add(unit_id)

    def leave_decided(self, unit_id: str, approved: bool) -> None:
        if approved:
            self.approved.add(unit_id)
        else:
            self.approved.discard(unit_id)

    def signed_in(self, unit_id: str, attendee: str, substitute: bool) -> None:
        # Signing in withdraws a leave request: the unit came after all.
        self.leave.pop(unit_id, None)
        self.approved.discard(unit_id)
        self.present[unit_id] = {"attendee": attendee, "substitute": substitute}
