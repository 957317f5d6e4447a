"""Computed figures as of a moment: derived from the rows visible then; and the
figures shown with a finalised evaluation stay those known when it was finalised."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.api.conftest import Api, Community

FIGURES = """query($t: ID!, $p: Int) { tenant(id: $t, atPosition: $p) {
  participation { members { numerator denominator } }
  commitmentSatisfaction { numerator denominator } } }"""


def _figures(api: Api, position: int | None) -> dict[str, Any]:
    data: dict[str, Any] = api.gql(FIGURES, t=api.tenant, p=position)["data"]["tenant"]
    return {
        "participation": data["participation"]["members"],
        "satisfaction": data["commitmentSatisfaction"],
    }


def _rate(api: Api, commitment: str, resident: str, rating: int) -> None:
    body = {"resident_id": resident, "period": "2026", "rating": rating}
    api.t(f"/commitments/{commitment}/ratings", body)


def _commitment(api: Api, unit: str) -> str:
    made = api.t("/commitments", {"maker_kind": "unit_party_organisation", "maker_id": unit,
                                  "text": "义诊", "category": "服务", "due": "2030-12-31"}, 201)  # fmt: skip
    api.t(f"/commitments/{made['record_id']}/publication",
          {"channel": "notice_board", "published_on": "2026-01-05"})  # fmt: skip
    return str(made["record_id"])


def test_figures_as_of_a_position_count_only_what_was_recorded_by_then(
    community: Community,
) -> None:
    api = community.api
    empty = api.head()
    member = community.member("周敏", "retired")
    post = api.t("/posts", {"title": "宣讲", "category": "publicity_education", "capacity": 3},
                 201)["record_id"]  # fmt: skip
    api.t(f"/members/{member}/claims", {"post_id": post})
    today = datetime.now(UTC).date().isoformat()
    logged = api.t(f"/members/{member}/service-logs", {"post_id": post, "served_on": today,
                                                       "hours": "2", "what": "宣讲"}, 201)  # fmt: skip
    api.t(f"/members/{member}/service-logs/{logged['log_id']}/review", {"confirmed": True})
    commitment = _commitment(api, community.units[0])
    _rate(api, commitment, "r-1", 5)
    now = _figures(api, None)
    assert now == {"participation": {"numerator": 1, "denominator": 1},
                   "satisfaction": {"numerator": 1, "denominator": 1}}  # fmt: skip
    assert _figures(api, api.head()) == now
    before = _figures(api, empty)
    assert before == {"participation": {"numerator": 0, "denominator": 0},
                      "satisfaction": {"numerator": 0, "denominator": 0}}  # fmt: skip


def test_an_evaluations_figures_stay_those_known_when_it_was_finalised(
    community: Community,
) -> None:
    api = community.api
    commitment = _commitment(api, community.units[0])
    _rate(api, commitment, "r-1", 5)
    street = Api(api.client, community.street, api.streets)
    structure = {"total": "10", "categories": [{"id": "c", "label_zh": "公开承诺", "weight": "10",
                 "items": [{"id": "s", "label_zh": "群众满意度", "max_points": "10",
                            "indicator": "commitment_satisfaction"}]}]}  # fmt: skip
    rubric = street.t("/rubrics", {"name": "细则", "structure": structure}, 201)["record_id"]
    street.t(f"/rubrics/{rubric}/publication", {"revision": 1})
    opened = street.t("/evaluations", {"subject_kind": "community", "subject_id": api.tenant,
                                       "period": "2026", "rubric_id": rubric, "revision": 1,
                                       "sources": [{"id": "i", "label": "检查", "weight": "1"}]},
                      201)["record_id"]  # fmt: skip
    street.t(f"/evaluations/{opened}/scores", {"item_id": "s", "source_id": "i", "points": "9"})
    query = """query($t: ID!, $e: ID!) { tenant(id: $t) { evaluation(id: $e) {
      items { indicatorFigure { numerator denominator } } } } }"""

    def shown() -> dict[str, int]:
        data = street.gql(query, t=community.street, e=opened)["data"]["tenant"]
        figure: dict[str, int] = data["evaluation"]["items"][0]["indicatorFigure"]
        return figure

    assert shown() == {"numerator": 1, "denominator": 1}  # open: as things are now
    street.t(f"/evaluations/{opened}/finalisation")
    _rate(api, commitment, "r-2", 1)  # a later, unhappy resident
    assert _figures(api, None)["satisfaction"] == {"numerator": 1, "denominator": 2}
    assert shown() == {"numerator": 1, "denominator": 1}, "frozen at finalisation"
