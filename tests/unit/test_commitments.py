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


TODAY = date(2026, 11, 22)


def test_progress_and_ratings_wait_for_publication() -> None:
    commitment = made()
    with pytest.raises(errors.CommitmentNotPublished):
        commitment.report_progress(stamp(), "q1", 50, [])
    with pytest.raises(errors.CommitmentNotPublished):
        commitment.rate(stamp(), "r1", "2026H1", 5, "", today=TODAY)
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
    commitment.rate(stamp(), "resident-1", "2026H1", 2, "不及时", today=TODAY)
    commitment.rate(stamp(), "resident-2", "2026H1", 5, "", today=TODAY)
    commitment.rate(stamp(), "resident-1", "2026H1", 4, "改进了", today=TODAY)
    commitment.rate(stamp(), "resident-1", "2026H2", 5, "", today=TODAY)
    assert commitment.satisfaction() == (3, 3)
    with pytest.raises(errors.InvalidValue):
        commitment.rate(stamp(), "resident-3", "2026H1", 6, "", today=TODAY)
    with pytest.raises(errors.InvalidValue):
        commitment.rate(stamp(), "resident-3", "next year", 3, "", today=TODAY)
    with pytest.raises(errors.InvalidValue, match="outside the years"):
        commitment.rate(stamp(), "resident-3", "0000H1", 3, "", today=TODAY)


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
    commitment.fulfil(stamp("提前完成，进度未逐项填报"))
    assert not commitment.is_lapsed(date(2027, 1, 1))


def test_fulfilment_short_of_100_percent_needs_a_reason() -> None:
    commitment = published()
    for milestone in commitment.milestones:
        commitment.report_progress(stamp(), milestone, 100, [])
    short = published()
    assert short.milestones
    with pytest.raises(errors.ReasonRequired, match="below 100%"):
        short.fulfil(stamp())
    assert short.status is CommitmentStatus.PUBLISHED
    short.fulfil(stamp("最后一项由街道统一完成"))
    commitment.fulfil(stamp())  # every milestone at 100%: no reason needed
    assert commitment.status is CommitmentStatus.FULFILLED


def test_a_fulfilled_commitment_is_rated_through_the_running_period() -> None:
    commitment = published()
    commitment.fulfil(stamp("完成"))
    commitment.rate(stamp(), "resident-1", "2026H2", 5, "", today=date(2026, 11, 22))
    with pytest.raises(errors.CommitmentClosed, match="2026H1"):
        commitment.rate(stamp(), "resident-1", "2026H1", 5, "", today=date(2026, 11, 22))
    with pytest.raises(errors.CommitmentClosed):
        commitment.rate(stamp(), "resident-2", "2026H2", 4, "", today=date(2027, 1, 2))
    assert commitment.satisfaction() == (1, 1)
