"""A public commitment over HTTP: made, published, progressed, rated, fulfilled; and its reads."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.charters import local_date
from tests.api.conftest import Community

QUERY = """query($t: ID!, $c: ID!) { tenant(id: $t) {
  commitment(id: $c) { text makerKindLabel statusLabel channelLabel lapsed
    milestones { id percent evidence overdue history { type } }
    ratings(currentOnly: false) { residentId period rating current }
    satisfaction { numerator denominator rate target meetsTarget }
    history { type reason actor { role } } }
  commitmentSatisfaction { numerator denominator meetsTarget }
  satisfactionByMaker { makerId satisfaction { numerator denominator } } } }"""


def test_a_commitment_from_promise_to_fulfilment(community: Community) -> None:
    api = community.api
    member = community.member("王芳")
    made = api.t("/commitments", {
        "maker_kind": "party_member", "maker_id": member, "text": "每月为独居老人上门服务",
        "category": "为老服务", "due": "2026-12-31",
        "milestones": [{"id": "h1", "title": "上半年走访", "due": "2026-06-30"},
                       {"id": "h2", "title": "下半年走访", "due": "2026-12-31"}]}, 201)  # fmt: skip
    c = made["record_id"]
    api.t(f"/commitments/{c}/ratings", {"resident_id": "r1", "period": "2026H1", "rating": 5}, 409)
    api.t(
        f"/commitments/{c}/publication", {"channel": "notice_board", "published_on": "2026-01-10"}
    )
    api.t(
        f"/commitments/{c}/progress",
        {"milestone_id": "h1", "percent": 100, "evidence": ["台账.pdf"]},
    )
    for resident, rating in (("r1", 2), ("r2", 5), ("r3", 4), ("r1", 4)):
        api.t(
            f"/commitments/{c}/ratings",
            {"resident_id": resident, "period": "2026H1", "rating": rating},
        )
    # h2 is still at 0%: fulfilment now needs a reason, and nothing is recorded without.
    head = api.head()
    short = api.t(f"/commitments/{c}/fulfilment", {}, 422)
    assert short["code"] == "reason-required" and "h2" in short["detail"]
    assert api.head() == head
    api.t(f"/commitments/{c}/fulfilment", {"reason": "下半年走访并入社区统一活动"})
    # Residents still rate it through the running period, but not an earlier one.
    today = local_date(datetime.now(UTC))
    running = f"{today.year}H{1 if today.month <= 6 else 2}"
    api.t(f"/commitments/{c}/ratings", {"resident_id": "r9", "period": running, "rating": 5})
    api.t(f"/commitments/{c}/ratings", {"resident_id": "r9", "period": "2020H1", "rating": 5}, 409)
    data = api.gql(QUERY, t=api.tenant, c=c)["data"]["tenant"]
    commitment = data["commitment"]
    assert commitment["statusLabel"] == "已兑现" and commitment["channelLabel"] == "党务公开栏"
    assert commitment["makerKindLabel"] == "党员" and commitment["lapsed"] is False
    assert commitment["milestones"][0]["percent"] == 100
    assert commitment["milestones"][0]["history"] == [
        {"type": "Made"},
        {"type": "ProgressReported"},
    ]
    assert [r["current"] for r in commitment["ratings"]] == [False, True, True, True, True]
    assert commitment["satisfaction"] == {
        "numerator": 4,
        "denominator": 4,
        "rate": "1.0000",
        "target": "0.9",
        "meetsTarget": True,
    }
    assert data["commitmentSatisfaction"]["numerator"] == 4
    assert data["satisfactionByMaker"] == [
        {"makerId": member, "satisfaction": {"numerator": 4, "denominator": 4}}
    ]


def test_commitment_errors(community: Community) -> None:
    api = community.api
    head = api.head()
    missing = api.t("/commitments", {"maker_kind": "unit_party_organisation",
                                     "maker_id": community.units[0].replace("-", "")[:8],
                                     "text": "t", "category": "c", "due": "2026-12-31"}, 404)  # fmt: skip
    assert missing["code"] == "not-found"
    late = api.t("/commitments", {"maker_kind": "community_party_organisation", "maker_id": api.tenant,
                                  "text": "t", "category": "c", "due": "2026-01-31",
                                  "milestones": [{"id": "m", "title": "x", "due": "2026-03-01"}]}, 422)  # fmt: skip
    assert late["code"] == "invalid-value"
    assert api.head() == head
    c = api.t("/commitments", {"maker_kind": "unit_party_organisation", "maker_id": community.units[0],
                               "text": "开放食堂", "category": "便民", "due": "2026-12-31"}, 201)["record_id"]  # fmt: skip
    assert api.t(f"/commitments/{c}/withdrawal", {}, 422)["code"] == "reason-required"
    api.t(f"/commitments/{c}/withdrawal", {"reason": "场地收回"})
    closed = api.t(
        f"/commitments/{c}/publication", {"channel": "meeting", "published_on": "2026-02-01"}, 409
    )
    assert closed["code"] == "commitment-closed"
    bad = api.t(
        f"/commitments/{c}/ratings", {"resident_id": "r", "period": "2026H3", "rating": 9}, 422
    )
    assert {e["loc"][-1] for e in bad["errors"]} == {"period", "rating"}
