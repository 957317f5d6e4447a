"""The joint meeting's rules, as behaviours."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from domain import errors
from domain.agenda import ItemStatus
from domain.charters import DecisionRule
from domain.decisions import Outcome, Position
from domain.meetings import Meeting, MeetingStatus
from tests.unit.builders import MEETING_AT, UNITS, noticed, opened, scheduled, stamp


def test_agenda_items_can_be_added_and_withdrawn_until_notice() -> None:
    meeting = scheduled()
    meeting.withdraw_item(stamp("合并到下次"), "i2")
    assert meeting.open_items() == ["i1"]
    meeting.issue_notice(stamp(), MEETING_AT - timedelta(days=5), UNITS, extraordinary=False)
    with pytest.raises(errors.AgendaClosed):
        meeting.add_item(stamp(), "i3", "新议题")
    with pytest.raises(errors.AgendaClosed):
        meeting.withdraw_item(stamp("x"), "i1")


def test_withdrawing_an_item_needs_a_reason() -> None:
    with pytest.raises(errors.ReasonRequired):
        scheduled().withdraw_item(stamp(), "i1")


def test_notice_is_refused_when_the_charter_notice_period_cannot_be_met() -> None:
    meeting = scheduled(notice_days=3)
    with pytest.raises(errors.NoticePeriodNotMet):
        meeting.issue_notice(stamp(), MEETING_AT - timedelta(days=2), UNITS, extraordinary=False)
    assert meeting.status is MeetingStatus.SCHEDULED


def test_extraordinary_meeting_may_give_short_notice_only_with_a_reason() -> None:
    meeting = scheduled(notice_days=3)
    late = MEETING_AT - timedelta(hours=5)
    with pytest.raises(errors.ReasonRequired):
        meeting.issue_notice(stamp(), late, UNITS, extraordinary=True)
    meeting.issue_notice(stamp("汛期紧急"), late, UNITS, extraordinary=True)
    assert meeting.status is MeetingStatus.NOTICED
    assert meeting.roll.recipients == sorted(UNITS)


def test_notice_needs_an_agenda() -> None:
    meeting = scheduled()
    meeting.withdraw_item(stamp("r"), "i1")
    meeting.withdraw_item(stamp("r"), "i2")
    with pytest.raises(errors.AgendaEmpty):
        meeting.issue_notice(stamp(), MEETING_AT - timedelta(days=9), UNITS, extraordinary=False)


def test_opinions_are_accepted_only_on_solicited_items_from_notified_units() -> None:
    meeting = noticed()
    with pytest.raises(errors.OpinionsNotSolicited):
        meeting.submit_opinion(stamp(), "unit-a", "i1", "建议先摸底")
    meeting.solicit_opinions(stamp(), "i1", MEETING_AT - timedelta(days=1))
    with pytest.raises(errors.NotNotified):
        meeting.submit_opinion(stamp(), "stranger", "i1", "意见")
    meeting.submit_opinion(stamp(), "unit-a", "i1", "建议先摸底")


def test_leave_needs_a_reason_and_can_carry_written_opinions() -> None:
    meeting = noticed()
    with pytest.raises(errors.ReasonRequired):
        meeting.request_leave(stamp(), "unit-d", {})
    meeting.request_leave(stamp("外出培训"), "unit-d", {"i1": "同意加装"})
    assert meeting.roll.leave == {"unit-d": "外出培训"}
    with pytest.raises(errors.AlreadyOnLeave):
        meeting.request_leave(stamp("again"), "unit-d", {})


def test_leave_excuses_a_unit_only_once_approved() -> None:
    meeting = noticed()
    with pytest.raises(errors.NoLeaveRequested):
        meeting.decide_leave(stamp(), "unit-d", approved=True)
    meeting.request_leave(stamp("出差"), "unit-c", {})
    meeting.request_leave(stamp("培训"), "unit-d", {})
    meeting.sign_in(stamp(), "unit-a", "李书记", substitute=False)
    meeting.sign_in(stamp(), "unit-b", "张主任", substitute=False)
    assert meeting.absent_without_leave() == ["unit-c", "unit-d"], "requested, not excused"
    with pytest.raises(errors.ReasonRequired):
        meeting.decide_leave(stamp(), "unit-d", approved=False)
    meeting.decide_leave(stamp(), "unit-c", approved=True)
    meeting.decide_leave(stamp("会议需要其表态"), "unit-d", approved=False)
    assert meeting.absent_without_leave() == ["unit-d"]


def test_a_unit_on_leave_that_signs_in_withdraws_its_leave_with_a_reason() -> None:
    meeting = noticed()
    meeting.request_leave(stamp("外出"), "unit-d", {})
    meeting.decide_leave(stamp(), "unit-d", approved=True)
    with pytest.raises(errors.ReasonRequired):
        meeting.sign_in(stamp(), "unit-d", "王副书记", substitute=True)
    meeting.sign_in(stamp("行程取消，到会"), "unit-d", "王副书记", substitute=True)
    assert "unit-d" not in meeting.roll.leave
    assert meeting.roll.present["unit-d"] == {"attendee": "王副书记", "substitute": True}


def test_a_unit_signs_in_only_once_and_only_if_notified() -> None:
    meeting = noticed()
    meeting.sign_in(stamp(), "unit-a", "李书记", substitute=False)
    with pytest.raises(errors.AlreadySignedIn):
        meeting.sign_in(stamp(), "unit-a", "李书记", substitute=False)
    with pytest.raises(errors.NotNotified):
        meeting.sign_in(stamp(), "unit-z", "某人", substitute=False)


def test_opening_is_refused_below_quorum() -> None:
    meeting = noticed()
    meeting.sign_in(stamp(), "unit-a", "李书记", substitute=False)
    with pytest.raises(errors.QuorumNotMet):
        meeting.open(stamp(), MEETING_AT, "unit-a")
    meeting.sign_in(stamp(), "unit-b", "张主任", substitute=False)
    meeting.open(stamp(), MEETING_AT, "unit-a")
    assert meeting.status is MeetingStatus.OPEN


def test_a_meeting_opens_no_earlier_than_the_charters_margin() -> None:
    meeting = noticed()
    for unit in ("unit-a", "unit-b"):
        meeting.sign_in(stamp(), unit, "代表", substitute=False)
    with pytest.raises(errors.MeetingNotYetDue):
        meeting.open(stamp(), MEETING_AT - timedelta(days=4), "unit-a")
    with pytest.raises(errors.MeetingNotYetDue):
        meeting.open(stamp(), MEETING_AT - timedelta(minutes=121), "unit-a")
    meeting.open(stamp(), MEETING_AT - timedelta(minutes=120), "unit-a")  # the default margin
    assert meeting.status is MeetingStatus.OPEN


def test_opening_records_a_chair_who_signed_in() -> None:
    meeting = noticed()
    for unit in ("unit-a", "unit-b"):
        meeting.sign_in(stamp(), unit, "代表", substitute=False)
    with pytest.raises(errors.ChairRequired):
        meeting.open(stamp(), MEETING_AT, None)
    with pytest.raises(errors.ChairRequired):
        meeting.open(stamp(), MEETING_AT, "unit-c")  # notified, but not signed in
    meeting.open(stamp(), MEETING_AT, "unit-b")
    assert meeting.chair_unit_id == "unit-b"


def test_absent_without_leave_is_derived_from_notice_leave_and_sign_in() -> None:
    meeting = noticed()
    meeting.request_leave(stamp("出差"), "unit-c", {})
    meeting.decide_leave(stamp(), "unit-c", approved=True)
    meeting.sign_in(stamp(), "unit-a", "李书记", substitute=False)
    meeting.sign_in(stamp(), "unit-b", "张主任", substitute=False)
    assert meeting.absent_without_leave() == ["unit-d"]


def test_an_objection_needs_a_reason_and_only_present_units_take_positions() -> None:
    meeting = opened(present=3)
    with pytest.raises(errors.ReasonRequired):
        meeting.record_position(stamp(), "i1", "unit-a", Position.OBJECT)
    with pytest.raises(errors.NotSignedIn):
        meeting.record_position(stamp(), "i1", "unit-d", Position.AGREE)


def _positions(meeting: Meeting, *positions: Position) -> None:
    for unit, position in zip(UNITS, positions, strict=False):
        reason = "理由" if position is Position.OBJECT else None
        meeting.record_position(stamp(reason), "i1", unit, position)


def test_under_consensus_one_objection_means_not_agreed_and_no_resolution() -> None:
    meeting = opened()
    _positions(meeting, Position.AGREE, Position.AGREE, Position.OBJECT)
    assert meeting.decide_item(stamp(), "i1", uuid4()) is Outcome.NOT_AGREED
    assert meeting.items["i1"]["resolution_id"] is None
    assert meeting.items["i1"]["outcome"] == "not_agreed"


def test_under_consensus_abstentions_do_not_block_agreement() -> None:
    meeting = opened()
    _positions(meeting, Position.AGREE, Position.ABSTAIN, Position.AGREE)
    resolution_id = uuid4()
    assert meeting.decide_item(stamp(), "i1", resolution_id) is Outcome.AGREED
    assert meeting.items["i1"]["resolution_id"] == resolution_id


def test_majority_rule_needs_more_than_half_of_units_present() -> None:
    meeting = opened(DecisionRule.MAJORITY, present=4)
    _positions(meeting, Position.AGREE, Position.AGREE, Position.OBJECT, Position.ABSTAIN)
    assert meeting.decide_item(stamp(), "i1", uuid4()) is Outcome.NOT_AGREED
    meeting = opened(DecisionRule.MAJORITY, present=3)
    _positions(meeting, Position.AGREE, Position.AGREE, Position.OBJECT)
    assert meeting.decide_item(stamp(), "i1", uuid4()) is Outcome.AGREED


def test_two_thirds_rule_counts_units_present() -> None:
    meeting = opened(DecisionRule.TWO_THIRDS, present=3)
    _positions(meeting, Position.AGREE, Position.AGREE, Position.OBJECT)
    assert meeting.decide_item(stamp(), "i1", uuid4()) is Outcome.AGREED
    meeting = opened(DecisionRule.TWO_THIRDS, present=4)
    _positions(meeting, Position.AGREE, Position.AGREE, Position.OBJECT, Position.ABSTAIN)
    assert meeting.decide_item(stamp(), "i1", uuid4()) is Outcome.NOT_AGREED


def test_a_decided_item_cannot_be_decided_again() -> None:
    meeting = opened()
    _positions(meeting, Position.AGREE)
    meeting.decide_item(stamp(), "i1", uuid4())
    assert meeting.items["i1"]["status"] == ItemStatus.DECIDED.value
    with pytest.raises(errors.AgendaItemNotOpen):
        meeting.decide_item(stamp(), "i1", uuid4())


def test_minutes_are_issued_once_and_corrected_with_a_reason() -> None:
    meeting = opened()
    meeting.close(stamp())
    with pytest.raises(errors.MinutesNotIssued):
        meeting.correct_minutes(stamp("typo"), "x")
    meeting.issue_minutes(stamp(), "会议纪要正文")
    with pytest.raises(errors.MinutesAlreadyIssued):
        meeting.issue_minutes(stamp(), "改写")
    with pytest.raises(errors.ReasonRequired):
        meeting.correct_minutes(stamp(), "更正")
    meeting.correct_minutes(stamp("参会单位名称有误"), "更正后的纪要")
    assert meeting.minutes == "更正后的纪要"


def test_postponing_and_cancelling_need_reasons_and_postponing_needs_a_new_notice() -> None:
    meeting = noticed()
    with pytest.raises(errors.ReasonRequired):
        meeting.postpone(stamp(), MEETING_AT + timedelta(days=7))
    meeting.postpone(stamp("场地冲突"), MEETING_AT + timedelta(days=7))
    assert meeting.status is MeetingStatus.SCHEDULED
    assert meeting.roll.recipients == []
    with pytest.raises(errors.ReasonRequired):
        meeting.cancel(stamp())
    meeting.cancel(stamp("疫情"))
    with pytest.raises(errors.MeetingNotInState):
        meeting.sign_in(stamp(), "unit-a", "x", substitute=False)


def test_a_meeting_rebuilt_from_its_events_has_the_same_state() -> None:
    meeting = opened()
    _positions(meeting, Position.AGREE, Position.AGREE)
    meeting.decide_item(stamp(), "i1", uuid4())
    events = meeting.collect_events()
    copy = None
    for domain_event in events:
        copy = domain_event.mutate(copy)
    assert isinstance(copy, Meeting)
    assert copy.__dict__ == meeting.__dict__
