"""State as recorded at a past moment: `asOf` (a time) and `atPosition` (a log position)."""

from __future__ import annotations

from datetime import timedelta

from tests.api.conftest import MEETING_AT, Street, plenary_resolution

MEETING = """query($t: ID!, $m: ID!, $p: Int, $at: DateTime) { tenant(id: $t, atPosition: $p, asOf: $at) {
  asOfPosition charter { decisionRule }
  meeting(id: $m) { status minutes attendance { unitId status } agenda { id status outcome }
                    history { position type recordedAt } }
  resolutions { nodes { id status } }
  events(first: 100) { nodes { position } } } }"""


def test_a_tenant_reads_as_it_was_recorded_at_a_past_position(street: Street) -> None:
    api, (a, b, _c), m = street.api, street.units, street.meeting
    noticed = api.head()
    for unit in (a, b):
        api.t(f"/meetings/{m}/sign-ins", {"unit_id": unit, "attendee": "代表"})
    api.t(f"/meetings/{m}/open", {"chair_unit_id": a})
    api.t(f"/meetings/{m}/agenda-items/lift/positions", {"unit_id": a, "position": "agree"})
    api.t(f"/meetings/{m}/agenda-items/lift/decision",
          {"action": "征询", "responsible_unit_ids": [a], "deadline": "2025-12-31"})  # fmt: skip
    api.t(f"/meetings/{m}/close")
    api.t(f"/meetings/{m}/minutes", {"text": "初稿"})
    drafted = api.head()
    api.t(f"/meetings/{m}/minutes/corrections", {"text": "定稿", "reason": "补充"})
    resolution = plenary_resolution(api, [a, b], MEETING_AT + timedelta(days=1))
    api.t("/charter-amendments", {"charter": {"decision_rule": "majority"}, "reason": "修订",
                                  "resolution_id": resolution})  # fmt: skip

    now = api.gql(MEETING, t=api.tenant, m=m)["data"]["tenant"]
    then = api.gql(MEETING, t=api.tenant, m=m, p=noticed)["data"]["tenant"]
    assert now["asOfPosition"] is None and then["asOfPosition"] == noticed
    assert (
        now["charter"]["decisionRule"] == "majority"
        and then["charter"]["decisionRule"] == "consensus"
    )
    assert (now["meeting"]["status"], then["meeting"]["status"]) == ("closed", "noticed")
    assert {x["status"] for x in then["meeting"]["attendance"]} == {"expected"}
    assert then["meeting"]["agenda"] == [{"id": "lift", "status": "proposed", "outcome": None}]
    # Now: the meeting's resolution and the plenary's that amended the charter.
    assert then["resolutions"]["nodes"] == [] and len(now["resolutions"]["nodes"]) == 2
    assert max(e["position"] for e in then["meeting"]["history"]) <= noticed
    assert [e["position"] for e in then["events"]["nodes"]] == list(range(1, noticed + 1))
    minutes = api.gql(MEETING, t=api.tenant, m=m, p=drafted)["data"]["tenant"]["meeting"]["minutes"]
    assert (minutes, now["meeting"]["minutes"]) == ("初稿", "定稿")


def test_as_of_a_time_uses_what_was_recorded_by_then(street: Street) -> None:
    api, m = street.api, street.meeting
    history = api.gql(MEETING, t=api.tenant, m=m)["data"]["tenant"]["meeting"]["history"]
    notice = next(e for e in history if e["type"] == "NoticeIssued")
    api.t(f"/meetings/{m}/cancel", {"reason": "台风"})
    then = api.gql(MEETING, t=api.tenant, m=m, at=notice["recordedAt"])["data"]["tenant"]
    assert then["asOfPosition"] == notice["position"]
    assert then["meeting"]["status"] == "noticed"
    before = api.gql(MEETING, t=api.tenant, m=m, at="2000-01-01T00:00:00+00:00")["data"]["tenant"]
    assert before is None, "nothing was recorded about this tenant by then"


def test_each_alias_of_tenant_reads_at_its_own_position(street: Street) -> None:
    api, (a, b, _c), m = street.api, street.units, street.meeting
    noticed = api.head()
    for unit in (a, b):
        api.t(f"/meetings/{m}/sign-ins", {"unit_id": unit, "attendee": "代表"})
    api.t(f"/meetings/{m}/open", {"chair_unit_id": a})
    opened = api.head()
    resolution = plenary_resolution(api, [a, b], MEETING_AT + timedelta(days=1))
    api.t("/charter-amendments", {"charter": {"decision_rule": "majority"}, "reason": "修订",
                                  "resolution_id": resolution})  # fmt: skip
    fields = """asOfPosition charter { decisionRule } meeting(id: $m) { status
      attendance { status } history { position } } events(first: 100) { totalCount }"""
    query = f"""query($t: ID!, $m: ID!, $p1: Int, $p2: Int) {{
      early: tenant(id: $t, atPosition: $p1) {{ {fields} }}
      now: tenant(id: $t) {{ {fields} }}
      later: tenant(id: $t, atPosition: $p2) {{ {fields} }} }}"""
    data = api.gql(query, t=api.tenant, m=m, p1=noticed, p2=opened)["data"]
    early, now, later = data["early"], data["now"], data["later"]
    assert (early["asOfPosition"], now["asOfPosition"], later["asOfPosition"]) == (
        noticed, None, opened)  # fmt: skip
    assert [x["meeting"]["status"] for x in (early, now, later)] == ["noticed", "open", "open"]
    assert {s["status"] for s in early["meeting"]["attendance"]} == {"expected"}
    assert {s["status"] for s in later["meeting"]["attendance"]} == {
        "present",
        "absent_without_leave",
    }
    assert [x["charter"]["decisionRule"] for x in (early, now, later)] == [
        "consensus", "majority", "consensus"]  # fmt: skip
    assert [x["events"]["totalCount"] for x in (early, now, later)] == [
        noticed, api.head(), opened]  # fmt: skip
    assert max(e["position"] for e in early["meeting"]["history"]) <= noticed
