"""Resolutions adopted by a meeting and the follow-up of their execution."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.charters import LabelledEnum, labelled
from domain.evidence_files import FileRef, attached
from domain.stamp import Stamp


@labelled(
    {
        "adopted": "已通过",
        "in_progress": "落实中",
        "completed": "待核验",
        "verified": "已核验",
        "superseded": "已被取代",
    }
)
class ResolutionStatus(LabelledEnum):
    ADOPTED = "adopted"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    VERIFIED = "verified"
    SUPERSEDED = "superseded"


@labelled({"progress": "进展", "completed": "已完成"})
class ReportKind(LabelledEnum):
    PROGRESS = "progress"
    COMPLETED = "completed"


R = ResolutionStatus

CLOSED_STATUSES = frozenset({R.VERIFIED, R.SUPERSEDED})
"""A resolution in one of these takes no more reports and is never overdue."""


def is_overdue(deadline: date, status: str, today: date) -> bool:
    """Past its deadline and neither verified nor superseded (derived, never stored)."""
    return today > deadline and status not in CLOSED_STATUSES


class Resolution(Aggregate):
    """A decision with responsible units, an action and a deadline."""

    TOPIC = "gongjian.Resolution"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.Resolution.Created"

    @event("Adopted", topic="gongjian.Resolution.Adopted")
    def __init__(
        self,
        id: UUID,
        stamp: Stamp,
        meeting_id: UUID,
        item_id: str,
        title: str,
        action: str,
        responsible_unit_ids: list[str],
        deadline: date,
    ) -> None:
        self.tenant_id = stamp.tenant_id
        self.meeting_id = meeting_id
        self.item_id = item_id
        self.title = title
        self.action = action
        self.responsible = list(responsible_unit_ids)
        self.deadline = deadline
        self.status = R.ADOPTED
        self.notified: list[str] = []
        self.completed_by: set[str] = set()
        self.superseded_by: UUID | None = None

    @classmethod
    def adopt(
        cls,
        stamp: Stamp,
        *,
        resolution_id: UUID,
        meeting_id: UUID,
        item_id: str,
        title: str,
        action: str,
        responsible_unit_ids: list[str],
        deadline: date,
        meeting_day: date,
    ) -> Resolution:
        """Adopt a resolution for an agreed agenda item; its deadline is on or after
        the day of its meeting (``meeting_day``, in the tenant's zone)."""
        if deadline < meeting_day:
            raise errors.InvalidValue(
                f"the deadline {deadline} falls before the meeting on {meeting_day}"
            )
        if not action.strip():
            raise errors.InvalidValue("a resolution needs an action")
        if not responsible_unit_ids:
            raise errors.InvalidValue("a resolution names at least one responsible unit")
        return cls(
            id=resolution_id,
            stamp=stamp,
            meeting_id=meeting_id,
            item_id=item_id,
            title=title,
            action=action.strip(),
            responsible_unit_ids=sorted(set(responsible_unit_ids)),
            deadline=deadline,
        )

    def notify(self, stamp: Stamp, unit_ids: list[str]) -> None:
        """Record the written notification of the resolution to units."""
        self._check_open()
        if not unit_ids:
            raise errors.InvalidValue("notify at least one unit")
        self._notified(stamp, sorted(set(unit_ids)))

    def report_execution(
        self,
        stamp: Stamp,
        unit_id: str,
        kind: ReportKind,
        note: str,
        evidence: list[str],
        files: tuple[FileRef, ...] = (),
    ) -> None:
        """A responsible unit reports progress or completion, with evidence (text and
        uploaded files), once the resolution was notified to it."""
        self._check_open()
        if unit_id not in self.responsible:
            raise errors.NotResponsible(f"unit {unit_id} is not responsible for this resolution")
        if unit_id not in self.notified:
            raise errors.ResolutionNotNotified(
                f"the resolution has not been notified to unit {unit_id}: notify it first"
            )
        if not note.strip():
            raise errors.InvalidValue("an execution report needs a note")
        self._execution_reported(
            stamp, unit_id, kind.value, note.strip(), evidence, attached(files)
        )

    def verify(self, stamp: Stamp) -> None:
        """The convener verifies completion by every responsible unit."""
        self._check_open()
        missing = [u for u in self.responsible if u not in self.completed_by]
        if missing:
            raise errors.ExecutionIncomplete(f"not yet completed by: {', '.join(missing)}")
        self._verified(stamp)

    def return_report(self, stamp: Stamp, unit_id: str) -> None:
        """Send a unit's completion back for more work, with a reason."""
        self._check_open()
        if unit_id not in self.completed_by:
            raise errors.NothingToReturn(f"unit {unit_id} has not reported completion")
        stamp.require_reason("returning an execution report")
        self._returned(stamp, unit_id)

    def supersede(self, stamp: Stamp, by_resolution_id: UUID) -> None:
        """A later meeting's resolution replaces this one; the reason is required."""
        self._check_open()
        stamp.require_reason("superseding a resolution")
        self._superseded(stamp, by_resolution_id)

    def is_overdue(self, today: date) -> bool:
        """Past its deadline and not yet verified (derived, never stored)."""
        return is_overdue(self.deadline, self.status, today)

    def _check_open(self) -> None:
        if self.status in CLOSED_STATUSES:
            raise errors.ResolutionClosed(f"resolution is {self.status.value}")

    @event("Notified", topic="gongjian.Resolution.Notified")
    def _notified(self, stamp: Stamp, unit_ids: list[str]) -> None:
        self.notified = sorted(set(self.notified) | set(unit_ids))

    class ExecutionReported(Aggregate.Event):
        """A unit reported on the resolution. Version 2 carries the uploaded files
        attached (``FileRef``s); reports stored as version 1 had none."""

        TOPIC = "gongjian.Resolution.ExecutionReported"
        class_version = 2
        stamp: Stamp
        unit_id: str
        kind: str
        note: str
        evidence: list[str]
        files: list[dict[str, Any]]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["files"] = []

    @event(ExecutionReported)
    def _execution_reported(
        self,
        stamp: Stamp,
        unit_id: str,
        kind: str,
        note: str,
        evidence: list[str],
        files: list[dict[str, Any]],
    ) -> None:
        if kind == ReportKind.COMPLETED.value:
            self.completed_by.add(unit_id)
        self.status = R.COMPLETED if set(self.responsible) <= self.completed_by else R.IN_PROGRESS

    @event("Verified", topic="gongjian.Resolution.Verified")
    def _verified(self, stamp: Stamp) -> None:
        self.status = R.VERIFIED

    @event("Returned", topic="gongjian.Resolution.Returned")
    def _returned(self, stamp: Stamp, unit_id: str) -> None:
        self.completed_by.discard(unit_id)
        self.status = R.IN_PROGRESS

    @event("Superseded", topic="gongjian.Resolution.Superseded")
    def _superseded(self, stamp: Stamp, by_resolution_id: UUID) -> None:
        self.superseded_by = by_resolution_id
        self.status = R.SUPERSEDED
