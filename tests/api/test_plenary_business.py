"""The plenary's business over HTTP: the council, the work documents and charter
amendments each cite a plenary resolution; meetings record their chair."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.api.conftest import MEETING_AT, Api, Street

COUNCIL = """query($t: ID!, $p: Int) { tenant(id: $t, atPosition: $p) {
  council { seats { office officeLabel unitId } resolution { id } version
    history { type data } }
  charterResolution { id } charter { noticeDays } } }"""


def _meeting(api: Api, kind: str, items: list[str], at: datetime = MEETING_AT) -> str:
    m: str = api.t("/meetings", {"kind": kind, "title": f"{kind}会议", "location": "会议室",
                            "scheduled_for": at.isoformat()}, 201)["record_id"]  # fmt: skip
    for item in items:
        api.t(f"/meetings/{m}/agenda-items", {"title": "议题", "item_id": item}, 201)
    api.t(f"/meetings/{m}/notice", {"issued_at": (at - timedelta(days=10)).isoformat()})
    return m


def _adopt(api: Api, m: str, units: list[str], items: list[str], chair: str | None) -> list[str]:
    """Sign in every unit, open (chaired as given), agree and decide each item."""
    for unit in units:
        api.t(f"/meetings/{m}/sign-ins", {"unit_id": unit, "attendee": "主要负责人"})
    api.t(f"/meetings/{m}/open", {"chair_unit_id": chair} if chair else {})
    adopted = []
    for item in items:
        for unit in units:
            api.t(f"/meetings/{m}/agenda-items/{item}/positions",
                  {"unit_id": unit, "position": "agree"})  # fmt: skip
        decided = api.t(f"/meetings/{m}/agenda-items/{item}/decision",
                        {"action": "按决议执行", "responsible_unit_ids": units[:1],
                         "deadline": "2026-12-31"})  # fmt: skip
        adopted.append(decided["resolution_id"])
    return adopted


def test_only_a_plenary_resolution_confirms_the_council(street: Street) -> None:
    api, (a, b, c) = street.api, street.units
    [regular] = _adopt(api, street.meeting, street.units, ["lift"], a)
    head = api.head()
    refused = api.t("/council", {"resolution_id": regular, "chair_unit_id": a}, 409)
    assert refused["code"] == "not-plenary-resolution"
    missing = api.t("/council", {"resolution_id": "0" * 8 + "-0000-4000-8000-" + "0" * 12,
                                 "chair_unit_id": a}, 404)  # fmt: skip
    assert missing["code"] == "not-found"
    assert api.head() == head
    plenary = _meeting(api, "plenary", ["council"], MEETING_AT + timedelta(days=30))
    [resolution] = _adopt(api, plenary, street.units, ["council"], a)
    head = api.head()
    twice = api.t("/council", {"resolution_id": resolution, "chair_unit_id": a,
                               "vice_chair_unit_ids": [a]}, 422)  # fmt: skip
    assert twice["code"] == "invalid-value", "a unit holds one seat"
    liaison = {"Authorization": f"Bearer dev:liaison-a:unit_liaison:{api.tenant}:{a}"}
    api.t("/council", {"resolution_id": resolution, "chair_unit_id": a}, 403, headers=liaison)
    assert api.head() == head
    api.t("/council", {"resolution_id": resolution, "chair_unit_id": a,
                       "vice_chair_unit_ids": [b], "council_member_unit_ids": [c]})  # fmt: skip
    council = api.gql(COUNCIL, t=api.tenant)["data"]["tenant"]["council"]
    assert [(s["officeLabel"], s["unitId"]) for s in council["seats"]] == [
        ("理事长", a), ("副理事长", b), ("理事", c)
    ]  # fmt: skip
    assert council["resolution"]["id"] == resolution


def test_a_later_plenary_replaces_the_roster_and_the_earlier_one_reads_as_of(
    street: Street,
) -> None:
    api, (a, b, c) = street.api, street.units
    first = _meeting(api, "plenary", ["council"])
    [r1] = _adopt(api, first, street.units, ["council"], a)
    api.t("/council", {"resolution_id": r1, "chair_unit_id": a, "vice_chair_unit_ids": [b]})
    confirmed_at = api.head()
    again = api.t("/council", {"resolution_id": r1, "chair_unit_id": b}, 409)
    assert again["code"] == "resolution-already-cited"
    second = _meeting(api, "plenary", ["council"], MEETING_AT + timedelta(days=180))
    # With no chair named, the council's chair (unit a, signed in) chairs.
    [r2] = _adopt(api, second, street.units, ["council"], None)
    api.t("/council", {"resolution_id": r2, "chair_unit_id": c})
    now = api.gql(COUNCIL, t=api.tenant)["data"]["tenant"]["council"]
    assert [s["unitId"] for s in now["seats"]] == [c] and now["version"] == 2
    assert [e["type"] for e in now["history"]] == ["Confirmed", "Reconfirmed"]
    then = api.gql(COUNCIL, t=api.tenant, p=confirmed_at)["data"]["tenant"]["council"]
    assert [s["unitId"] for s in then["seats"]] == [a, b] and then["resolution"]["id"] == r1
    chairs = api.gql("""query($t: ID!) { tenant(id: $t) { meetings(first: 5) {
        nodes { id chairUnitId chair { id } } } } }""", t=api.tenant)  # fmt: skip
    by_id = {m["id"]: m["chairUnitId"] for m in chairs["data"]["tenant"]["meetings"]["nodes"]}
    assert by_id[first] == a and by_id[second] == a


def test_a_meeting_opens_only_with_a_chair_who_signed_in(street: Street) -> None:
    api, (a, b, c), m = street.api, street.units, street.meeting
    for unit in (a, b):
        api.t(f"/meetings/{m}/sign-ins", {"unit_id": unit, "attendee": "代表"})
    head = api.head()
    no_chair = api.t(f"/meetings/{m}/open", {}, 409)
    assert no_chair["code"] == "chair-required"
    absent = api.t(f"/meetings/{m}/open", {"chair_unit_id": c}, 409)
    assert absent["code"] == "chair-required"
    assert api.head() == head
    api.t(f"/meetings/{m}/open", {"chair_unit_id": b})
    history = api.gql("""query($t: ID!, $m: ID!) { tenant(id: $t) { meeting(id: $m) {
        chair { id name } history { type data } } } }""", t=api.tenant, m=m)  # fmt: skip
    meeting = history["data"]["tenant"]["meeting"]
    assert meeting["chair"]["id"] == b
    assert meeting["history"][-1]["data"]["chair_unit_id"] == b


def test_a_charter_amendment_cites_the_plenary_resolution_that_adopted_it(
    street: Street,
) -> None:
    api, (a, _b, _c) = street.api, street.units
    [regular] = _adopt(api, street.meeting, street.units, ["lift"], a)
    head = api.head()
    body: dict[str, Any] = {"charter": {"notice_days": 7}, "reason": "全体会议修订"}
    assert api.t("/charter-amendments", body, 422)["code"] == "validation-error"
    cited = api.t("/charter-amendments", {**body, "resolution_id": regular}, 409)
    assert cited["code"] == "not-plenary-resolution"
    assert api.head() == head
    plenary = _meeting(api, "plenary", ["charter"], MEETING_AT + timedelta(days=30))
    [resolution] = _adopt(api, plenary, street.units, ["charter"], a)
    unreasoned = {"charter": {"notice_days": 7}, "resolution_id": resolution}
    assert api.t("/charter-amendments", unreasoned, 422)["code"] == "reason-required"
    api.t("/charter-amendments", {**body, "resolution_id": resolution})
    tenant = api.gql(COUNCIL, t=api.tenant)["data"]["tenant"]
    assert tenant["charter"]["noticeDays"] == 7
    assert tenant["charterResolution"]["id"] == resolution
    # Superseded, the resolution no longer adopts anything.
    [newer] = _adopt(api, _meeting(api, "plenary", ["again"], MEETING_AT + timedelta(days=60)),
                     street.units, ["again"], a)  # fmt: skip
    api.t(f"/resolutions/{resolution}/supersession",
          {"by_resolution_id": newer, "reason": "重新审议"})  # fmt: skip
    stale = api.t("/charter-amendments", {**body, "resolution_id": resolution}, 409)
    assert stale["code"] == "not-plenary-resolution"


DOCUMENTS = """query($t: ID!) { tenant(id: $t) { workDocuments(first: 5, kind: WORK_PLAN) {
  nodes { kind period title version revisionReason resolution { id }
    items { id text responsibleUnitId due } history { type reason } } } } }"""


def test_a_plenary_adopts_a_work_plan_and_a_later_one_revises_it_with_a_reason(
    street: Street,
) -> None:
    api, (a, b, _c) = street.api, street.units
    plenary = _meeting(api, "plenary", ["plan"])
    [r1] = _adopt(api, plenary, street.units, ["plan"], a)
    items = [{"id": "1", "text": "每季度召开联席会议", "responsible_unit_id": a,
              "due": "2025-12-31"}]  # fmt: skip
    plan = {"kind": "work_plan", "period": "2026", "title": "2026年工作计划", "items": items}
    outsider = [{"id": "1", "text": "外单位", "responsible_unit_id": "not-a-unit"}]
    assert api.t("/work-documents", {**plan, "items": outsider, "resolution_id": r1},
                 404)["code"] == "not-found"  # fmt: skip
    api.t("/work-documents", {**plan, "resolution_id": r1})
    later = _meeting(api, "plenary", ["plan"], MEETING_AT + timedelta(days=90))
    [r2] = _adopt(api, later, street.units, ["plan"], a)
    revised = {
        **plan,
        "items": [*items, {"id": "2", "text": "开展结对共建", "responsible_unit_id": b}],
    }
    refused = api.t("/work-documents", {**revised, "resolution_id": r2}, 422)
    assert refused["code"] == "reason-required"
    api.t("/work-documents", {**revised, "resolution_id": r2, "reason": "新增结对共建任务"})
    [document] = api.gql(DOCUMENTS, t=api.tenant)["data"]["tenant"]["workDocuments"]["nodes"]
    assert document["version"] == 2 and document["revisionReason"] == "新增结对共建任务"
    assert document["resolution"]["id"] == r2
    assert [i["id"] for i in document["items"]] == ["1", "2"]
    assert document["items"][0]["due"] == "2025-12-31"
    assert [e["type"] for e in document["history"]] == ["Adopted", "Revised"]
