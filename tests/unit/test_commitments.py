"""Public commitments, as behaviours."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain import errors
from domain.commitments import Channel, Commitment, CommitmentStatus, MakerKind
from tests.unit.builders import stamp


def made() -> Commitment:
    return Commitment.make(
        stamp(),
        commitment_id=uuid4(),
        maker_kind=MakerKind.PARTY_MEMBER,
        maker_id="m1",
        text="每月为独居老人上门服务一次",
        category="为老服务",
        due=date(2026, 12, 31),
        milestones=[("q1", "建立台账", date(2026, 3, 31)), ("q4", "全年走访", date(2026, 12, 31))],
    )


def published() -> Commitment:
    commitment = made()
    commitment.publish(stamp(), Channel.NOTICE_BOARD, date(2026, 1, 10))
    return commitment


def test_milestones_cannot_fall_due_after_the_commitment() -> None:
    with pytest.raises(errors.InvalidValue):
        Commitment.make(
            stamp(),
            commitment_id=uuid4(),
            maker_kind=MakerKind.PARTY_MEMBER,
            maker_id="m",
            text="t",
            category="c",
            due=date(2026, 1, 1),
            milestones=[("a", "x", date(2026, 2, 1))],
        )


def test_progress_and_ratings_wait_for_publication() -> None:
    commitment = made()
    with pytest.raises(errors.CommitmentNotPublished):
        commitment.report_progress(stamp(), "q1", 50, [])
    with pytest.raises(errors.CommitmentNotPublished):
        commitment.rate(stamp(), "r1", "2026H1", 5, "")
    commitment.publish(stamp(), Channel.MEETING, date(2026, 1, 5))
    with pytest.raises(errors.AlreadyPublished):
        commitment.publish(stamp(), Channel.DOCUMENT, date(2026, 1, 6))


def test_lowering_progress_needs_a_reason() -> None:
    commitment = published()
    commitment.report_progress(stamp(), "q1", 60, ["台账.xlsx"])
    with pytest.raises(errors.ReasonRequired):
        commitment.report_progress(stamp(), "q1", 40, [])
    commitment.report_progress(stamp("重复统计已剔除"), "q1", 40, [])
    with pytest.raises(errors.UnknownMilestone):
        commitment.report_progress(stamp(), "zz", 10, [])
    with pytest.raises(errors.InvalidValue):
        commitment.report_progress(stamp(), "q1", 101, [])


def test_a_residents_later_rating_replaces_theirs_for_the_period() -> None:
    commitment = published()
    commitment.rate(stamp(), "resident-1", "2026H1", 2, "不及时")
    commitment.rate(stamp(), "resident-2", "2026H1", 5, "")
    commitment.rate(stamp(), "resident-1", "2026H1", 4, "改进了")
    commitment.rate(stamp(), "resident-1", "2026H2", 5, "")
    assert commitment.satisfaction() == (3, 3)
    with pytest.raises(errors.InvalidValue):
        commitment.rate(stamp(), "resident-3", "2026H1", 6, "")
    with pytest.raises(errors.InvalidValue):
        commitment.rate(stamp(), "resident-3", "next year", 3, "")


def test_withdrawal_needs_a_reason_and_closes_the_commitment() -> None:
    commitment = published()
    with pytest.raises(errors.ReasonRequired):
        commitment.withdraw(stamp())
    commitment.withdraw(stamp("岗位调整"))
    assert commitment.status is CommitmentStatus.WITHDRAWN
    with pytest.raises(errors.CommitmentClosed):
        commitment.fulfil(stamp())


def test_lapse_is_derived_from_the_due_date() -> None:
    commitment = published()
    assert not commitment.is_lapsed(date(2026, 12, 31))
    assert commitment.is_lapsed(date(2027, 1, 1))
    commitment.fulfil(stamp())
    assert not commitment.is_lapsed(date(2027, 1, 1))
