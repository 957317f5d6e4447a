"""Reports upward over HTTP: a community files its report on a period to its street
with figures composed from its records and frozen; the street acknowledges it or
returns it with a reason; both logs keep it, every revision, as of any position."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Api, Community, manager_token

FILED_ON = "2025-07-03T10:00:00+08:00"
SHARE = "{ numerator denominator rate target meetsTarget }"
FIGURES = f"""figures {{ meetingsHeld {{ kind kindLabel count }} unitAttendance {SHARE}
  resolutionsAdopted resolutionsExecuted resolutionsVerified resolutionsOnTime {SHARE}
  resolutionsOverdue memberParticipation {SHARE} commitmentsDue commitmentsFulfilled
  commitmentsLapsed commitmentSatisfaction {SHARE} affairsReceived affairsClosed
  affairsOverdue affairSatisfaction {SHARE} }}"""
REPORT = f"""id nodeId communityId streetId filedReportId period status statusLabel revision
  filedAt decidedAt decisionReason version
  revisions {{ revision status statusLabel filedOn reflectsPosition reason decisionReason
    narrative {{ section sectionLabel text }} {FIGURES} }}
  history {{ type reason actor {{ role }} }}"""
FILED = f"""query($t: ID!, $p: Int) {{ tenant(id: $t, atPosition: $p) {{
  upwardReports(first: 3) {{ nodes {{ {REPORT} }} }} }} }}"""
RECEIVED = f"""query($t: ID!, $p: Int, $c: ID) {{ tenant(id: $t, atPosition: $p) {{
  receivedReports(first: 3, communityId: $c) {{ nodes {{ {REPORT} }} }} }} }}"""


def _filed(api: Api, tenant: str, position: int | None = None) -> list[dict[str, Any]]:
    data = api.gql(FILED, t=tenant, p=position)["data"]["tenant"]["upwardReports"]["nodes"]
    return list(data)


def _received(api: Api, street: str, position: int | None = None) -> list[dict[str, Any]]:
    data = api.gql(RECEIVED, t=street, p=position)["data"]["tenant"]["receivedReports"]["nodes"]
    return list(data)


def _meeting(
    api: Api, units: list[str], at: str, kind: str, present: list[str], deadline: str
) -> str:
    """Hold a meeting at ``at`` with ``present`` signed in; adopt one resolution."""
    m = api.t("/meetings", {"kind": kind, "title": "联席会议", "location": "党群服务中心",
                            "scheduled_for": at, "occurred_at": "2025-01-02T09:00:00+08:00"},
              201)["record_id"]  # fmt: skip
    api.t(f"/meetings/{m}/agenda-items", {"title": "加装电梯", "item_id": "a"}, 201)
    api.t(f"/meetings/{m}/notice", {"issued_at": "2025-01-03T09:00:00+08:00"})
    for unit in present:
        api.t(f"/meetings/{m}/sign-ins", {"unit_id": unit, "attendee": "代表", "occurred_at": at})
    api.t(f"/meetings/{m}/open", {"occurred_at": at, "chair_unit_id": present[0]})
    api.t(f"/meetings/{m}/agenda-items/a/positions", {"unit_id": present[0], "position": "agree"})
    decided = api.t(f"/meetings/{m}/agenda-items/a/decision",
                    {"action": "制定方案", "responsible_unit_ids": units, "deadline": deadline,
                     "occurred_at": at})  # fmt: skip
    api.t(f"/meetings/{m}/close", {"occurred_at": at})
    resolution = str(decided["resolution_id"])
    api.t(f"/resolutions/{resolution}/notifications", {"occurred_at": at})
    return resolution


def _half_year(community: Community) -> None:
    """2025H1 of a community with two units, every figure of its report non-trivial."""
    api, units = community.api, community.units
    # Two meetings held (plenary, both units; regular, one), one never held.
    done = _meeting(api, units[:1], "2025-03-10T09:00:00+08:00", "plenary", units, "2025-05-31")
    api.t(f"/resolutions/{done}/execution-reports", {"unit_id": units[0], "kind": "completed",
          "note": "已完成", "occurred_at": "2025-05-10T09:00:00+08:00"})  # fmt: skip
    api.t(f"/resolutions/{done}/verification", {"occurred_at": "2025-05-20T09:00:00+08:00"})
    late = _meeting(api, units, "2025-05-12T09:00:00+08:00", "regular", units[:1], "2025-06-30")
    api.t(f"/resolutions/{late}/execution-reports", {"unit_id": units[0], "kind": "completed",
          "note": "本单位已完成", "occurred_at": "2025-06-10T09:00:00+08:00"})  # fmt: skip
    api.t("/meetings", {"kind": "thematic", "title": "专题会", "location": "室",
                        "scheduled_for": "2025-06-20T09:00:00+08:00"}, 201)  # fmt: skip
    # Two commitments due in the half: one fulfilled and rated, one lapsed.
    made = {"maker_kind": "community_party_organisation", "maker_id": api.tenant,
            "text": "开放党群服务中心", "category": "便民"}  # fmt: skip
    kept = api.t("/commitments", {**made, "due": "2025-06-30"}, 201)["record_id"]
    lapsed = api.t("/commitments", {**made, "due": "2025-06-15"}, 201)["record_id"]
    for commitment in (kept, lapsed):
        api.t(f"/commitments/{commitment}/publication",
              {"channel": "notice_board", "published_on": "2025-01-10"})  # fmt: skip
    for resident, rating in (("r1", 5), ("r2", 3)):
        api.t(f"/commitments/{kept}/ratings",
              {"resident_id": resident, "period": "2025Q2", "rating": rating})  # fmt: skip
    api.t(f"/commitments/{kept}/fulfilment")
    # Two affairs: one closed with a satisfied resident, one overdue.
    for n, (received_on, deadline) in enumerate((("2025-03-02", "2025-03-12"),
                                                 ("2025-06-01", "2025-06-20"))):  # fmt: skip
        affair = api.t("/affairs", {"resident_name": "李娜", "matter": f"事项{n}",
                                    "channel": "phone", "received_on": received_on},
                       201)["record_id"]  # fmt: skip
        api.t(f"/affairs/{affair}/assignment",
              {"assignee_kind": "unit", "assignee_id": units[0], "deadline": deadline})  # fmt: skip
        if n == 0:
            api.t(f"/affairs/{affair}/result", {"result": "已修复"})
            api.t(f"/affairs/{affair}/feedback",
                  {"satisfied": True, "occurred_at": "2025-03-06T10:00:00+08:00"})  # fmt: skip
    # Two members whose membership is here; one served.
    served = community.member("张建国")
    community.member("王秀英")
    post = api.t("/posts", {"title": "治安巡逻", "category": "public_safety_patrol",
                            "capacity": 3}, 201)["record_id"]  # fmt: skip
    api.t(f"/members/{served}/claims", {"post_id": post})
    log = api.t(f"/members/{served}/service-logs", {"post_id": post, "served_on": "2025-04-01",
                                                     "hours": "2", "what": "夜间巡逻"}, 201)  # fmt: skip
    api.t(f"/members/{served}/service-logs/{log['log_id']}/review", {"confirmed": True})


def _share(numerator: int, denominator: int, target: str | None = None) -> dict[str, Any]:
    rate = None if denominator == 0 else f"{numerator / denominator:.4f}"
    met = None if target is None or denominator == 0 else numerator >= float(target) * denominator
    return {"numerator": numerator, "denominator": denominator, "rate": rate,
            "target": target, "meetsTarget": met}  # fmt: skip


EXPECTED = {
    "meetingsHeld": [
        {"kind": "plenary", "kindLabel": "全体会议", "count": 1},
        {"kind": "regular", "kindLabel": "例会", "count": 1},
        {"kind": "thematic", "kindLabel": "专题会议", "count": 0},
    ],
    "unitAttendance": _share(3, 4),
    "resolutionsAdopted": 2,
    "resolutionsExecuted": 1,
    "resolutionsVerified": 1,
    "resolutionsOnTime": _share(1, 2),
    "resolutionsOverdue": 1,
    "memberParticipation": _share(1, 2, "0.6"),
    "commitmentsDue": 2,
    "commitmentsFulfilled": 1,
    "commitmentsLapsed": 1,
    "commitmentSatisfaction": _share(1, 2, "0.9"),
    "affairsReceived": 2,
    "affairsClosed": 1,
    "affairsOverdue": 1,
    "affairSatisfaction": _share(1, 1, "0.9"),
}


def test_a_filing_carries_the_figures_of_the_communitys_records_exactly(
    community: Community,
) -> None:
    api = community.api
    _half_year(community)
    filed = api.t("/upward-reports", {"period": "2025H1", "occurred_at": FILED_ON,
                                      "achievements": "完成加装电梯方案", "plans": "推进停车治理"},
                  201)  # fmt: skip
    assert filed["revision"] == 1 and filed["street_id"] == community.street
    assert filed["reflects_position"] == filed["position"] - 1
    [report] = _filed(api, api.tenant)
    [revision] = report["revisions"]
    assert revision["figures"] == EXPECTED
    assert revision["filedOn"] == "2025-07-03"
    assert revision["reflectsPosition"] == filed["reflects_position"]
    assert revision["narrative"] == [
        {"section": "achievements", "sectionLabel": "主要工作及成效", "text": "完成加装电梯方案"},
        {"section": "plans", "sectionLabel": "下一步工作打算", "text": "推进停车治理"},
    ]
    assert report["statusLabel"] == "已报送" and report["period"] == "2025H1"
    assert (report["communityId"], report["streetId"]) == (api.tenant, community.street)
    assert report["filedReportId"] == report["id"] == filed["record_id"]
    assert [h["type"] for h in report["history"]] == ["Filed"]


def test_the_figures_are_frozen_later_records_never_change_them(community: Community) -> None:
    api = community.api
    _half_year(community)
    filed = api.t("/upward-reports", {"period": "2025H1", "occurred_at": FILED_ON}, 201)
    # The overdue resolution is verified and the lapsed commitment fulfilled afterwards.
    resolutions = api.gql("query($t: ID!) { tenant(id: $t) { resolutions(overdue: true) "
                          "{ nodes { id } } } }", t=api.tenant)["data"]["tenant"]  # fmt: skip
    [late] = resolutions["resolutions"]["nodes"]
    api.t(f"/resolutions/{late['id']}/execution-reports",
          {"unit_id": community.units[1], "kind": "completed", "note": "补报"})  # fmt: skip
    api.t(f"/resolutions/{late['id']}/verification")
    [report] = _filed(api, api.tenant)
    figures = report["revisions"][0]["figures"]
    assert figures == EXPECTED
    assert report["version"] == 1
    # The community read as of the position the figures reflect shows the same figures.
    as_of = api.gql(
        "query($t: ID!, $p: Int) { tenant(id: $t, atPosition: $p) { "
        'commitmentSatisfaction(period: "2025H1") { numerator denominator } '
        'affairFigures(period: "2025H1") { closed satisfaction { numerator denominator } } } }',
        t=api.tenant,
        p=filed["reflects_position"],
    )["data"]["tenant"]
    assert as_of["commitmentSatisfaction"] == {"numerator": 1, "denominator": 2}
    assert as_of["affairFigures"]["closed"] == figures["affairsClosed"]
    assert as_of["affairFigures"]["satisfaction"] == {"numerator": 1, "denominator": 1}


def test_both_logs_keep_the_report_and_the_street_acknowledges_it(community: Community) -> None:
    api, street = community.api, community.street
    filed = api.t("/upward-reports", {"period": "2025H1", "occurred_at": FILED_ON,
                                      "problems": "停车位不足"}, 201)  # fmt: skip
    [received] = _received(api, street)
    assert received["id"] == filed["received_report_id"] != filed["record_id"]
    assert received["filedReportId"] == filed["record_id"]
    assert received["communityId"] == api.tenant and received["status"] == "submitted"
    [ours] = _filed(api, api.tenant)
    assert received["revisions"] == ours["revisions"]
    # The filing's stamp, the community secretary's, is the receipt's too.
    assert received["history"] == [
        {"type": "Received", "reason": None, "actor": {"role": "community_secretary"}}
    ]
    assert received["filedAt"] == ours["filedAt"]
    path = f"/tenants/{street}/received-reports/{received['id']}"
    done = api.post(f"{path}/acknowledgement", {})
    assert done["status"] == "acknowledged" and done["report_id"] == filed["record_id"]
    [ours] = _filed(api, api.tenant)
    [theirs] = _received(api, street)
    for kept in (ours, theirs):
        assert kept["statusLabel"] == "已确认" and kept["decidedAt"] is not None
        assert kept["history"][-1] == {
            "type": "Acknowledged", "reason": None, "actor": {"role": "street_admin"}
        }  # fmt: skip
    assert ours["decidedAt"] == theirs["decidedAt"]
    again = api.post(f"{path}/acknowledgement", {}, 409)
    assert again["code"] == "upward-report-decided"
    refiled = api.t("/upward-reports", {"period": "2025H1", "reason": "补充"}, 409)
    assert refiled["code"] == "upward-report-filed"
    # As of the filing, the report was still waiting for the street's decision.
    [then] = _filed(api, api.tenant, filed["position"])
    assert then["status"] == "submitted" and then["decidedAt"] is None


def test_a_returned_report_is_filed_again_as_its_next_revision(community: Community) -> None:
    api, street = community.api, community.street
    filed = api.t("/upward-reports", {"period": "2025H1", "occurred_at": FILED_ON}, 201)
    pending = api.t("/upward-reports", {"period": "2025H1", "reason": "再报"}, 409)
    assert pending["code"] == "upward-report-filed"
    path = f"/tenants/{street}/received-reports/{filed['received_report_id']}"
    no_reason = api.post(f"{path}/return", {}, 422)
    assert no_reason["code"] == "reason-required"
    assert len(_received(api, street)[0]["history"]) == 1, "a refused return records nothing"
    api.post(f"{path}/return", {"reason": "请补充存在的问题"})
    [ours] = _filed(api, api.tenant)
    assert ours["status"] == "returned" and ours["decisionReason"] == "请补充存在的问题"
    # Filed again with a reason; the first revision stays as it was decided.
    unexplained = api.t("/upward-reports", {"period": "2025H1"}, 422)
    assert unexplained["code"] == "reason-required"
    second = api.t("/upward-reports", {"period": "2025H1", "problems": "停车位不足",
                                       "reason": "按街道意见补充"}, 201)  # fmt: skip
    assert second["record_id"] == filed["record_id"] and second["revision"] == 2
    assert second["received_report_id"] == filed["received_report_id"]
    for report in (_filed(api, api.tenant)[0], _received(api, street)[0]):
        assert report["revision"] == 2 and report["status"] == "submitted"
        assert report["decisionReason"] is None
        assert [(r["revision"], r["status"], r["reason"], r["decisionReason"])
                for r in report["revisions"]] == [
            (1, "returned", None, "请补充存在的问题"),
            (2, "submitted", "按街道意见补充", None),
        ]  # fmt: skip
        assert report["revisions"][1]["narrative"][0]["text"] == "停车位不足"
    [theirs] = _received(api, street)
    assert [h["type"] for h in theirs["history"]] == ["Received", "Returned", "RevisionReceived"]
    [ours] = _filed(api, api.tenant)
    assert [h["type"] for h in ours["history"]] == ["Filed", "Returned", "Refiled"]
    assert ours["history"][1]["actor"] == {"role": "street_admin"}
    api.post(f"{path}/acknowledgement", {})
    assert _filed(api, api.tenant)[0]["revisions"][1]["status"] == "acknowledged"


def test_only_a_community_under_a_street_files_and_not_before_the_period(
    community: Community,
) -> None:
    api = community.api
    # A street has no street above it to report to (here its own secretary tries).
    secretary = {"Authorization": f"Bearer dev:s1:community_secretary:{community.street}"}
    response = api.client.post(
        f"/tenants/{community.street}/upward-reports", json={"period": "2025H1"}, headers=secretary
    )
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "no-street-to-report-to"
    admin = api.post(f"/tenants/{community.street}/upward-reports", {"period": "2025H1"}, 403)
    assert admin["code"] == "forbidden"
    early = api.t("/upward-reports", {"period": "2025H2", "occurred_at": "2025-06-30T10:00:00+08:00"},
                  422)  # fmt: skip
    assert early["code"] == "invalid-value"
    malformed = api.t("/upward-reports", {"period": "2025H3"}, 422)
    assert malformed["code"] == "validation-error"
    assert _filed(api, api.tenant) == []


def test_roles_and_other_tenants_ids(community: Community) -> None:
    api, street = community.api, community.street
    filed = api.t("/upward-reports", {"period": "2025H1", "occurred_at": FILED_ON}, 201)
    sibling = f"{api.tenant}-sibling"
    api.post("/tenants", {"tenant_id": sibling, "kind": "community", "parent_id": street,
                          "name": "长桥社区"}, 201)  # fmt: skip
    client, received = api.client, filed["received_report_id"]
    path = f"/tenants/{street}/received-reports/{received}/acknowledgement"
    # A community may not decide on its street's records: the street answers as unknown.
    assert client.post(path, json={}, headers=manager_token(api.tenant, set())).status_code == 404
    liaison = {"Authorization": f"Bearer dev:l1:unit_liaison:{api.tenant}:{community.units[0]}"}
    files = f"/tenants/{api.tenant}/upward-reports"
    assert client.post(files, json={"period": "2025Q3"}, headers=liaison).status_code == 403
    # Another community's report is unknown to a sibling, and the street's copy is no
    # record of the community's log.
    ids = "query($t: ID!, $r: ID!) { tenant(id: $t) { upwardReport(id: $r) { id } } }"
    sibling_reads = api.gql(ids, t=sibling, r=filed["record_id"])["data"]["tenant"]
    assert sibling_reads["upwardReport"] is None
    own = api.gql(ids, t=api.tenant, r=received)["data"]["tenant"]
    assert own["upwardReport"] is None
    other = f"{api.tenant}-elsewhere"
    api.post("/tenants", {"tenant_id": other, "kind": "street", "name": "别的街道"}, 201)
    unknown = api.post(f"/tenants/{other}/received-reports/{received}/acknowledgement", {}, 404)
    assert unknown["code"] == "not-found"
    # The street reads its community's report; a community does not read its street.
    variables = {"t": api.tenant, "r": filed["record_id"]}
    admin = manager_token(street, {street})
    seen = client.post("/graphql", json={"query": ids, "variables": variables}, headers=admin)
    assert seen.json()["data"]["tenant"]["upwardReport"]["id"] == filed["record_id"]
    query = {"query": RECEIVED, "variables": {"t": street}}
    unseen = client.post("/graphql", json=query, headers=manager_token(api.tenant, set())).json()
    assert unseen["data"]["tenant"] is None


@pytest.mark.parametrize("outcome", ["acknowledgement", "return"])
def test_a_stale_expected_version_decides_nothing(community: Community, outcome: str) -> None:
    api, street = community.api, community.street
    filed = api.t("/upward-reports", {"period": "2025H1", "occurred_at": FILED_ON}, 201)
    path = f"/tenants/{street}/received-reports/{filed['received_report_id']}/{outcome}"
    stale = api.post(path, {"expected_version": 2, "reason": "x"}, 409)
    assert stale["code"] == "version-conflict"
    api.post(path, {"expected_version": 1, "reason": "请补充"})
