"""Every meeting and resolution command over HTTP, then read back through GraphQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.api.conftest import MEETING_AT, Api, Street

MEETING_QUERY = """
query($t: ID!, $m: ID!) { tenant(id: $t) { meeting(id: $m) {
  status statusLabel minutes version
  agenda { id title status outcome outcomeLabel tally { present agree object abstain }
           positions { unitId position reason } opinions { unitId text withLeave late }
           resolution { id status } history { type } }
  attendance { unitId status attendee substitute leaveReason leaveStatus unit { name } }
  history { type position reason actor { userId role } occurredAt recordedAt data }
} } }
"""


def test_a_meeting_runs_from_notice_to_minutes_and_graphql_shows_it(street: Street) -> None:
    api, (a, b, c), m = street.api, street.units, street.meeting
    api.t(
        f"/meetings/{m}/agenda-items/lift/opinion-requests",
        {"due": (MEETING_AT - timedelta(days=1)).isoformat()},
    )
    api.t(f"/meetings/{m}/agenda-items/lift/opinions", {"unit_id": a, "text": "支持",
          "occurred_at": (MEETING_AT - timedelta(days=2)).isoformat()})  # fmt: skip
    api.t(
        f"/meetings/{m}/leave-requests",
        {"unit_id": c, "reason": "外出学习", "opinions": {"lift": "同意加装"}},
    )
    # The unit cannot excuse itself: the chair or the secretary decides.
    liaison = {"Authorization": f"Bearer dev:liaison-c:unit_liaison:{api.tenant}:{c}"}
    api.t(f"/meetings/{m}/leave-requests/{c}/decision", {"approved": True}, 403, headers=liaison)
    refused = api.t(f"/meetings/{m}/leave-requests/{c}/decision", {"approved": False}, 422)
    assert refused["code"] == "reason-required"
    api.t(f"/meetings/{m}/leave-requests/{c}/decision", {"approved": True})
    api.t(f"/meetings/{m}/sign-ins", {"unit_id": a, "attendee": "张经理"})
    api.t(f"/meetings/{m}/sign-ins", {"unit_id": b, "attendee": "王副局长", "substitute": True})
    api.t(f"/meetings/{m}/open", {"chair_unit_id": a})
    api.t(f"/meetings/{m}/agenda-items/lift/positions", {"unit_id": a, "position": "agree"})
    api.t(f"/meetings/{m}/agenda-items/lift/positions", {"unit_id": b, "position": "abstain"})
    api.t(
        f"/meetings/{m}/agenda-items/lift/decision",
        {"action": "完成意见征询", "responsible_unit_ids": [a], "deadline": "2025-10-31"},
    )
    api.t(f"/meetings/{m}/close")
    api.t(
        f"/meetings/{m}/minutes", {"text": "会议纪要", "occurred_at": "2025-09-03T10:00:00+08:00"}
    )
    api.t(f"/meetings/{m}/minutes/corrections", {"text": "会议纪要（更正）", "reason": "错字"})

    data = api.gql(MEETING_QUERY, t=api.tenant, m=m)["data"]["tenant"]["meeting"]
    assert data["status"] == "closed" and data["statusLabel"] == "已结束"
    assert data["minutes"] == "会议纪要（更正）"
    item = data["agenda"][0]
    assert item["outcome"] == "agreed" and item["outcomeLabel"] == "通过"
    assert item["tally"] == {"present": 2, "agree": 1, "object": 0, "abstain": 1}
    assert item["resolution"]["status"] == "adopted"
    assert {o["unitId"]: o["withLeave"] for o in item["opinions"]} == {a: False, c: True}
    # a gave its opinion before the due time; c's, with its leave, was recorded now.
    assert {o["unitId"]: o["late"] for o in item["opinions"]} == {a: False, c: True}
    attendance = {row["unitId"]: row["status"] for row in data["attendance"]}
    assert attendance == {a: "present", b: "present", c: "on_leave"}
    leave = {row["unitId"]: row["leaveStatus"] for row in data["attendance"]}
    assert leave == {a: None, b: None, c: "approved"}
    types = [event["type"] for event in data["history"]]
    assert types[0] == "Scheduled" and types[-1] == "MinutesCorrected"
    correction = data["history"][-1]
    assert correction["reason"] == "错字"
    assert correction["actor"] == {"userId": f"street_admin-{api.tenant}", "role": "street_admin"}
    minutes = data["history"][-2]
    assert minutes["occurredAt"].startswith("2025-09-03T02:00:00")


def test_a_resolution_is_followed_to_verified_completion(street: Street) -> None:
    api, (a, b, _c), m = street.api, street.units, street.meeting
    for unit in (a, b):
        api.t(f"/meetings/{m}/sign-ins", {"unit_id": unit, "attendee": "代表"})
    api.t(f"/meetings/{m}/open", {"chair_unit_id": a})
    api.t(f"/meetings/{m}/agenda-items/lift/positions", {"unit_id": a, "position": "agree"})
    api.t(
        f"/meetings/{m}/agenda-items/lift/decision",
        {"action": "征询意见", "responsible_unit_ids": [a, b], "deadline": "2025-10-31"},
    )
    query = "query($t: ID!, $m: ID!) { tenant(id: $t) { meeting(id: $m) { agenda { resolution { id } } } } }"
    r = api.gql(query, t=api.tenant, m=m)["data"]["tenant"]["meeting"]["agenda"][0]["resolution"][
        "id"
    ]
    api.t(f"/resolutions/{r}/notifications")
    api.t(
        f"/resolutions/{r}/execution-reports",
        {"unit_id": a, "kind": "completed", "note": "已完成", "evidence": ["签到表.pdf"]},
    )
    api.t(f"/resolutions/{r}/verification", status=409)
    api.t(
        f"/resolutions/{r}/execution-reports", {"unit_id": b, "kind": "completed", "note": "完成"}
    )
    api.t(f"/resolutions/{r}/returns", {"unit_id": b, "reason": "缺少照片"})
    api.t(
        f"/resolutions/{r}/execution-reports", {"unit_id": b, "kind": "completed", "note": "补交"}
    )
    api.t(f"/resolutions/{r}/verification")
    resolution = api.gql(
        """query($t: ID!, $r: ID!) { tenant(id: $t) { resolution(id: $r) {
        status overdue notifiedUnitIds responsibleUnits { name }
        executionReports { unitId kind returnedReason } history { type reason } } } }""",
        t=api.tenant,
        r=r,
    )["data"]["tenant"]["resolution"]
    assert resolution["status"] == "verified" and resolution["overdue"] is False
    assert sorted(resolution["notifiedUnitIds"]) == sorted(street.units)
    assert [rep["returnedReason"] for rep in resolution["executionReports"]] == [
        None,
        "缺少照片",
        None,
    ]
    assert [e["type"] for e in resolution["history"]][-2:] == ["ExecutionReported", "Verified"]


def test_a_not_agreed_item_is_no_resolution_and_can_be_carried_forward(street: Street) -> None:
    api, (a, b, _c), m = street.api, street.units, street.meeting
    for unit in (a, b):
        api.t(f"/meetings/{m}/sign-ins", {"unit_id": unit, "attendee": "代表"})
    api.t(f"/meetings/{m}/open", {"chair_unit_id": a})
    api.t(f"/meetings/{m}/agenda-items/lift/positions", {"unit_id": a, "position": "agree"})
    api.t(
        f"/meetings/{m}/agenda-items/lift/positions",
        {"unit_id": b, "position": "object", "reason": "资金未落实"},
    )
    api.t(
        f"/meetings/{m}/agenda-items/lift/decision",
        {"action": "x", "responsible_unit_ids": [a], "deadline": "2025-10-31"},
    )
    resolutions = api.gql(
        "query($t: ID!) { tenant(id: $t) { resolutions { nodes { id } } } }", t=api.tenant
    )["data"]["tenant"]["resolutions"]["nodes"]
    assert resolutions == []
    later = api.t(
        "/meetings",
        {
            "kind": "regular",
            "title": "十月例会",
            "location": "会议室",
            "scheduled_for": "2025-10-09T09:00:00+08:00",
        },
        201,
    )["record_id"]
    api.t(
        f"/meetings/{later}/agenda-items",
        {"title": "加装电梯（续议）", "carried_from": {"meeting_id": m, "item_id": "lift"}},
        201,
    )
    api.t(
        f"/meetings/{later}/agenda-items",
        {"title": "决议落实情况汇报", "kind": "execution_review"},
        201,
    )
    query = "query($t: ID!, $m: ID!) { tenant(id: $t) { meeting(id: $m) { agenda { carriedFrom kindLabel } } } }"
    agenda = api.gql(query, t=api.tenant, m=later)["data"]["tenant"]["meeting"]["agenda"]
    assert agenda[0]["carriedFrom"] == f"{m}/lift"
    assert agenda[1]["kindLabel"] == "决议落实情况汇报"


def test_postponing_cancelling_and_withdrawing(street: Street) -> None:
    api, m = street.api, street.meeting
    api.t(f"/meetings/{m}/postpone", {"scheduled_for": "2025-09-20T09:00:00+08:00"}, 422)
    api.t(
        f"/meetings/{m}/postpone",
        {"scheduled_for": "2025-09-20T09:00:00+08:00", "reason": "场地冲突"},
    )
    api.t(f"/meetings/{m}/agenda-items", {"title": "新议题", "item_id": "extra"}, 201)
    api.t(f"/meetings/{m}/agenda-items/extra/withdraw", {"reason": "并入下次"})
    api.t(f"/meetings/{m}/cancel", {"reason": "台风"})
    query = "query($t: ID!, $m: ID!) { tenant(id: $t) { meeting(id: $m) { status attendance { unitId } agenda { id status } } } }"
    meeting = api.gql(query, t=api.tenant, m=m)["data"]["tenant"]["meeting"]
    assert meeting["status"] == "cancelled" and meeting["attendance"] == []
    assert {i["id"]: i["status"] for i in meeting["agenda"]} == {
        "lift": "proposed",
        "extra": "withdrawn",
    }


def test_units_appoint_people_and_leave(street: Street) -> None:
    api, unit = street.api, street.units[0]
    api.t(f"/units/{unit}/representative", {"name": "陈书记", "phone": "021-1234"})
    api.t(f"/units/{unit}/liaison", {"name": "周干事"})
    api.t(f"/units/{unit}/representative", {"name": "刘书记", "reason": "换届"})
    api.t(f"/units/{unit}/leave", {"reason": "搬离辖区"})
    units = api.gql(
        "query($t: ID!) { tenant(id: $t) { units { nodes { id active representative { name } liaison { name } history { type reason } } } } }",
        t=api.tenant,
    )["data"]["tenant"]["units"]["nodes"]
    row = next(u for u in units if u["id"] == unit)
    assert row["active"] is False and row["representative"] == {"name": "刘书记"}
    assert [e["type"] for e in row["history"]] == [
        "Joined",
        "RepresentativeAppointed",
        "LiaisonAppointed",
        "RepresentativeAppointed",
        "Left",
    ]


def _adopt(api: Api, units: list[str], scheduled_for: str, title: str) -> str:
    m = api.t(
        "/meetings",
        {"kind": "regular", "title": title, "location": "室", "scheduled_for": scheduled_for},
        201,
    )["record_id"]
    api.t(f"/meetings/{m}/agenda-items", {"title": "议题", "item_id": "x"}, 201)
    api.t(f"/meetings/{m}/notice", {"issued_at": "2025-01-01T00:00:00+00:00"})
    for unit in units:
        api.t(f"/meetings/{m}/sign-ins", {"unit_id": unit, "attendee": "代表"})
    api.t(f"/meetings/{m}/open", {"chair_unit_id": units[0]})
    api.t(f"/meetings/{m}/agenda-items/x/positions", {"unit_id": units[0], "position": "agree"})
    decided = api.t(
        f"/meetings/{m}/agenda-items/x/decision",
        {"action": "做", "responsible_unit_ids": [units[0]], "deadline": "2025-12-31"},
    )
    assert decided["outcome"] == "agreed"
    return str(decided["resolution_id"])


def test_only_a_later_meetings_resolution_supersedes(street: Street) -> None:
    api, units = street.api, street.units
    earlier = _adopt(api, units, "2025-03-01T09:00:00+08:00", "三月会")
    later = _adopt(api, units, "2025-06-01T09:00:00+08:00", "六月会")
    refused = api.t(
        f"/resolutions/{later}/supersession", {"by_resolution_id": earlier, "reason": "x"}, 409
    )
    assert refused["code"] == "superseding-must-be-later"
    api.t(f"/resolutions/{earlier}/supersession", {"by_resolution_id": later}, 422)
    api.t(f"/resolutions/{earlier}/supersession", {"by_resolution_id": later, "reason": "方案调整"})
    data = api.gql(
        "query($t: ID!, $r: ID!) { tenant(id: $t) { resolution(id: $r) { status supersededBy history { type reason } } } }",
        t=api.tenant,
        r=earlier,
    )["data"]["tenant"]["resolution"]
    assert data["status"] == "superseded" and data["supersededBy"] == later
    assert data["history"][-1] == {"type": "Superseded", "reason": "方案调整"}


def test_a_meeting_is_not_opened_days_before_its_time(street: Street) -> None:
    api = street.api
    at = datetime.now(UTC) + timedelta(days=4)
    m = api.t("/meetings", {"kind": "regular", "title": "下周例会", "location": "会议室",
                            "scheduled_for": at.isoformat()}, 201)["record_id"]  # fmt: skip
    api.t(f"/meetings/{m}/agenda-items", {"title": "议题", "item_id": "x"}, 201)
    api.t(f"/meetings/{m}/notice", {"issued_at": datetime.now(UTC).isoformat()})
    for unit in street.units:
        api.t(f"/meetings/{m}/sign-ins", {"unit_id": unit, "attendee": "代表"})
    head = api.head()
    early = api.t(f"/meetings/{m}/open", {"chair_unit_id": street.units[0]}, 409)
    assert early["code"] == "meeting-not-yet-due" and "may be opened from" in early["detail"]
    assert api.head() == head


def test_minutes_go_to_the_notified_units_and_each_acknowledges_once(street: Street) -> None:
    api, (a, b, c), m = street.api, street.units, street.meeting
    for unit in (a, b):
        api.t(f"/meetings/{m}/sign-ins", {"unit_id": unit, "attendee": "代表"})
    api.t(f"/meetings/{m}/open", {"chair_unit_id": a})
    api.t(f"/meetings/{m}/close")
    other = api.t("/units", {"name": "外单位", "kind": "enterprise"}, 201)["record_id"]
    head = api.head()
    refused = api.t(f"/meetings/{m}/minutes", {"text": "纪要", "recipients": [a, other]}, 409)
    assert refused["code"] == "unit-not-notified", "only notified units receive the minutes"
    assert api.head() == head
    api.t(f"/meetings/{m}/minutes", {"text": "纪要"})  # default: every notified unit
    liaison = {"Authorization": f"Bearer dev:liaison-a:unit_liaison:{api.tenant}:{a}"}
    api.t(f"/meetings/{m}/minutes/receipts", {"unit_id": a}, headers=liaison)
    again = api.t(f"/meetings/{m}/minutes/receipts", {"unit_id": a}, 409, headers=liaison)
    assert again["code"] == "minutes-already-acknowledged"
    api.t(f"/meetings/{m}/minutes/receipts", {"unit_id": b}, 403, headers=liaison)
    api.t(f"/meetings/{m}/minutes/receipts", {"unit_id": other}, 409)
    data = api.gql("query($t: ID!, $m: ID!) { tenant(id: $t) { meeting(id: $m) { minutesRecipients { unitId acknowledgedAt } history { type } } } }",
                   t=api.tenant, m=m)["data"]["tenant"]["meeting"]  # fmt: skip
    acknowledged = {r["unitId"]: r["acknowledgedAt"] is not None for r in data["minutesRecipients"]}
    assert acknowledged == {a: True, b: False, c: False}
    assert data["history"][-1]["type"] == "MinutesAcknowledged"


def test_a_thematic_meeting_is_attended_by_liaisons_unless_a_substitute_is_named(
    street: Street,
) -> None:
    api, (a, b, _) = street.api, street.units
    api.t(f"/units/{a}/liaison", {"name": "周干事"})
    m = api.t("/meetings", {"kind": "thematic", "title": "防汛专题", "location": "指挥部",
                            "scheduled_for": MEETING_AT.isoformat()}, 201)["record_id"]  # fmt: skip
    api.t(f"/meetings/{m}/agenda-items", {"title": "防汛部署", "item_id": "x"}, 201)
    api.t(f"/meetings/{m}/notice", {"issued_at": (MEETING_AT - timedelta(days=5)).isoformat()})
    head = api.head()
    wrong = api.t(f"/meetings/{m}/sign-ins", {"unit_id": a, "attendee": "张经理"}, 409)
    assert wrong["code"] == "not-the-liaison"
    none = api.t(f"/meetings/{m}/sign-ins", {"unit_id": b, "attendee": "王局长"}, 409)
    assert none["code"] == "not-the-liaison" and "has none" in none["detail"]
    assert api.head() == head
    api.t(f"/meetings/{m}/sign-ins", {"unit_id": a, "attendee": "周干事"})
    api.t(f"/meetings/{m}/sign-ins", {"unit_id": b, "attendee": "王局长", "substitute": True})


def test_an_execution_review_presents_the_reports_since_the_last_meeting(street: Street) -> None:
    api, (a, b, _c), m = street.api, street.units, street.meeting
    for unit in (a, b):
        api.t(f"/meetings/{m}/sign-ins", {"unit_id": unit, "attendee": "代表"})
    api.t(f"/meetings/{m}/open", {"chair_unit_id": a})
    api.t(f"/meetings/{m}/agenda-items/lift/positions", {"unit_id": a, "position": "agree"})
    decided = api.t(f"/meetings/{m}/agenda-items/lift/decision",
                    {"action": "征询意见", "responsible_unit_ids": [a], "deadline": "2025-12-31"})  # fmt: skip
    r = decided["resolution_id"]
    api.t(f"/resolutions/{r}/notifications")
    for note, day in (("九月进展", "2025-09-15"), ("十月底进展", "2025-10-20")):
        api.t(f"/resolutions/{r}/execution-reports", {"unit_id": a, "kind": "progress",
              "note": note, "occurred_at": f"{day}T10:00:00+08:00"})  # fmt: skip
    later = api.t("/meetings", {"kind": "regular", "title": "十月例会", "location": "会议室",
                                "scheduled_for": "2025-10-09T09:00:00+08:00"}, 201)["record_id"]  # fmt: skip
    api.t(f"/meetings/{later}/agenda-items", {"title": "议题", "item_id": "t"}, 201)
    api.t(f"/meetings/{later}/agenda-items",
          {"title": "决议落实情况汇报", "kind": "execution_review", "item_id": "r"}, 201)  # fmt: skip
    query = """query($t: ID!, $m: ID!) { tenant(id: $t) { meeting(id: $m) { agenda {
      id executionReports { note unitId } } } } }"""
    agenda = api.gql(query, t=api.tenant, m=later)["data"]["tenant"]["meeting"]["agenda"]
    by_id = {item["id"]: item["executionReports"] for item in agenda}
    assert by_id["t"] is None, "only an execution review presents reports"
    assert by_id["r"] == [{"note": "九月进展", "unitId": a}], "since the last meeting, up to this"
