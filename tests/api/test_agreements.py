"""Co-construction agreements (共建责任书) over HTTP: signed with a unit, reviewed line by
line once the term is over, renewed or ended with a reason; read per tenant and per
unit, as of a past position, and filtered to those expiring soon."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.charters import local_date
from tests.api.conftest import Api, Community, manager_token

AGREEMENT = """query($t: ID!, $a: ID!, $p: Int) { tenant(id: $t, atPosition: $p) {
  agreement(id: $a) { id unitId title term startsOn endsOn status statusLabel endedReason
    daysToEnd expiring(withinDays: 30) nodeId
    lines { id term party partyLabel text fulfilment fulfilmentLabel note
            history { type } }
    firstTerm: lines(term: 1) { id fulfilment note }
    history { type reason actor { role } } } } }"""

UNITS = """query($t: ID!) { tenant(id: $t) {
  units { nodes { id agreements { totalCount nodes { id title status } } } } } }"""

LIST = """query($t: ID!, $d: Int, $s: AgreementStatus) { tenant(id: $t) {
  agreements(first: 50, expiringWithinDays: $d, status: $s) {
    totalCount nodes { id title expiring(withinDays: 45) } } } }"""


def _today() -> date:
    return local_date(datetime.now(UTC))


def _lines(unit_text: str = "开放篮球场供居民使用") -> list[dict[str, str]]:
    return [
        {"id": "u1", "party": "unit", "text": unit_text},
        {"id": "u2", "party": "unit", "text": "每季度组织党员进社区服务"},
        {"id": "c1", "party": "community", "text": "为单位职工子女提供暑期托管"},
    ]


def _sign(api: Api, unit: str, starts: date, ends: date, title: str = "2025年度共建责任书") -> str:
    body = {"unit_id": unit, "title": title, "starts_on": starts.isoformat(),
            "ends_on": ends.isoformat(), "lines": _lines()}  # fmt: skip
    return str(api.t("/agreements", body, 201)["record_id"])


def _review(api: Api, agreement: str, status: int = 200, **notes: Any) -> dict[str, Any]:
    lines = [
        {"line_id": "u1", "fulfilment": "fulfilled"},
        {"line_id": "u2", "fulfilment": "partly", "note": notes.get("u2", "四季度未开展")},
        {"line_id": "c1", "fulfilment": "fulfilled"},
    ]
    return api.t(f"/agreements/{agreement}/review", {"lines": lines}, status)


def test_an_agreement_is_signed_reviewed_renewed_and_ended_with_its_history(
    community: Community,
) -> None:
    api, unit = community.api, community.units[0]
    today = _today()
    agreement = _sign(api, unit, today - timedelta(days=365), today - timedelta(days=1))
    reviewed = _review(api, agreement)
    # The renewal changes one line; the first term's lines and their review stay.
    renewed_lines = _lines("开放篮球场和会议室")
    api.t(f"/agreements/{agreement}/renewal", {
        "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=364)).isoformat(),
        "lines": renewed_lines, "reason": "双方同意续签"})  # fmt: skip
    data = api.gql(AGREEMENT, t=api.tenant, a=agreement)["data"]["tenant"]["agreement"]
    assert (data["term"], data["status"], data["statusLabel"]) == (2, "in_force", "履行中")
    assert data["daysToEnd"] == 364 and data["expiring"] is False
    assert [(line["id"], line["term"], line["fulfilment"]) for line in data["lines"]] == [
        ("u1", 2, None),
        ("u2", 2, None),
        ("c1", 2, None),
    ]
    assert data["lines"][0]["text"] == "开放篮球场和会议室"
    assert data["lines"][2]["partyLabel"] == "社区"
    assert data["firstTerm"] == [
        {"id": "u1", "fulfilment": "fulfilled", "note": None},
        {"id": "u2", "fulfilment": "partly", "note": "四季度未开展"},
        {"id": "c1", "fulfilment": "fulfilled", "note": None},
    ]
    api.t(f"/agreements/{agreement}/end", {"reason": "单位迁出辖区"})
    ended = api.gql(AGREEMENT, t=api.tenant, a=agreement)["data"]["tenant"]["agreement"]
    assert (ended["status"], ended["endedReason"], ended["daysToEnd"]) == (
        "ended",
        "单位迁出辖区",
        None,
    )
    assert [(e["type"], e["reason"]) for e in ended["history"]] == [
        ("Signed", None),
        ("Reviewed", None),
        ("Renewed", "双方同意续签"),
        ("Ended", "单位迁出辖区"),
    ]
    assert {e["actor"]["role"] for e in ended["history"]} == {"community_secretary"}
    # As of the review: the first term, reviewed, its lines carrying their fulfilment.
    then = api.gql(AGREEMENT, t=api.tenant, a=agreement, p=reviewed["position"])
    past = then["data"]["tenant"]["agreement"]
    assert (past["term"], past["status"], past["statusLabel"]) == (1, "reviewed", "已年终评议")
    assert [line["fulfilmentLabel"] for line in past["lines"]] == ["已履行", "部分履行", "已履行"]
    assert past["lines"][1]["history"] == [{"type": "Signed"}, {"type": "Reviewed"}]
    # The agreement is refetched by its global id.
    node = api.gql(
        "query($n: ID!) { node(id: $n) { ... on Agreement { id term } } }", n=data["nodeId"]
    )["data"]["node"]
    assert node == {"id": agreement, "term": 2}


def test_a_term_is_reviewed_only_once_over_and_fully_with_notes_below_fulfilled(
    community: Community,
) -> None:
    api, unit = community.api, community.units[0]
    today = _today()
    running = _sign(api, unit, today - timedelta(days=30), today + timedelta(days=1))
    head = api.head()
    early = _review(api, running, 409)
    assert early["code"] == "agreement-period-not-over"
    assert (today + timedelta(days=1)).isoformat() in early["detail"]
    over = _sign(api, unit, today - timedelta(days=365), today)
    head = api.head()
    bare = _review(api, over, 422, u2=" ")
    assert bare["code"] == "invalid-value" and "u2" in bare["detail"]
    partial = api.t(f"/agreements/{over}/review", {
        "lines": [{"line_id": "u1", "fulfilment": "fulfilled"}]}, 422)  # fmt: skip
    assert partial["code"] == "invalid-value" and "u2" in partial["detail"]
    unknown = api.t(f"/agreements/{over}/review", {
        "lines": [{"line_id": "zz", "fulfilment": "fulfilled"}]}, 409)  # fmt: skip
    assert unknown["code"] == "unknown-agreement-line"
    assert api.head() == head
    _review(api, over)
    again = _review(api, over, 409)
    assert again["code"] == "agreement-not-in-state"


def test_renewal_and_ending_need_a_reason_and_an_ended_agreement_changes_no_more(
    community: Community,
) -> None:
    api, unit = community.api, community.units[0]
    today = _today()
    agreement = _sign(api, unit, today - timedelta(days=365), today - timedelta(days=1))
    term = {"starts_on": today.isoformat(), "ends_on": (today + timedelta(days=30)).isoformat()}
    unreviewed = api.t(f"/agreements/{agreement}/renewal", {**term, "reason": "续签"}, 409)
    assert unreviewed["code"] == "agreement-not-in-state"
    _review(api, agreement)
    head = api.head()
    assert api.t(f"/agreements/{agreement}/renewal", term, 422)["code"] == "reason-required"
    overlapping = {**term, "starts_on": (today - timedelta(days=1)).isoformat(), "reason": "续签"}
    assert api.t(f"/agreements/{agreement}/renewal", overlapping, 422)["code"] == "invalid-value"
    assert api.t(f"/agreements/{agreement}/end", {}, 422)["code"] == "reason-required"
    assert api.head() == head
    api.t(f"/agreements/{agreement}/end", {"reason": "共建项目结束"})
    closed = api.t(f"/agreements/{agreement}/end", {"reason": "再次终止"}, 409)
    assert closed["code"] == "agreement-ended"


def test_a_bad_agreement_is_refused_with_a_precise_problem_and_appends_nothing(
    community: Community,
) -> None:
    api, unit = community.api, community.units[0]
    today = _today()
    good = {"unit_id": unit, "title": "共建责任书", "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=365)).isoformat(), "lines": _lines()}  # fmt: skip
    one_sided = [line for line in _lines() if line["party"] == "unit"]
    twice = [*_lines(), {"id": "u1", "party": "community", "text": "重复"}]
    bad = [
        ({**good, "ends_on": today.isoformat()}, 422, "invalid-value"),
        ({**good, "lines": one_sided}, 422, "invalid-value"),
        ({**good, "lines": twice}, 422, "invalid-value"),
        ({**good, "unit_id": "7f2c1a1e-0000-4000-8000-000000000000"}, 404, "not-found"),
        ({**good, "title": ""}, 422, "validation-error"),
        ({**good, "ends_on": "2025-02-30"}, 422, "validation-error"),
        ({**good, "lines": [*_lines(), {"id": "x", "party": "street", "text": "?"}]}, 422,
         "validation-error"),
    ]  # fmt: skip
    head = api.head()
    for body, status, code in bad:
        assert api.t("/agreements", body, status)["code"] == code, body
    assert api.head() == head
    community.api.t(f"/units/{community.units[1]}/leave", {"reason": "搬迁"})
    left = api.t("/agreements", {**good, "unit_id": community.units[1]}, 409)
    assert left["code"] == "unit-has-left"


def test_only_the_communitys_managers_sign_and_a_liaison_reads_its_units_agreements(
    community: Community,
) -> None:
    api, unit = community.api, community.units[0]
    today = _today()
    body: dict[str, Any] = {"unit_id": unit, "title": "共建责任书", "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=365)).isoformat(), "lines": _lines()}  # fmt: skip
    liaison = {"Authorization": f"Bearer dev:l1:unit_liaison:{api.tenant}:{unit}"}
    refused = api.client.post(f"/tenants/{api.tenant}/agreements", json=body, headers=liaison)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    signed = _sign(api, unit, today, today + timedelta(days=365))
    other = _sign(api, community.units[1], today, today + timedelta(days=365), title="另一份")
    query = {"query": UNITS, "variables": {"t": api.tenant}}
    seen = api.client.post("/graphql", json=query, headers=liaison).json()
    assert "errors" not in seen, seen
    by_unit = {n["id"]: n["agreements"] for n in seen["data"]["tenant"]["units"]["nodes"]}
    assert by_unit[unit] == {
        "totalCount": 1,
        "nodes": [{"id": signed, "title": "2025年度共建责任书", "status": "in_force"}],
    }
    assert [n["id"] for n in by_unit[community.units[1]]["nodes"]] == [other]


def test_expiring_soon_is_filtered_in_sql_as_the_domain_derives_it(community: Community) -> None:
    api, unit = community.api, community.units[0]
    today = _today()
    start = today - timedelta(days=400)
    ends = {days: _sign(api, unit, start, today + timedelta(days=days), title=f"到期{days}")
            for days in (-10, 0, 29, 30, 31, 45, 46, 200)}  # fmt: skip
    _review(api, ends[-10])
    api.t(f"/agreements/{ends[29]}/end", {"reason": "提前终止"})
    expected = {ends[d] for d in (0, 30)}
    listed = api.gql(LIST, t=api.tenant, d=30)["data"]["tenant"]["agreements"]
    assert {n["id"] for n in listed["nodes"]} == expected
    assert listed["totalCount"] == len(expected)
    # The SQL filter agrees with the domain's derived field on every agreement.
    wide = api.gql(LIST, t=api.tenant, d=45)["data"]["tenant"]["agreements"]["nodes"]
    every = api.gql(LIST, t=api.tenant)["data"]["tenant"]["agreements"]["nodes"]
    assert {n["id"] for n in wide} == {n["id"] for n in every if n["expiring"]}
    assert {n["id"] for n in wide} == {ends[d] for d in (0, 30, 31, 45)}
    ended = api.gql(LIST, t=api.tenant, s="ENDED")["data"]["tenant"]["agreements"]["nodes"]
    assert [n["id"] for n in ended] == [ends[29]]
    body = {"query": LIST, "variables": {"t": api.tenant, "d": -1}}
    refused = api.client.post("/graphql", json=body, headers=manager_token(api.tenant, set()))
    assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
