"""Resident affairs (居民事务) on four cards: intake (受理登记), assignment (交办),
result (办理结果) and the resident's feedback (结果反馈).

An affair is received from a resident, assigned to a member unit or a party member
with a deadline, handled by that assignee, who reports the result with evidence, and
closed when the resident is satisfied; a resident who is not satisfied reopens it,
and the assignee reports again. Overdue is derived from the deadline, never recorded.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from statistics import median
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.charters import LabelledEnum, labelled
from domain.evidence_files import FileRef, attached
from domain.stamp import Stamp


@labelled({"walk_in": "来访", "phone": "来电", "online": "网上", "visit": "走访", "letter": "来信"})
class AffairChannel(LabelledEnum):
    WALK_IN = "walk_in"
    PHONE = "phone"
    ONLINE = "online"
    VISIT = "visit"
    LETTER = "letter"


@labelled({"unit": "成员单位", "member": "党员"})
class AssigneeKind(LabelledEnum):
    UNIT = "unit"
    MEMBER = "member"


@labelled(
    {
        "received": "已受理",
        "assigned": "已交办",
        "reported": "已办理",
        "reopened": "重新办理",
        "closed": "已办结",
    }
)
class AffairStatus(LabelledEnum):
    RECEIVED = "received"
    ASSIGNED = "assigned"
    REPORTED = "reported"
    REOPENED = "reopened"
    CLOSED = "closed"


A = AffairStatus

CLOSED_STATUSES = frozenset({A.CLOSED})
"""An affair in one of these is settled: it changes no more and is never overdue."""
HANDLING_STATUSES = frozenset({A.ASSIGNED, A.REOPENED})
"""An affair in one of these waits for its assignee's result."""


def person_of(affair_id: UUID | str) -> str:
    """The person id the resident who brought an affair is filed under."""
    return f"affair:{affair_id}"


def is_overdue(deadline: date | None, status: str, today: date) -> bool:
    """Assigned, past its deadline and not closed (derived)."""
    return deadline is not None and today > deadline and status not in CLOSED_STATUSES


def days_to_close(received_on: date, closed_on: date) -> int:
    """Calendar days from intake to the satisfied feedback that closed it."""
    return (closed_on - received_on).days


def time_to_close(days: list[int]) -> tuple[Decimal | None, Decimal | None]:
    """(median, mean) days to close of closed affairs, to one decimal place (None, None
    when none was closed)."""
    if not days:
        return None, None
    tenth = Decimal("0.1")
    mean = Decimal(sum(days)) / Decimal(len(days))
    return Decimal(str(median(days))).quantize(tenth), mean.quantize(tenth)


class Affair(Aggregate):
    """A resident's affair, from intake to the resident's satisfied feedback."""

    TOPIC = "gongjian.Affair"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.Affair.Created"

    @event("Received", topic="gongjian.Affair.Received")
    def __init__(
        self,
        id: UUID,
        stamp: Stamp,
        resident: dict[str, Any],
        matter: str,
        channel: str,
        received_on: date,
    ) -> None:
        self.tenant_id = stamp.tenant_id
        self.channel = AffairChannel(channel)
        self.received_on = received_on
        self.status = A.RECEIVED
        self.assignee_kind: AssigneeKind | None = None
        self.assignee_id: str | None = None
        self.deadline: date | None = None

    @classmethod
    def receive(
        cls,
        stamp: Stamp,
        *,
        affair_id: UUID,
        resident_name: str,
        resident_phone: str | None,
        matter: str,
        channel: AffairChannel,
        received_on: date,
    ) -> Affair:
        """Register an affair brought by a resident (受理登记)."""
        if not resident_name.strip():
            raise errors.InvalidValue("an affair names the resident who brought it")
        if not matter.strip():
            raise errors.InvalidValue("an affair says what the resident asks for")
        resident = {"name": resident_name.strip(), "phone": resident_phone or None}
        return cls(
            id=affair_id,
            stamp=stamp,
            resident=resident,
            matter=matter.strip(),
            channel=channel.value,
            received_on=received_on,
        )

    def assign(
        self, stamp: Stamp, assignee_kind: AssigneeKind, assignee_id: str, deadline: date
    ) -> None:
        """Assign to a unit or a member with a deadline (交办); reassigning needs a reason."""
        self._check_open()
        if deadline < self.received_on:
            raise errors.InvalidValue(
                f"the deadline {deadline} is before the affair was received ({self.received_on})"
            )
        if self.assignee_id is not None:
            stamp.require_reason("reassigning an affair")
        self._assigned(stamp, assignee_kind.value, assignee_id, deadline)

    def report_result(
        self, stamp: Stamp, result: str, evidence: list[str], files: tuple[FileRef, ...] = ()
    ) -> None:
        """The assignee reports what was done, with evidence: text and uploaded files
        (办理结果)."""
        self._check_open()
        if self.status not in HANDLING_STATUSES:
            raise errors.AffairNotAssigned(
                f"the affair is {self.status.value}: a result is reported once it is "
                "assigned or reopened"
            )
        if not result.strip():
            raise errors.InvalidValue("a result says what was done")
        self._result_reported(stamp, result.strip(), [e.strip() for e in evidence], attached(files))

    def give_feedback(self, stamp: Stamp, satisfied: bool, comment: str, given_on: date) -> None:
        """The resident's feedback on the result (结果反馈): satisfied closes the affair,
        not satisfied reopens it for the assignee."""
        self._check_open()
        if self.status is not A.REPORTED:
            raise errors.ResultNotReported("feedback follows a reported result")
        if given_on < self.received_on:
            raise errors.InvalidValue("feedback cannot be given before the affair was received")
        self._feedback_given(stamp, satisfied, comment.strip(), given_on)

    def is_overdue(self, today: date) -> bool:
        """Assigned, past its deadline and not closed (derived)."""
        return is_overdue(self.deadline, self.status, today)

    def _check_open(self) -> None:
        if self.status in CLOSED_STATUSES:
            raise errors.AffairClosed(f"the affair is {self.status.value}")

    @event("Assigned", topic="gongjian.Affair.Assigned")
    def _assigned(self, stamp: Stamp, assignee_kind: str, assignee_id: str, deadline: date) -> None:
        self.assignee_kind = AssigneeKind(assignee_kind)
        self.assignee_id = assignee_id
        self.deadline = deadline
        # A reassignment after a result waits for the new assignee's own result.
        self.status = A.REOPENED if self.status is A.REOPENED else A.ASSIGNED

    class ResultReported(Aggregate.Event):
        """The assignee reported a result. Version 2 carries the uploaded files attached
        (``FileRef``s); results stored as version 1 had none."""

        TOPIC = "gongjian.Affair.ResultReported"
        class_version = 2
        stamp: Stamp
        result: str
        evidence: list[str]
        files: list[dict[str, Any]]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["files"] = []

    @event(ResultReported)
    def _result_reported(
        self, stamp: Stamp, result: str, evidence: list[str], files: list[dict[str, Any]]
    ) -> None:
        self.status = A.REPORTED

    @event("FeedbackGiven", topic="gongjian.Affair.FeedbackGiven")
    def _feedback_given(self, stamp: Stamp, satisfied: bool, comment: str, given_on: date) -> None:
        self.status = A.CLOSED if satisfied else A.REOPENED
