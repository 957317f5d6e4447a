"""Commendations over HTTP: nominated from a finalised evaluation or directly with a
reason, decided by the awarding tenant, published, revocable with a reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.api.conftest import Api, Community, manager_token

ONE_SOURCE = [{"id": "inspection", "label": "街道检查", "weight": "1"}]
LIST = """query($t: ID!, $p: Int, $period: String, $kind: CommendationKind, $state: CommendationStatus) {
  tenant(id: $t, atPosition: $p) { commendations(period: $period, kind: $kind, status: $state) {
    nodes { id kind kindLabel nomineeId nomineeTenant period status statusLabel grounds
            publishedOn channelLabel revocationReason
            evaluation { id status weightedTotal } member { id } unit { id name }
            history { type reason } } } } }"""


def _commendations(api: Api, t: str, **variables: Any) -> list[dict[str, Any]]:
    data = api.gql(LIST, t=t, **variables)["data"]["tenant"]["commendations"]["nodes"]
    return list(data)


def _finalised_evaluation(api: Api, community: str) -> str:
    rubric = api.t("/rubrics", {"name": "六位一体考评细则", "template": "six_in_one"}, 201)
    api.t(f"/rubrics/{rubric['record_id']}/publication", {"revision": 1})
    evaluation = api.t("/evaluations", {"subject_kind": "community", "subject_id": community,
                                        "period": "2026H1", "rubric_id": rubric["record_id"],
                                        "revision": 1, "sources": ONE_SOURCE}, 201)["record_id"]  # fmt: skip
    items = api.gql("query($t: ID!, $e: ID!) { tenant(id: $t) { evaluation(id: $e) { items { id maxPoints } } } }",
                    t=api.tenant, e=evaluation)["data"]["tenant"]["evaluation"]["items"]  # fmt: skip
    body = {"kind": "advanced_party_organisation", "nominee_id": community, "period": "2026",
            "evaluation_id": evaluation}  # fmt: skip
    # Not yet final: no commendation comes from it.
    assert api.t("/commendations", body, 409)["code"] == "evaluation-not-final"
    for item in items:
        points = str(Decimal(item["maxPoints"]) * Decimal("0.9"))
        api.t(f"/evaluations/{evaluation}/scores",
              {"item_id": item["id"], "source_id": "inspection", "points": points})  # fmt: skip
    api.t(f"/evaluations/{evaluation}/finalisation")
    return str(evaluation)


def test_a_street_commends_a_community_from_its_finalised_evaluation(api: Api) -> None:
    api.post("/tenants", {"tenant_id": api.tenant, "kind": "street", "name": "枫林街道"}, 201)
    communities = [f"{api.tenant}-c{n}" for n in range(2)]
    for n, community in enumerate(communities):
        api.post("/tenants", {"tenant_id": community, "kind": "community", "parent_id": api.tenant,
                              "name": f"第{n + 1}社区"}, 201)  # fmt: skip
    evaluation = _finalised_evaluation(api, communities[0])
    body = {"kind": "advanced_party_organisation", "period": "2026", "evaluation_id": evaluation}
    # The evaluation is of the first community: it does not support the second.
    other = api.t("/commendations", {**body, "nominee_id": communities[1]}, 422)
    assert other["code"] == "invalid-value"
    # An evaluation of 2026H1 is no ground for a 2025 commendation.
    early = {**body, "nominee_id": communities[0], "period": "2025"}
    assert api.t("/commendations", early, 422)["code"] == "invalid-value"
    nominated = api.t("/commendations", {**body, "nominee_id": communities[0]}, 201)
    commendation = nominated["record_id"]
    again = api.t("/commendations", {**body, "nominee_id": communities[0]}, 409)
    assert again["code"] == "commendation-exists"
    api.t(f"/commendations/{commendation}/publication",
          {"published_on": "2026-07-01", "channel": "document"}, 409)  # fmt: skip
    api.t(f"/commendations/{commendation}/decision", {"outcome": "approved"})
    published = api.t(f"/commendations/{commendation}/publication",
                      {"published_on": "2026-07-01", "channel": "document"})  # fmt: skip
    assert api.t(f"/commendations/{commendation}/revocation", {}, 422)["code"] == "reason-required"
    api.t(f"/commendations/{commendation}/revocation", {"reason": "考评结果复核后撤销"})

    [now] = _commendations(api, api.tenant, period="2026", kind="ADVANCED_PARTY_ORGANISATION")
    assert now["kindLabel"] == "先进基层党组织" and now["nomineeId"] == communities[0]
    assert now["statusLabel"] == "已撤销" and now["revocationReason"] == "考评结果复核后撤销"
    assert now["evaluation"]["id"] == evaluation and now["evaluation"]["status"] == "final"
    assert now["member"] is None and now["unit"] is None
    assert [h["type"] for h in now["history"]] == ["Nominated", "Decided", "Published", "Revoked"]
    # As of its publication it stood published, through the channel named.
    [then] = _commendations(api, api.tenant, p=published["position"])
    assert then["status"] == "published" and then["channelLabel"] == "文件"
    assert then["publishedOn"] == "2026-07-01" and then["revocationReason"] is None
    assert _commendations(api, api.tenant, period="2025") == []
    assert _commendations(api, api.tenant, state="PUBLISHED") == []


def test_a_direct_nomination_and_a_rejection_need_reasons(community: Community) -> None:
    api = community.api
    member = community.member("张建国")
    body = {"kind": "outstanding_party_member", "nominee_id": member, "period": "2026"}
    assert api.t("/commendations", body, 422)["code"] == "reason-required"
    commendation = api.t("/commendations", {**body, "reason": "带头参与楼道治理"}, 201)["record_id"]
    decision = f"/commendations/{commendation}/decision"
    assert api.t(decision, {"outcome": "rejected"}, 422)["code"] == "reason-required"
    api.t(decision, {"outcome": "rejected", "reason": "名额已满"})
    assert api.t(decision, {"outcome": "approved"}, 409)["code"] == "commendation-decided"
    publication = {"published_on": "2026-07-01", "channel": "notice_board"}
    refused = api.t(f"/commendations/{commendation}/publication", publication, 409)
    assert refused["code"] == "commendation-not-approved"
    [found] = _commendations(api, api.tenant)
    assert found["statusLabel"] == "未批准" and found["grounds"] == "带头参与楼道治理"
    assert found["evaluation"] is None and found["member"] == {"id": member}
    assert [h["reason"] for h in found["history"]] == ["带头参与楼道治理", "名额已满"]


def test_nominees_must_exist_where_the_tenant_may_commend_them(community: Community) -> None:
    api = community.api
    body = {"kind": "outstanding_member_unit", "period": "2026", "reason": "共建成效突出"}
    missing = "00000000-0000-0000-0000-000000000000"
    assert api.t("/commendations", {**body, "nominee_id": missing}, 404)["code"] == "not-found"
    assert api.t("/commendations", {**body, "nominee_id": "not-a-uuid"}, 404)["code"] == "not-found"
    # A community commends no party organisation: that is its street's.
    organisation = {**body, "kind": "advanced_party_organisation", "nominee_id": api.tenant}
    assert api.t("/commendations", organisation, 422)["code"] == "invalid-value"
    # A unit of this community is no member of the street itself.
    street_unit = {**body, "nominee_id": community.units[0]}
    api.post(f"/tenants/{community.street}/commendations", street_unit, 404)


def test_a_community_nominates_its_own_units_to_its_street_which_decides(
    community: Community,
) -> None:
    api, street = community.api, community.street
    sibling = f"{api.tenant}-sibling"
    api.post("/tenants", {"tenant_id": sibling, "kind": "community", "parent_id": street,
                          "name": "长桥社区"}, 201)  # fmt: skip
    secretary = manager_token(api.tenant, api.streets)
    nomination = {"kind": "outstanding_member_unit", "nominee_id": community.units[0],
                  "nominee_tenant": api.tenant, "period": "2026", "reason": "共建成效突出"}  # fmt: skip
    path = f"/tenants/{street}/commendations"
    response = api.client.post(path, json=nomination, headers=secretary)
    assert response.status_code == 201, response.text
    commendation = response.json()["record_id"]
    # Not for another community's units.
    foreign = {**nomination, "nominee_tenant": sibling}
    assert api.client.post(path, json=foreign, headers=secretary).status_code == 403
    # The street decides: to a community that may not read its street, a decision
    # there answers as for an unknown tenant.
    decision = f"{path}/{commendation}/decision"
    refused = api.client.post(decision, json={"outcome": "approved"}, headers=secretary)
    assert refused.status_code == 404
    api.post(decision, {"outcome": "approved"})
    [found] = _commendations(api, street, kind="OUTSTANDING_MEMBER_UNIT")
    assert found["nomineeTenant"] == api.tenant and found["unit"]["name"] == "区医院党委"
    assert found["history"][0]["type"] == "Nominated" and found["statusLabel"] == "已批准"
