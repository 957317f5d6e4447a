"""Builders for domain objects in their usual states (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from domain.charters import Charter, DecisionRule
from domain.meetings import Meeting, MeetingKind
from domain.stamp import Actor, Stamp

SECRETARY = Actor(user_id="u-secretary", role="community_secretary")
MEETING_AT = datetime(2025, 3, 20, 9, 0, tzinfo=UTC)
UNITS = ["unit-a", "unit-b", "unit-c", "unit-d"]


def stamp(reason: str | None = None) -> Stamp:
    return Stamp(tenant_id="fenglin", actor=SECRETARY, reason=reason)


def scheduled(rule: DecisionRule = DecisionRule.CONSENSUS, notice_days: int = 3) -> Meeting:
    meeting = Meeting.schedule(
        stamp(),
        meeting_id=uuid4(),
        kind=MeetingKind.REGULAR,
        title="第一季度联席会议",
        scheduled_for=MEETING_AT,
        location="社区会议室",
        charter=Charter(notice_days=notice_days, decision_rule=rule),
    )
    meeting.add_item(stamp(), "i1", "老旧小区加装电梯")
    meeting.add_item(stamp(), "i2", "垃圾分类督导")
    return meeting


def noticed(rule: DecisionRule = DecisionRule.CONSENSUS) -> Meeting:
    meeting = scheduled(rule)
    meeting.issue_notice(stamp(), MEETING_AT - timedelta(days=7), UNITS, extraordinary=False)
    return meeting


def opened(rule: DecisionRule = DecisionRule.CONSENSUS, present: int = 3) -> Meeting:
    meeting = noticed(rule)
    for unit in UNITS[:present]:
        meeting.sign_in(stamp(), unit, f"{unit} 代表", substitute=False)
    meeting.open(stamp(), MEETING_AT, UNITS[0])
    return meeting
