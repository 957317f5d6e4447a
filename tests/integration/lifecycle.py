"""A street's year in which every command is sent once, through the pipeline.

The steps are fixed; their free values (texts, the moment the year starts, the
time zone it is written in) come from a ``Values`` source. ``Values`` gives plain
defaults; a Hypothesis-backed source draws them, so a property test can send the
whole life of a street with edge-of-range content.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from unittest import mock
from uuid import UUID, uuid4

from domain.charters import local_date
from tenants.commands import cross_tenant
from tenants.demo.evidence import sign_in_sheet, site_photo
from tenants.messages import COMMANDS
from tenants.pipeline.identity import SYSTEM, Principal, Role

Send = Callable[[Principal, str, str | None, dict[str, Any]], dict[str, Any]]


class Values:
    """Plain values: a street's year from 1 September 2025, written in Beijing time."""

    def __init__(self) -> None:
        self.start = datetime(2025, 9, 1, 9, tzinfo=timezone(timedelta(hours=8)))

    def text(self, default: str, kind: str = "text") -> str:
        """Free text of ``kind``: name (one line), file (a file name), text, long
        (minutes), reason or optional."""
        return default

    def moment(self, days: float) -> str:
        """The start moved by ``days``, in the start's time zone."""
        return (self.start + timedelta(days=days)).isoformat()

    def day(self, days: int) -> str:
        """The start's calendar date moved by ``days``."""
        return (self.start + timedelta(days=days)).date().isoformat()

    @property
    def year(self) -> int:
        return self.start.year


@dataclass
class Lifecycle:
    """Runs the steps; ``sent`` lists (command, tenant, answer) in order."""

    send: Send
    v: Values
    tag: str = field(default_factory=lambda: uuid4().hex[:8])
    sent: list[tuple[str, str | None, dict[str, Any]]] = field(default_factory=list)

    def run(self, who: Principal, command: str, tenant: str | None, **body: Any) -> dict[str, Any]:
        answer = self.send(who, command, tenant, body)
        self.sent.append((command, tenant, answer))
        return answer

    def upload(self, who: Principal, tenant: str, name: str, content: bytes, days: float) -> str:
        """Upload an evidence file; its SHA-256, to attach."""
        media_type = "application/pdf" if content.startswith(b"%PDF") else "image/png"
        answer = self.run(who, "upload_evidence_file", tenant, name=self.v.text(name, "file"),
                          media_type=media_type, content=content,
                          occurred_at=self.v.moment(days))  # fmt: skip
        return str(answer["sha256"])

    def tenants(self) -> list[str]:
        return [f"s-{self.tag}", f"a-{self.tag}", f"b-{self.tag}"]

    def play(self) -> None:
        """Every command, in an order the domain accepts."""
        v, street, a, b = self.v, *self.tenants()
        boss = Principal("boss", Role.STREET_ADMIN, street)
        sec = Principal("sec", Role.COMMUNITY_SECRETARY, a)
        at = {"occurred_at": v.moment(-30)}
        self.run(SYSTEM, "register_tenant", None, tenant_id=street, kind="street",
                 name=v.text("枫林街道", "name"), **at)  # fmt: skip
        for community in (a, b):
            self.run(boss, "register_tenant", None, tenant_id=community, kind="community",
                     parent_id=street, name=v.text("第一社区", "name"), **at)  # fmt: skip
        units = [self.run(sec, "join_unit", a, name=v.text(f"单位{n}", "name"), kind="enterprise",
                          **at)["record_id"] for n in range(3)]  # fmt: skip
        u1, _, u3 = units
        for command in ("appoint_representative", "appoint_liaison"):
            self.run(sec, command, a, unit_id=u1, name=v.text("王芳", "name"),
                     phone="+86 (21) 5555-0101", **at)  # fmt: skip
        liaison = Principal("liaison", Role.UNIT_LIAISON, a, unit_id=u1)
        meeting, later = self._meetings(sec, liaison, a, units)
        self._plenary(sec, a, units)
        self._resolutions(sec, liaison, a, meeting, later, u1)
        self._commitments(sec, a, u1)
        self._members(sec, a, b)
        self.run(sec, "leave_unit", a, unit_id=u3, reason=v.text("单位搬迁", "reason"),
                 occurred_at=v.moment(200))  # fmt: skip
        evaluation = self._evaluation(boss, sec, street, a)
        self._commendations(boss, sec, street, a, evaluation, u1)
        self._upward_report(boss, sec, street, a)
        self._webhooks(sec, a)
        self._agreements(sec, a, u1)
        self._affairs(sec, a, u1)
        feed = self.run(liaison, "issue_calendar_feed", a, unit_id=u1, occurred_at=v.moment(1))
        self.run(sec, "revoke_calendar_feed", a, feed_id=feed["feed_id"],
                 reason=v.text("链接外泄", "reason"), occurred_at=v.moment(2))  # fmt: skip
        token = self.run(SYSTEM, "issue_token", a, role="auditor", user_id="auditor-1",
                         occurred_at=v.moment(1))  # fmt: skip
        self.run(SYSTEM, "revoke_token", a, token_id=token["token_id"],
                 reason=v.text("人员调整", "reason"), occurred_at=v.moment(2))  # fmt: skip

    def _meetings(
        self, sec: Principal, liaison: Principal, a: str, units: list[str]
    ) -> tuple[str, str]:
        v = self.v
        u1, u2, u3 = units
        meeting = self.run(sec, "schedule_meeting", a, kind="regular",
                           title=v.text("第三季度联席会议", "name"), scheduled_for=v.moment(0),
                           location=v.text("社区党群服务中心", "name"),
                           occurred_at=v.moment(-20))["record_id"]  # fmt: skip
        for item in ("i1", "i2", "i3"):
            self.run(sec, "add_agenda_item", a, meeting_id=meeting, item_id=item,
                     title=v.text("加装电梯", "name"), occurred_at=v.moment(-19))  # fmt: skip
        self.run(sec, "withdraw_agenda_item", a, meeting_id=meeting, item_id="i3",
                 reason=v.text("条件不成熟", "reason"), occurred_at=v.moment(-18))  # fmt: skip
        self.run(sec, "issue_notice", a, meeting_id=meeting, issued_at=v.moment(-10))
        self.run(sec, "solicit_opinions", a, meeting_id=meeting, item_id="i1",
                 due=v.moment(-2), occurred_at=v.moment(-9))  # fmt: skip
        self.run(liaison, "submit_opinion", a, meeting_id=meeting, item_id="i1", unit_id=u1,
                 text=v.text("同意，建议分批实施"), occurred_at=v.moment(-3))  # fmt: skip
        self.run(sec, "request_leave", a, meeting_id=meeting, unit_id=u3,
                 opinions={"i1": v.text("同意")}, reason=v.text("外出培训", "reason"),
                 occurred_at=v.moment(-1))  # fmt: skip
        self.run(sec, "decide_leave", a, meeting_id=meeting, unit_id=u3, approved=True,
                 occurred_at=v.moment(-0.5))  # fmt: skip
        self.run(liaison, "sign_in", a, meeting_id=meeting, unit_id=u1,
                 attendee=v.text("王芳", "name"), occurred_at=v.moment(-0.01))  # fmt: skip
        self.run(sec, "sign_in", a, meeting_id=meeting, unit_id=u2, substitute=True,
                 attendee=v.text("李强", "name"), occurred_at=v.moment(-0.01))  # fmt: skip
        self.run(sec, "open_meeting", a, meeting_id=meeting, chair_unit_id=u1,
                 occurred_at=v.moment(0))  # fmt: skip
        for item in ("i1", "i2"):
            for unit in (u1, u2):
                self.run(sec, "record_position", a, meeting_id=meeting, item_id=item,
                         unit_id=unit, position="agree", occurred_at=v.moment(0.02))  # fmt: skip
        for item in ("i1", "i2"):
            self.run(sec, "decide_item", a, meeting_id=meeting, item_id=item,
                     action=v.text("由物业公司牵头实施"), responsible_unit_ids=[u1],
                     deadline=v.day(90), occurred_at=v.moment(0.05))  # fmt: skip
        self.run(sec, "close_meeting", a, meeting_id=meeting, occurred_at=v.moment(0.1))
        self.run(sec, "issue_minutes", a, meeting_id=meeting,
                 text=v.text("会议纪要：\n一、加装电梯。", "long"),
                 occurred_at=v.moment(1))  # fmt: skip
        self.run(sec, "correct_minutes", a, meeting_id=meeting, text=v.text("更正后的纪要", "long"),
                 reason=v.text("笔误", "reason"), occurred_at=v.moment(2))  # fmt: skip
        self.run(liaison, "acknowledge_minutes", a, meeting_id=meeting, unit_id=units[0],
                 occurred_at=v.moment(2.5))  # fmt: skip
        later = self.run(sec, "schedule_meeting", a, kind="thematic",
                         title=v.text("专题会议", "name"), scheduled_for=v.moment(30),
                         location=v.text("会议室", "name"),
                         occurred_at=v.moment(3))["record_id"]  # fmt: skip
        self.run(sec, "add_agenda_item", a, meeting_id=later, item_id="j1",
                 title=v.text("调整方案", "name"), occurred_at=v.moment(4))  # fmt: skip
        self.run(sec, "issue_notice", a, meeting_id=later, issued_at=v.moment(20))
        # A thematic meeting: the units' liaisons attend, or named substitutes.
        for unit in (u1, u2):
            self.run(sec, "sign_in", a, meeting_id=later, unit_id=unit, substitute=True,
                     attendee=v.text("代表", "name"), occurred_at=v.moment(29.99))  # fmt: skip
        self.run(sec, "open_meeting", a, meeting_id=later, chair_unit_id=u2,
                 occurred_at=v.moment(30))  # fmt: skip
        for unit in (u1, u2):
            self.run(sec, "record_position", a, meeting_id=later, item_id="j1", unit_id=unit,
                     position="agree", occurred_at=v.moment(30.02))  # fmt: skip
        self.run(sec, "decide_item", a, meeting_id=later, item_id="j1",
                 action=v.text("按新方案实施"), responsible_unit_ids=[u1], deadline=v.day(120),
                 occurred_at=v.moment(30.05))  # fmt: skip
        spare = self.run(sec, "schedule_meeting", a, kind="regular",
                         title=v.text("备用会议", "name"), scheduled_for=v.moment(60),
                         location=v.text("会议室", "name"),
                         occurred_at=v.moment(31))["record_id"]  # fmt: skip
        self.run(sec, "postpone_meeting", a, meeting_id=spare, scheduled_for=v.moment(70),
                 reason=v.text("与区里会议冲突", "reason"), occurred_at=v.moment(32))  # fmt: skip
        self.run(sec, "cancel_meeting", a, meeting_id=spare, reason=v.text("议题已在专题会解决", "reason"),
                 occurred_at=v.moment(33))  # fmt: skip
        return meeting, later

    def _plenary(self, sec: Principal, a: str, units: list[str]) -> None:
        """A plenary confirms the council, adopts a work plan and amends the charter."""
        v = self.v
        u1, u2, _ = units
        plenary = self.run(sec, "schedule_meeting", a, kind="plenary",
                           title=v.text("全体会议", "name"), scheduled_for=v.moment(50),
                           location=v.text("会议室", "name"),
                           occurred_at=v.moment(34))["record_id"]  # fmt: skip
        items = ("council", "plan", "charter")
        for item in items:
            self.run(sec, "add_agenda_item", a, meeting_id=plenary, item_id=item,
                     title=v.text("全体会议议题", "name"), occurred_at=v.moment(34))  # fmt: skip
        self.run(sec, "issue_notice", a, meeting_id=plenary, issued_at=v.moment(40))
        for unit in (u1, u2):
            self.run(sec, "sign_in", a, meeting_id=plenary, unit_id=unit,
                     attendee=v.text("主要负责人", "name"), occurred_at=v.moment(49.99))  # fmt: skip
        self.run(sec, "open_meeting", a, meeting_id=plenary, chair_unit_id=u1,
                 occurred_at=v.moment(50))  # fmt: skip
        adopted = {}
        for item in items:
            for unit in (u1, u2):
                self.run(sec, "record_position", a, meeting_id=plenary, item_id=item,
                         unit_id=unit, position="agree", occurred_at=v.moment(50.02))  # fmt: skip
            adopted[item] = self.run(sec, "decide_item", a, meeting_id=plenary, item_id=item,
                                     action=v.text("按决议执行"), responsible_unit_ids=[u1],
                                     deadline=v.day(60),
                                     occurred_at=v.moment(50.05))["resolution_id"]  # fmt: skip
        self.run(sec, "confirm_council", a, resolution_id=adopted["council"], chair_unit_id=u1,
                 vice_chair_unit_ids=[u2], occurred_at=v.moment(50.1))  # fmt: skip
        self.run(sec, "adopt_work_document", a, kind="work_plan", period=f"{v.year}",
                 title=v.text("年度工作计划", "name"), resolution_id=adopted["plan"],
                 items=[{"id": "1", "text": v.text("每季度召开联席会议"), "responsible_unit_id": u1,
                         "due": v.day(120)}], occurred_at=v.moment(50.1))  # fmt: skip
        self.run(sec, "amend_charter", a, charter={"notice_days": 3, "quorum": "0.5"},
                 resolution_id=adopted["charter"], reason=v.text("按章程修订", "reason"),
                 occurred_at=v.moment(50.1))  # fmt: skip
        self.run(sec, "close_meeting", a, meeting_id=plenary, occurred_at=v.moment(50.2))

    def _resolutions(
        self, sec: Principal, liaison: Principal, a: str, meeting: str, later: str, u1: str
    ) -> None:
        v = self.v
        adopted = [answer["resolution_id"] for command, _, answer in self.sent
                   if command == "decide_item"]  # fmt: skip
        first, second, newest = adopted[:3]
        self.run(sec, "notify_resolution", a, resolution_id=first, occurred_at=v.moment(1))
        photo = self.upload(liaison, a, "选址现场.png", site_photo(), 4)
        report = {"resolution_id": first, "unit_id": u1, "kind": "progress",
                  "note": v.text("已完成选址"), "evidence": [v.text("照片1.jpg", "name")],
                  "files": [photo]}  # fmt: skip
        self.run(liaison, "report_execution", a, **report, occurred_at=v.moment(5))
        done = {**report, "kind": "completed"}
        self.run(liaison, "report_execution", a, **done, occurred_at=v.moment(6))
        self.run(sec, "return_report", a, resolution_id=first, unit_id=u1,
                 reason=v.text("缺少照片", "reason"), occurred_at=v.moment(6.5))  # fmt: skip
        self.run(liaison, "report_execution", a, **done, occurred_at=v.moment(7))
        self.run(sec, "verify_resolution", a, resolution_id=first, occurred_at=v.moment(8))
        self.run(sec, "supersede_resolution", a, resolution_id=second, by_resolution_id=newest,
                 reason=v.text("方案调整", "reason"), occurred_at=v.moment(31))  # fmt: skip

    def _commitments(self, sec: Principal, a: str, u1: str) -> None:
        v = self.v
        made = self.run(sec, "make_commitment", a, maker_kind="unit_party_organisation",
                        maker_id=u1, text=v.text("每月开展一次义诊"),
                        category=v.text("为民服务", "name"), due=v.day(120),
                        milestones=[{"id": "m1", "title": v.text("首次义诊", "name"),
                                     "due": v.day(30)}],
                        occurred_at=v.moment(1))["record_id"]  # fmt: skip
        self.run(sec, "publish_commitment", a, commitment_id=made, channel="notice_board",
                 published_on=v.day(2), occurred_at=v.moment(2))  # fmt: skip
        record = self.upload(sec, a, "义诊签到表.pdf", sign_in_sheet("义诊签到表", ["张伟"]), 19)
        self.run(sec, "report_progress", a, commitment_id=made, milestone_id="m1", percent=100,
                 evidence=[v.text("义诊记录.pdf", "name")], files=[record],
                 occurred_at=v.moment(20))  # fmt: skip
        resident = Principal("resident-1", Role.RESIDENT, a)
        self.run(resident, "rate_commitment", a, commitment_id=made, resident_id="resident-1",
                 period=f"{v.year}", rating=5, comment=v.text("很好", "optional"),
                 occurred_at=v.moment(21))  # fmt: skip
        self.run(sec, "fulfil_commitment", a, commitment_id=made, occurred_at=v.moment(40))
        other = self.run(sec, "make_commitment", a, maker_kind="community_party_organisation", maker_id=a,
                         text=v.text("建设口袋公园"), category=v.text("环境", "name"),
                         due=v.day(200), occurred_at=v.moment(3))["record_id"]  # fmt: skip
        self.run(sec, "withdraw_commitment", a, commitment_id=other,
                 reason=v.text("用地未落实", "reason"), occurred_at=v.moment(4))  # fmt: skip

    def _affairs(self, sec: Principal, a: str, u1: str) -> None:
        v = self.v
        affair = self.run(sec, "receive_affair", a, resident_name=v.text("李娜", "name"),
                          resident_phone="138 0000 0001", matter=v.text("楼道灯不亮"),
                          channel="phone", occurred_at=v.moment(5))["record_id"]  # fmt: skip
        self.run(sec, "assign_affair", a, affair_id=affair, assignee_kind="unit",
                 assignee_id=u1, deadline=v.day(15), occurred_at=v.moment(6))  # fmt: skip
        liaison = Principal("liaison", Role.UNIT_LIAISON, a, unit_id=u1)
        photo = self.upload(liaison, a, "维修后.png", site_photo(8, 8), 7.5)
        self.run(liaison, "report_affair_result", a, affair_id=affair,
                 result=v.text("已更换灯泡"), evidence=[v.text("照片.jpg", "name")],
                 files=[photo], occurred_at=v.moment(8))  # fmt: skip
        self.run(sec, "give_affair_feedback", a, affair_id=affair, satisfied=True,
                 comment=v.text("满意", "optional"), occurred_at=v.moment(9))  # fmt: skip

    def _members(self, sec: Principal, a: str, b: str) -> None:
        v = self.v
        member = self.run(sec, "register_member", a, name=v.text("张伟", "name"),
                          member_class="in_service", work_unit=v.text("区卫生院", "name"),
                          occurred_at=v.moment(1))["record_id"]  # fmt: skip
        me = Principal("member-1", Role.PARTY_MEMBER, a, member_id=UUID(member))
        self.run(me, "report_residence", a, member_id=member, reported_on=v.day(3),
                 occurred_at=v.moment(3))  # fmt: skip
        posts = [self.run(sec, "define_post", a, title=v.text(title, "name"), category=category,
                          capacity=5, description=v.text("每周一次", "optional"),
                          occurred_at=v.moment(1))["record_id"]
                 for title, category in (("政策宣讲", "publicity_education"),
                                         ("环境整治", "environment"))]  # fmt: skip
        self.run(me, "claim_post", a, member_id=member, post_id=posts[0], occurred_at=v.moment(4))
        # Service is logged for a day that has come (in Beijing, the tenants' zone).
        served = min(date.fromisoformat(v.day(5)), local_date(datetime.now(UTC))).isoformat()
        logged = self.run(me, "log_service", a, member_id=member, post_id=posts[0],
                          served_on=served, hours="23.75", what=v.text("入户宣讲"),
                          occurred_at=v.moment(5))  # fmt: skip
        self.run(sec, "review_service_log", a, member_id=member, log_id=logged["log_id"],
                 confirmed=True, occurred_at=v.moment(6))  # fmt: skip
        self.run(me, "release_post", a, member_id=member, post_id=posts[0],
                 occurred_at=v.moment(7))  # fmt: skip
        self.run(sec, "hold_activity", a, title=v.text("主题党日", "name"), held_on=v.day(8),
                 participant_ids=[member], occurred_at=v.moment(8))  # fmt: skip
        self.run(sec, "review_year", a, member_id=member, year=min(max(v.year, 2000), 2100),
                 rating="excellent", feedback=v.text("表现突出"),
                 occurred_at=v.moment(9))  # fmt: skip
        self.run(sec, "retire_post", a, post_id=posts[1], reason=v.text("岗位合并", "reason"),
                 occurred_at=v.moment(10))  # fmt: skip
        self.run(sec, "change_class", a, member_id=member, member_class="retired",
                 reason=v.text("退休", "reason"), occurred_at=v.moment(10.5))  # fmt: skip
        self.run(sec, "transfer_member", a, member_id=member, to_tenant_id=b,
                 reason=v.text("迁居", "reason"), occurred_at=v.moment(11))  # fmt: skip
        # A transfer whose receiving side fails stays pending until resumed.
        moving = self.run(sec, "register_member", a, name=v.text("赵敏", "name"),
                          member_class="floating", occurred_at=v.moment(12))["record_id"]  # fmt: skip
        failing = mock.patch.object(cross_tenant, "received_member_id", _receiving_side_fails)
        with failing, contextlib.suppress(ConnectionError):
            self.send(sec, "transfer_member", a,
                      {"member_id": moving, "to_tenant_id": b, "reason": v.text("迁居", "reason")})  # fmt: skip
        self.run(sec, "resume_transfer", a, member_id=moving, occurred_at=v.moment(13))

    def _evaluation(self, boss: Principal, sec: Principal, street: str, a: str) -> str:
        v = self.v
        structure = {"total": "100", "categories": [
            {"id": "c1", "label_zh": v.text("组织建设", "name"), "weight": "100",
             "items": [{"id": "t1", "label_zh": v.text("班子建设", "name"), "max_points": "100"}]}
        ]}  # fmt: skip
        rubric = self.run(boss, "draft_rubric", street, name=v.text("考评细则", "name"),
                          structure=structure, occurred_at=v.moment(100))["record_id"]  # fmt: skip
        self.run(boss, "revise_rubric", street, rubric_id=rubric, structure=structure,
                 reason=v.text("调整", "reason"), occurred_at=v.moment(101))  # fmt: skip
        self.run(boss, "publish_rubric", street, rubric_id=rubric, revision=2,
                 occurred_at=v.moment(102))  # fmt: skip
        opened = self.run(boss, "open_evaluation", street, subject_kind="community",
                          subject_id=a, period=f"{v.year}H2", rubric_id=rubric, revision=2,
                          sources=[{"id": "s", "label": v.text("街道检查", "name"), "weight": "1"}],
                          occurred_at=v.moment(103))["record_id"]  # fmt: skip
        self.run(boss, "score_item", street, evaluation_id=opened, item_id="t1", source_id="s",
                 points="88.5", evidence=v.text("现场检查", "optional"),
                 occurred_at=v.moment(104))  # fmt: skip
        self.run(boss, "finalise_evaluation", street, evaluation_id=opened,
                 occurred_at=v.moment(105))  # fmt: skip
        self.run(sec, "appeal_evaluation", street, evaluation_id=opened,
                 reason=v.text("评分依据不足", "reason"), occurred_at=v.moment(106))  # fmt: skip
        self.run(boss, "resolve_appeal", street, evaluation_id=opened, outcome="upheld",
                 reason=v.text("依据充分", "reason"), occurred_at=v.moment(107))  # fmt: skip
        self.run(boss, "require_rectification", street, evaluation_id=opened,
                 rectification_id="r1", problem=v.text("台账不全"),
                 responsible=v.text("社区书记", "name"), deadline=v.day(150),
                 occurred_at=v.moment(108))  # fmt: skip
        # The community reports it done; the street returns it once, then verifies it.
        self.run(sec, "report_rectification", street, evaluation_id=opened,
                 rectification_id="r1", evidence=v.text("整改报告"),
                 occurred_at=v.moment(130))  # fmt: skip
        self.run(boss, "return_rectification", street, evaluation_id=opened,
                 rectification_id="r1", reason=v.text("缺附件", "reason"),
                 occurred_at=v.moment(132))  # fmt: skip
        # The community uploads its report's attachment to the street, whose log holds it.
        report = self.upload(sec, street, "整改报告.pdf", sign_in_sheet("整改报告", []), 134)
        self.run(sec, "report_rectification", street, evaluation_id=opened,
                 rectification_id="r1", evidence=v.text("整改报告及附件"), files=[report],
                 occurred_at=v.moment(135))  # fmt: skip
        check = self.upload(boss, street, "核查照片.png", site_photo(4, 4), 139)
        self.run(boss, "close_rectification", street, evaluation_id=opened,
                 rectification_id="r1", evidence=v.text("整改报告"), files=[report, check],
                 occurred_at=v.moment(140))  # fmt: skip
        return str(opened)

    def _commendations(
        self, boss: Principal, sec: Principal, street: str, a: str, evaluation: str, unit: str
    ) -> None:
        v = self.v
        # The street commends the community from its evaluation; the community nominates
        # one of its units to the street directly, and the street rejects it.
        chosen = self.run(boss, "nominate_commendation", street, kind="advanced_party_organisation",
                          nominee_id=a, period=f"{v.year}", evaluation_id=evaluation,
                          occurred_at=v.moment(141))["record_id"]  # fmt: skip
        self.run(boss, "decide_commendation", street, commendation_id=chosen, outcome="approved",
                 occurred_at=v.moment(142))  # fmt: skip
        self.run(boss, "publish_commendation", street, commendation_id=chosen,
                 published_on=v.day(143), channel="document", occurred_at=v.moment(143))  # fmt: skip
        self.run(boss, "revoke_commendation", street, commendation_id=chosen,
                 reason=v.text("复核撤销", "reason"), occurred_at=v.moment(144))  # fmt: skip
        put = self.run(sec, "nominate_commendation", street, kind="outstanding_member_unit",
                       nominee_id=unit, nominee_tenant=a, period=f"{v.year}",
                       reason=v.text("共建成效突出", "reason"),
                       occurred_at=v.moment(141))["record_id"]  # fmt: skip
        self.run(boss, "decide_commendation", street, commendation_id=put, outcome="rejected",
                 reason=v.text("名额已满", "reason"), occurred_at=v.moment(145))  # fmt: skip

    def _upward_report(self, boss: Principal, sec: Principal, street: str, a: str) -> None:
        v = self.v
        # The community files its report on the year; the street returns it, the
        # community files it again, and the street acknowledges the revision.
        filed = self.run(sec, "file_upward_report", a, period=f"{v.year}",
                         achievements=v.text("完成加装电梯", "long"),
                         problems=v.text("停车难", "long"), plans=v.text("推进停车治理", "long"),
                         occurred_at=v.moment(160))  # fmt: skip
        received = filed["received_report_id"]
        self.run(boss, "return_upward_report", street, received_report_id=received,
                 reason=v.text("请补充数据", "reason"), occurred_at=v.moment(161))  # fmt: skip
        self.run(sec, "file_upward_report", a, period=f"{v.year}",
                 reason=v.text("按街道意见补充", "reason"), occurred_at=v.moment(162))  # fmt: skip
        self.run(boss, "acknowledge_upward_report", street, received_report_id=received,
                 occurred_at=v.moment(163))  # fmt: skip

    def _webhooks(self, sec: Principal, a: str) -> None:
        v = self.v
        vendor = Principal("vendor-1", Role.INTEGRATOR, a)
        hook = self.run(vendor, "register_webhook", a, url="https://hooks.gongjian.invalid/gongjian",
                        event_types=["Meeting", "Resolution.Adopted"],
                        occurred_at=v.moment(150))["record_id"]  # fmt: skip
        self.run(vendor, "change_webhook", a, webhook_id=hook, event_types=["*"],
                 url="https://hooks.gongjian.invalid/v2?key=abc", occurred_at=v.moment(151))  # fmt: skip
        self.run(sec, "pause_webhook", a, webhook_id=hook, occurred_at=v.moment(152))
        self.run(vendor, "resume_webhook", a, webhook_id=hook, occurred_at=v.moment(153))
        self.run(vendor, "rotate_webhook_secret", a, webhook_id=hook, occurred_at=v.moment(154))
        self.run(vendor, "retry_webhook_deliveries", a, webhook_id=hook, occurred_at=v.moment(155))
        self.run(sec, "remove_webhook", a, webhook_id=hook, reason=v.text("对接结束", "reason"),
                 occurred_at=v.moment(156))  # fmt: skip

    def _agreements(self, sec: Principal, a: str, u1: str) -> None:
        v = self.v
        # A term is reviewed once over by the tenant's own today, whatever start the
        # values drew: the term ends a month before the machine's date.
        ended = date.today() - timedelta(days=30)
        lines = [
            {"id": "u1", "party": "unit", "text": v.text("每季度开放活动场地")},
            {"id": "c1", "party": "community", "text": v.text("协助开展志愿服务")},
        ]
        signed = self.run(sec, "sign_agreement", a, unit_id=u1, title=v.text("共建责任书", "name"),
                          starts_on=(ended - timedelta(days=365)).isoformat(),
                          ends_on=ended.isoformat(), lines=lines,
                          occurred_at=v.moment(0))["record_id"]  # fmt: skip
        note = v.text("活动次数不足", "optional").strip() or "活动次数不足"
        self.run(sec, "review_agreement", a, agreement_id=signed,
                 lines=[{"line_id": "u1", "fulfilment": "fulfilled"},
                        {"line_id": "c1", "fulfilment": "partly", "note": note}],
                 occurred_at=v.moment(31))  # fmt: skip
        self.run(sec, "renew_agreement", a, agreement_id=signed,
                 starts_on=(ended + timedelta(days=1)).isoformat(),
                 ends_on=(ended + timedelta(days=366)).isoformat(),
                 reason=v.text("继续共建", "reason"), occurred_at=v.moment(31))  # fmt: skip
        self.run(sec, "end_agreement", a, agreement_id=signed, reason=v.text("单位调整", "reason"),
                 occurred_at=v.moment(40))  # fmt: skip


def _receiving_side_fails(*_: object) -> UUID:
    raise ConnectionError("the receiving community's database went away")


def missing_commands(sent: list[tuple[str, str | None, dict[str, Any]]]) -> set[str]:
    """Commands the lifecycle never sent."""
    return set(COMMANDS) - {command for command, _, _ in sent}
