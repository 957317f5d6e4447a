"""Rubrics and evaluations over HTTP: a street scores its communities and ranks them."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

from tests.api.conftest import Api, manager_token

SOURCES = [{"id": "inspection", "label": "街道检查", "weight": "0.6"},
           {"id": "self", "label": "自评", "weight": "0.2"},
           {"id": "residents", "label": "居民评议", "weight": "0.2"}]  # fmt: skip


def _street(api: Api, communities: int = 3) -> list[str]:
    api.post("/tenants", {"tenant_id": api.tenant, "kind": "street", "name": "枫林街道"}, 201)
    ids = [f"{api.tenant}-c{n}" for n in range(communities)]
    for n, community in enumerate(ids):
        api.post("/tenants", {"tenant_id": community, "kind": "community", "parent_id": api.tenant,
                              "name": f"第{n + 1}社区"}, 201)  # fmt: skip
    return ids


def _rubric(api: Api) -> str:
    rubric = api.t("/rubrics", {"name": "六位一体考评细则", "template": "six_in_one"}, 201)
    api.t(f"/rubrics/{rubric['record_id']}/publication", {"revision": 1})
    return str(rubric["record_id"])


def _score_all(api: Api, evaluation: str, points: dict[str, Decimal]) -> None:
    items = api.gql("query($t: ID!, $e: ID!) { tenant(id: $t) { evaluation(id: $e) { items { id maxPoints } } } }",
                    t=api.tenant, e=evaluation)["data"]["tenant"]["evaluation"]["items"]  # fmt: skip
    for item in items:
        for source, share in points.items():
            value = (Decimal(item["maxPoints"]) * share).quantize(Decimal("0.01"))
            api.t(f"/evaluations/{evaluation}/scores",
                  {"item_id": item["id"], "source_id": source, "points": str(value)})  # fmt: skip


def test_a_street_evaluates_ranks_and_handles_an_appeal(api: Api) -> None:
    communities = _street(api)
    rubric = _rubric(api)
    structure = api.gql("query($t: ID!) { tenant(id: $t) { rubrics(first: 5) { nodes { revisions { published total categories { weight items { id } } } } } } }",
                        t=api.tenant)["data"]["tenant"]["rubrics"]["nodes"][0]["revisions"][0]  # fmt: skip
    assert [c["weight"] for c in structure["categories"]] == ["20", "20", "15", "15", "15", "15"]
    assert sum(len(c["items"]) for c in structure["categories"]) == 23
    evaluations = {}
    for community, share in zip(communities, ("0.9", "0.8", "0.7"), strict=True):
        opened = api.t("/evaluations", {"subject_kind": "community", "subject_id": community,
                                        "period": "2026H1", "rubric_id": rubric, "revision": 1,
                                        "sources": SOURCES}, 201)  # fmt: skip
        evaluations[community] = opened["record_id"]
        _score_all(api, opened["record_id"], {"inspection": Decimal(share), "self": Decimal("1"),
                                               "residents": Decimal(share)})  # fmt: skip
    first = evaluations[communities[0]]
    api.t(
        f"/evaluations/{first}/scores", {"item_id": "01", "source_id": "self", "points": "5"}, 422
    )
    api.t(f"/evaluations/{first}/scores", {"item_id": "01", "source_id": "self", "points": "5",
                                           "reason": "自评偏高，修正"})  # fmt: skip
    totals = {
        c: api.t(f"/evaluations/{e}/finalisation")["weighted_total"] for c, e in evaluations.items()
    }
    assert Decimal(totals[communities[1]]) == Decimal("84.00")  # 0.6·80 + 0.2·100 + 0.2·80
    ranking = api.gql("query($t: ID!) { tenant(id: $t) { ranking(period: \"2026H1\") { rank subjectId subjectName weightedTotal } } }",
                      t=api.tenant)["data"]["tenant"]["ranking"]  # fmt: skip
    assert [r["subjectId"] for r in ranking] == communities
    assert [r["rank"] for r in ranking] == [1, 2, 3] and ranking[0]["subjectName"] == "第1社区"

    third = evaluations[communities[2]]
    # Only the evaluated community appeals: its secretary, not the street's staff.
    api.t(f"/evaluations/{third}/appeals", {"reason": "居民评议样本不足"}, 403)
    subject = manager_token(communities[2], api.streets)
    api.t(f"/evaluations/{third}/appeals", {}, 422, headers=subject)
    api.t(f"/evaluations/{third}/appeals", {"reason": "居民评议样本不足"}, headers=subject)
    api.t(f"/evaluations/{third}/appeal-resolution", {"outcome": "reopened", "reason": "补充评议"})
    api.t(f"/evaluations/{third}/scores", {"item_id": "02", "source_id": "residents", "points": "6",
                                           "reason": "补充评议后"})  # fmt: skip
    reopened = api.t(f"/evaluations/{third}/finalisation")
    assert Decimal(reopened["weighted_total"]) == Decimal(totals[communities[2]]) + Decimal(
        "0.2"
    ) * (6 - Decimal("4.2"))
    view = api.gql("query($t: ID!, $e: ID!) { tenant(id: $t) { evaluation(id: $e) { statusLabel weightedTotal sources { sourceId total } history { type reason } } } }",
                   t=api.tenant, e=third)["data"]["tenant"]["evaluation"]  # fmt: skip
    assert view["statusLabel"] == "已定稿" and view["weightedTotal"] == reopened["weighted_total"]
    assert [h["type"] for h in view["history"]][-4:] == [
        "Appealed",
        "AppealResolved",
        "Scored",
        "Finalised",
    ]


def test_finalising_names_missing_scores_and_nothing_is_written(api: Api) -> None:
    communities = _street(api, 1)
    rubric = _rubric(api)
    evaluation = api.t("/evaluations", {"subject_kind": "community", "subject_id": communities[0],
                                        "period": "2026H1", "rubric_id": rubric, "revision": 1,
                                        "sources": SOURCES}, 201)["record_id"]  # fmt: skip
    head = api.head()
    refused = api.t(f"/evaluations/{evaluation}/finalisation", {}, 409)
    assert refused["code"] == "scores-missing" and "01/inspection" in refused["detail"]
    # The same list, machine-readable: every item and source of the rubric, in order.
    missing = refused["missing"]
    assert {"item": "01", "source": "inspection"} in missing
    sources = [s["id"] for s in SOURCES]
    assert [m["source"] for m in missing[: len(sources)]] == sources
    assert len(missing) == len({(m["item"], m["source"]) for m in missing}) > len(sources)
    over = api.t(
        f"/evaluations/{evaluation}/scores",
        {"item_id": "01", "source_id": "self", "points": "6.5"},
        422,
    )
    assert over["code"] == "invalid-value"
    assert api.head() == head


def test_a_subject_has_one_evaluation_per_period(api: Api) -> None:
    communities = _street(api, 1)
    rubric = _rubric(api)
    body = {"subject_kind": "community", "subject_id": communities[0], "period": "2026H1",
            "rubric_id": rubric, "revision": 1, "sources": SOURCES}  # fmt: skip
    first = api.t("/evaluations", body, 201)["record_id"]
    head = api.head()
    refused = api.t("/evaluations", body, 409)
    assert refused["code"] == "evaluation-exists" and first in refused["detail"]
    assert api.head() == head, "nothing recorded"
    # Another period of the same community is a new evaluation.
    second = api.t("/evaluations", {**body, "period": "2026H2"}, 201)["record_id"]
    assert second != first


def test_rubrics_must_add_up_and_evaluations_keep_their_revision(api: Api) -> None:
    communities = _street(api, 1)
    structure = {"total": "10", "categories": [{"id": "a", "label_zh": "甲", "weight": "10", "items": [
        {"id": "a1", "label_zh": "一", "max_points": "4"}, {"id": "a2", "label_zh": "二", "max_points": "5"}]}]}  # fmt: skip
    rubric = api.t("/rubrics", {"name": "试行细则", "structure": structure}, 201)["record_id"]
    refused = api.t(f"/rubrics/{rubric}/publication", {"revision": 1}, 409)
    assert refused["code"] == "rubric-inconsistent" and "sum to 9" in refused["detail"]
    structure["categories"][0]["items"][1]["max_points"] = "6"  # type: ignore[index]
    assert (
        api.t(f"/rubrics/{rubric}/revisions", {"structure": structure}, 422)["code"]
        == "reason-required"
    )
    assert (
        api.t(f"/rubrics/{rubric}/revisions", {"structure": structure, "reason": "修正分值"})[
            "revision"
        ]
        == 2
    )
    api.t(f"/rubrics/{rubric}/publication", {"revision": 2})
    unpublished = api.t("/evaluations", {"subject_kind": "community", "subject_id": communities[0], "period": "2026",
                                         "rubric_id": rubric, "revision": 1, "sources": SOURCES}, 409)  # fmt: skip
    assert unpublished["code"] == "rubric-not-published"
    evaluation = api.t("/evaluations", {"subject_kind": "community", "subject_id": communities[0], "period": "2026",
                                        "rubric_id": rubric, "revision": 2, "sources": SOURCES}, 201)["record_id"]  # fmt: skip
    structure["categories"][0]["items"][1]["max_points"] = "5"  # type: ignore[index]
    structure["categories"][0]["items"].append({"id": "a3", "label_zh": "三", "max_points": "1"})  # type: ignore[index]
    api.t(f"/rubrics/{rubric}/revisions", {"structure": structure, "reason": "增加一项"})
    api.t(f"/rubrics/{rubric}/publication", {"revision": 3})
    items = api.gql("query($t: ID!, $e: ID!) { tenant(id: $t) { evaluation(id: $e) { revision items { id maxPoints } } } }",
                    t=api.tenant, e=evaluation)["data"]["tenant"]["evaluation"]  # fmt: skip
    assert items == {
        "revision": 2,
        "items": [{"id": "a1", "maxPoints": "4"}, {"id": "a2", "maxPoints": "6"}],
    }


def test_subjects_belong_to_the_evaluator(api: Api) -> None:
    communities = _street(api, 1)
    rubric = _rubric(api)
    stranger = f"{api.tenant}-elsewhere"
    api.post("/tenants", {"tenant_id": stranger, "kind": "street", "name": "别的街道"}, 201)
    api.post(
        "/tenants",
        {
            "tenant_id": f"{stranger}-c",
            "kind": "community",
            "parent_id": stranger,
            "name": "外社区",
        },
        201,
    )
    body = {
        "subject_kind": "community",
        "period": "2026H1",
        "rubric_id": rubric,
        "revision": 1,
        "sources": SOURCES,
    }
    assert (
        api.t("/evaluations", {**body, "subject_id": f"{stranger}-c"}, 404)["code"] == "not-found"
    )
    bad = api.t("/evaluations", {**body, "subject_id": communities[0], "sources": SOURCES[:2]}, 422)
    assert "sum to exactly 1" in bad["detail"]


def test_indicators_and_rectifications_show_beside_the_items(api: Api) -> None:
    communities = _street(api, 1)
    community = communities[0]
    api.post(f"/tenants/{community}/commitments", {"maker_kind": "community_party_organisation", "maker_id": community,
                                                   "text": "开放党群服务中心", "category": "便民", "due": "2026-12-31"}, 201)  # fmt: skip
    commitment = api.gql("query($t: ID!) { tenant(id: $t) { commitments { nodes { id } } } }",
                         t=community)["data"]["tenant"]["commitments"]["nodes"][0]["id"]  # fmt: skip
    api.post(
        f"/tenants/{community}/commitments/{commitment}/publication",
        {"channel": "meeting", "published_on": "2026-01-05"},
    )
    for resident, rating in (("r1", 5), ("r2", 3)):
        api.post(f"/tenants/{community}/commitments/{commitment}/ratings",
                 {"resident_id": resident, "period": "2026Q1", "rating": rating})  # fmt: skip
    rubric = _rubric(api)
    evaluation = api.t("/evaluations", {"subject_kind": "community", "subject_id": community, "period": "2026H1",
                                        "rubric_id": rubric, "revision": 1, "sources": SOURCES}, 201)["record_id"]  # fmt: skip
    api.t(f"/evaluations/{evaluation}/rectifications", {"rectification_id": "r1", "problem": "花名册未更新",
                                                        "responsible": "社区党委", "deadline": "2026-01-31"}, 201)  # fmt: skip
    view = api.gql("query($t: ID!, $e: ID!) { tenant(id: $t) { evaluation(id: $e) { items { id indicator indicatorLabel indicatorFigure { numerator denominator rate meetsTarget } scores { points } } rectifications { id overdue closed } } openRectifications { nodes { id } } } }",
                   t=api.tenant, e=evaluation)["data"]["tenant"]  # fmt: skip
    satisfaction = next(
        i for i in view["evaluation"]["items"] if i["indicator"] == "commitment_satisfaction"
    )
    assert satisfaction["indicatorLabel"] == "承诺群众满意率"
    assert satisfaction["indicatorFigure"] == {
        "numerator": 1,
        "denominator": 2,
        "rate": "0.5000",
        "meetsTarget": False,
    }
    assert satisfaction["scores"] == [], "an indicator is evidence, never an automatic score"
    assert view["evaluation"]["rectifications"] == [{"id": "r1", "overdue": True, "closed": False}]
    assert view["openRectifications"]["nodes"] == [{"id": "r1"}]
    # The street verifies a closure only after the community reports it done.
    refused = api.t(f"/evaluations/{evaluation}/rectifications/r1/closure", {"evidence": "x"}, 409)
    assert refused["code"] == "rectification-not-reported"
    path = f"/evaluations/{evaluation}/rectifications/r1"
    assert api.t(f"{path}/report", {"evidence": "代报"}, 403)["code"] == "forbidden"
    subject = manager_token(community, api.streets)
    api.t(f"{path}/report", {"evidence": "已更新花名册"}, headers=subject)
    again = api.t(f"{path}/report", {"evidence": "再报"}, 409, headers=subject)
    assert again["code"] == "rectification-not-open"
    assert api.t(f"{path}/return", {}, 422)["code"] == "reason-required"
    api.t(f"{path}/return", {"reason": "花名册缺少流动党员"})
    api.t(f"{path}/report", {"evidence": "补充流动党员后的花名册"}, headers=subject)
    reported = api.gql("query($t: ID!, $e: ID!) { tenant(id: $t) { evaluation(id: $e) { rectifications { statusLabel closed report history { type reason } } } } }",
                       t=api.tenant, e=evaluation)["data"]["tenant"]["evaluation"]["rectifications"][0]  # fmt: skip
    assert reported["statusLabel"] == "待街道核验" and reported["closed"] is False
    assert reported["report"] == "补充流动党员后的花名册"
    assert [h["type"] for h in reported["history"]] == [
        "RectificationRequired", "RectificationReported", "RectificationReturned",
        "RectificationReported",
    ]  # fmt: skip
    assert reported["history"][2]["reason"] == "花名册缺少流动党员"
    api.t(f"/evaluations/{evaluation}/rectifications/r1/closure", {"evidence": "更新后的花名册"})
    assert api.gql(
        "query($t: ID!) { tenant(id: $t) { openRectifications { totalCount nodes { id } } } }",
        t=api.tenant,
    )["data"]["tenant"]["openRectifications"] == {"totalCount": 0, "nodes": []}


def test_a_community_evaluates_its_own_member_units_only(api: Api) -> None:
    communities = _street(api, 1)
    community = communities[0]
    unit = api.post(
        f"/tenants/{community}/units", {"name": "区医院", "kind": "public_institution"}, 201
    )["record_id"]
    rubric = api.post(
        f"/tenants/{community}/rubrics", {"name": "成员单位考评", "template": "six_in_one"}, 201
    )["record_id"]
    api.post(f"/tenants/{community}/rubrics/{rubric}/publication", {"revision": 1})
    body = {"period": "2026", "rubric_id": rubric, "revision": 1, "sources": SOURCES}
    opened = api.post(
        f"/tenants/{community}/evaluations",
        {**body, "subject_kind": "member_unit", "subject_id": unit},
        201,
    )
    assert opened["version"] == 1
    for subject, status in (("not-a-uuid", 404), (str(uuid4()), 404)):
        refused = api.post(
            f"/tenants/{community}/evaluations",
            {**body, "subject_kind": "member_unit", "subject_id": subject},
            status,
        )
        assert refused["code"] == "not-found"
    wrong_level = api.post(
        f"/tenants/{community}/evaluations",
        {**body, "subject_kind": "community", "subject_id": community},
        422,
    )
    assert "evaluated by their street" in wrong_level["detail"]
