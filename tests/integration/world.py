"""A small multi-tenant world built through the command pipeline, with one record
of every kind a command can target: two streets, three communities, units, a
meeting with an adopted resolution, a commitment, a member, a post, a rubric,
an evaluation, a commendation, a token, a webhook, an agreement, an affair, a
calendar feed and a report upward."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from api.platform import Platform
from tenants.messages import COMMANDS
from tenants.pipeline.identity import SYSTEM, Principal, Role

AT = datetime(2025, 9, 1, 9, tzinfo=UTC)


def manager(tenant: str, street: bool) -> Principal:
    role = Role.STREET_ADMIN if street else Role.COMMUNITY_SECRETARY
    return Principal(f"{role.value}-{tenant}", role, tenant)


@dataclass
class World:
    platform: Platform
    street: str
    a: str  # a community of ``street``
    b: str  # its sibling
    other_street: str
    c: str  # a community of ``other_street``
    ids: dict[str, Any] = field(default_factory=dict)

    def run(self, who: Principal, command: str, tenant: str | None, **body: Any) -> dict[str, Any]:
        message = COMMANDS[command].model_validate(body)
        return self.platform.pipeline.handle(who, message, tenant)

    def head(self, tenant: str) -> int:
        return self.platform.ledgers[tenant].head_position()


def build_world(platform: Platform) -> World:
    tag = uuid.uuid4().hex[:8]
    w = World(platform, f"s-{tag}", f"a-{tag}", f"b-{tag}", f"s2-{tag}", f"c-{tag}")
    for street in (w.street, w.other_street):
        w.run(SYSTEM, "register_tenant", None, tenant_id=street, kind="street", name="街道")
    for community, street in ((w.a, w.street), (w.b, w.street), (w.c, w.other_street)):
        w.run(manager(street, True), "register_tenant", None, tenant_id=community,
              kind="community", name="社区", parent_id=street)  # fmt: skip
    sec = manager(w.a, False)
    units = [w.run(sec, "join_unit", w.a, name=f"单位{n}", kind="enterprise")["record_id"]
             for n in range(2)]  # fmt: skip
    meeting = w.run(sec, "schedule_meeting", w.a, kind="regular", title="例会",
                    scheduled_for=AT.isoformat(), location="会议室")["record_id"]  # fmt: skip
    w.run(sec, "add_agenda_item", w.a, meeting_id=meeting, item_id="i1", title="加装电梯")
    w.run(sec, "issue_notice", w.a, meeting_id=meeting,
          issued_at=(AT - timedelta(days=5)).isoformat())  # fmt: skip
    for unit in units:
        w.run(sec, "sign_in", w.a, meeting_id=meeting, unit_id=unit, attendee="代表")
    w.run(sec, "open_meeting", w.a, meeting_id=meeting, chair_unit_id=units[0])
    for unit in units:
        w.run(sec, "record_position", w.a, meeting_id=meeting, item_id="i1", unit_id=unit,
              position="agree")  # fmt: skip
    decided = w.run(sec, "decide_item", w.a, meeting_id=meeting, item_id="i1", action="加装",
                    responsible_unit_ids=[units[0]], deadline="2025-12-31")  # fmt: skip
    commitment = w.run(sec, "make_commitment", w.a, maker_kind="unit_party_organisation",
                       maker_id=units[0], text="承诺", category="服务",
                       due="2025-12-31")["record_id"]  # fmt: skip
    member = w.run(sec, "register_member", w.a, name="党员", member_class="retired")["record_id"]
    post = w.run(sec, "define_post", w.a, title="岗位", category="publicity_education",
                 capacity=3)["record_id"]  # fmt: skip
    boss = manager(w.street, True)
    rubric = w.run(boss, "draft_rubric", w.street, name="考评", template="six_in_one")
    w.run(boss, "publish_rubric", w.street, rubric_id=rubric["record_id"], revision=1)
    evaluation = w.run(boss, "open_evaluation", w.street, subject_kind="community",
                       subject_id=w.a, period="2025H2", rubric_id=rubric["record_id"],
                       revision=1, sources=[{"id": "s", "label": "街道", "weight": "1"}])  # fmt: skip
    commendation = w.run(boss, "nominate_commendation", w.street, kind="outstanding_party_member",
                         nominee_id=member, nominee_tenant=w.a, period="2025",
                         reason="带头服务")  # fmt: skip
    token = w.run(SYSTEM, "issue_token", w.a, role="resident", user_id="r1")
    webhook = w.run(sec, "register_webhook", w.a, url="https://hooks.gongjian.invalid/a",
                    event_types=["Meeting"])  # fmt: skip
    agreement = w.run(sec, "sign_agreement", w.a, unit_id=units[0], title="共建责任书",
                      starts_on="2025-01-01", ends_on="2025-12-31",
                      lines=[{"id": "u1", "party": "unit", "text": "开放场地"},
                             {"id": "c1", "party": "community", "text": "志愿服务"}])  # fmt: skip
    affair = w.run(sec, "receive_affair", w.a, resident_name="居民", matter="事项",
                   channel="phone")["record_id"]  # fmt: skip
    feed = w.run(sec, "issue_calendar_feed", w.a)
    report = w.run(sec, "file_upward_report", w.a, period="2025H2")
    w.ids = {
        "unit_id": units[0],
        "other_unit": units[1],
        "meeting_id": meeting,
        "resolution_id": decided["resolution_id"],
        "commitment_id": commitment,
        "member_id": member,
        "post_id": post,
        "rubric_id": rubric["record_id"],
        "evaluation_id": evaluation["record_id"],
        "token_id": token["token_id"],
        "webhook_id": webhook["record_id"],
        "agreement_id": agreement["record_id"],
        "affair_id": affair,
        "commendation_id": commendation["record_id"],
        "feed_id": feed["feed_id"],
        "received_report_id": report["received_report_id"],
    }
    return w
