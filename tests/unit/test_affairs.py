"""Resident affairs: the rules of the four cards, without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from domain import errors
from domain.affairs import Affair, AffairChannel, AffairStatus, AssigneeKind, time_to_close
from domain.stamp import Actor, Stamp

ACTOR = Actor("sec", "community_secretary")


def stamp(reason: str | None = None) -> Stamp:
    return Stamp("t1", ACTOR, reason=reason)


def received() -> Affair:
    return Affair.receive(stamp(), affair_id=uuid4(), resident_name=" 李娜 ",
                          resident_phone=None, matter="楼道灯不亮", channel=AffairChannel.PHONE,
                          received_on=date(2026, 3, 2))  # fmt: skip


def test_an_affair_without_a_resident_or_matter_is_refused() -> None:
    with pytest.raises(errors.InvalidValue):
        Affair.receive(stamp(), affair_id=uuid4(), resident_name=" ", resident_phone=None,
                       matter="x", channel=AffairChannel.VISIT, received_on=date(2026, 1, 1))  # fmt: skip


def test_not_satisfied_reopens_and_satisfied_closes_for_good() -> None:
    affair = received()
    affair.assign(stamp(), AssigneeKind.UNIT, "u1", date(2026, 3, 10))
    affair.report_result(stamp(), "已修", [])
    affair.give_feedback(stamp(), False, "又坏了", date(2026, 3, 5))
    assert affair.status is AffairStatus.REOPENED
    with pytest.raises(errors.ResultNotReported):
        affair.give_feedback(stamp(), True, "", date(2026, 3, 6))
    affair.report_result(stamp(), "换线路", ["单据"])
    affair.give_feedback(stamp(), True, "", date(2026, 3, 8))
    assert affair.status.value == "closed"
    with pytest.raises(errors.AffairClosed):
        affair.assign(stamp("再派"), AssigneeKind.UNIT, "u2", date(2026, 3, 20))


def test_reassigning_needs_a_reason_and_keeps_a_reopened_affair_reopened() -> None:
    affair = received()
    affair.assign(stamp(), AssigneeKind.UNIT, "u1", date(2026, 3, 10))
    affair.report_result(stamp(), "已修", [])
    affair.give_feedback(stamp(), False, "", date(2026, 3, 5))
    with pytest.raises(errors.ReasonRequired):
        affair.assign(stamp(), AssigneeKind.MEMBER, "m1", date(2026, 3, 20))
    affair.assign(stamp("换人办理"), AssigneeKind.MEMBER, "m1", date(2026, 3, 20))
    assert (affair.status, affair.assignee_id) == (AffairStatus.REOPENED, "m1")


def test_overdue_is_past_the_deadline_and_not_closed() -> None:
    affair = received()
    assert not affair.is_overdue(date(2030, 1, 1))  # no deadline yet
    affair.assign(stamp(), AssigneeKind.UNIT, "u1", date(2026, 3, 10))
    assert not affair.is_overdue(date(2026, 3, 10))
    assert affair.is_overdue(date(2026, 3, 11))


def test_time_to_close_is_the_median_and_mean_in_days() -> None:
    assert time_to_close([]) == (None, None)
    assert time_to_close([1, 2, 9]) == (Decimal("2.0"), Decimal("4.0"))
