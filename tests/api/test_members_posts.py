"""Members, posts, claims, service logs, participation and transfers over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from domain.charters import local_date
from domain.periods import Period
from domain.rubrics import Indicator
from projections import indicators
from tenants.commands import cross_tenant
from tests.api.conftest import Community

MEMBER = """query($t: ID!, $m: ID!) { tenant(id: $t) { member(id: $m) {
  name memberClassLabel statusLabel membershipHere reportedOn workUnit confirmedHours
  claims { postId active endReason post { title categoryLabel } }
  serviceLogs { hours status rejectReason history { type reason } }
  yearReviews { year ratingLabel feedback } pendingTransfer { toTenantId } transferredFrom } } }"""


def _post(community: Community, title: str = "楼道巡查", capacity: int = 2) -> str:
    return str(community.api.t("/posts", {"title": title, "category": "public_safety_patrol",
                                          "capacity": capacity}, 201)["record_id"])  # fmt: skip


def test_an_in_service_member_reports_claims_serves_and_is_reviewed(community: Community) -> None:
    api = community.api
    worker = community.member("李强", "in_service", work_unit="区税务局")
    patrol, elderly = _post(community), _post(community, "助老服务", 1)
    refused = api.t(f"/members/{worker}/claims", {"post_id": patrol}, 409)
    assert refused["code"] == "not-reported-at-residence"
    api.t(f"/members/{worker}/residence-report", {"reported_on": "2026-03-01"})
    api.t(f"/members/{worker}/claims", {"post_id": patrol})
    api.t(f"/members/{worker}/claims", {"post_id": elderly})
    third = _post(community, "文体活动")
    assert (
        api.t(f"/members/{worker}/claims", {"post_id": third}, 409)["code"] == "claim-limit-reached"
    )
    first = api.t(f"/members/{worker}/service-logs", {"post_id": patrol, "served_on": "2026-03-07",
                                                      "hours": "2.5", "what": "夜间巡查"}, 201)  # fmt: skip
    second = api.t(f"/members/{worker}/service-logs", {"post_id": patrol, "served_on": "2026-03-14",
                                                       "hours": 3, "what": "巡查"}, 201)  # fmt: skip
    too_long = api.t(f"/members/{worker}/service-logs", {"post_id": patrol, "served_on": "2026-03-14",
                                                         "hours": 25, "what": "x"}, 422)  # fmt: skip
    assert too_long["code"] == "validation-error"
    # A day that has not come in the tenant's zone (Beijing) is refused.
    tomorrow = local_date(datetime.now(UTC)) + timedelta(days=1)
    head = api.head()
    future = api.t(f"/members/{worker}/service-logs", {"post_id": patrol, "hours": 1, "what": "x",
                                                       "served_on": tomorrow.isoformat()}, 422)  # fmt: skip
    assert future["code"] == "invalid-value" and tomorrow.isoformat() in future["detail"]
    assert api.head() == head
    api.t(f"/members/{worker}/service-logs/{first['log_id']}/review", {"confirmed": True})
    api.t(f"/members/{worker}/service-logs/{second['log_id']}/review", {"confirmed": False}, 422)
    api.t(f"/members/{worker}/service-logs/{second['log_id']}/review",
          {"confirmed": False, "reason": "无签到记录"})  # fmt: skip
    api.t(f"/members/{worker}/releases", {"post_id": elderly})
    api.t(
        f"/members/{worker}/year-reviews", {"year": 2026, "rating": "good", "feedback": "服务积极"}
    )
    data = api.gql(MEMBER, t=api.tenant, m=worker)["data"]["tenant"]["member"]
    assert data["memberClassLabel"] == "在职党员" and data["membershipHere"] is False
    assert data["confirmedHours"] == "2.50"
    assert [(c["post"]["title"], c["active"], c["endReason"]) for c in data["claims"]] == [
        ("楼道巡查", True, None),
        ("助老服务", False, "released"),
    ]
    assert data["serviceLogs"][1]["rejectReason"] == "无签到记录"
    assert data["yearReviews"] == [{"year": 2026, "ratingLabel": "良好", "feedback": "服务积极"}]


def test_capacity_retirement_and_holders(community: Community) -> None:
    api = community.api
    a, b = community.member("甲"), community.member("乙")
    post = _post(community, capacity=1)
    api.t(f"/members/{a}/claims", {"post_id": post})
    assert api.t(f"/members/{b}/claims", {"post_id": post}, 409)["code"] == "post-full"
    assert api.t(f"/posts/{post}/retirement", {}, 422)["code"] == "reason-required"
    api.t(f"/posts/{post}/retirement", {"reason": "小区改造完成"})
    posts = api.gql("query($t: ID!) { tenant(id: $t) { posts(includeRetired: true) { nodes { retired holders { name } claims { endReason } history { type } } } } }",
                    t=api.tenant)["data"]["tenant"]["posts"]["nodes"]  # fmt: skip
    assert posts == [
        {
            "retired": True,
            "holders": [],
            "claims": [{"endReason": "post_retired"}],
            # The post's history includes the member-side events about it.
            "history": [
                {"type": t} for t in ("Defined", "PostClaimed", "Claimed", "Retired", "ClaimEnded")
            ],
        }
    ]
    member = api.gql("query($t: ID!, $m: ID!) { tenant(id: $t) { member(id: $m) { claims(activeOnly: true) { postId } history { type } } } }",
                     t=api.tenant, m=a)["data"]["tenant"]["member"]  # fmt: skip
    assert member["claims"] == [] and member["history"][-1]["type"] == "ClaimEnded"


def test_participation_counts_members_whose_membership_is_here(community: Community) -> None:
    api = community.api
    today = datetime.now(UTC).date()
    retired = [community.member(f"退休{n}") for n in range(3)]
    worker = community.member("在职", "in_service", work_unit="银行")
    api.t(f"/members/{worker}/residence-report", {"reported_on": str(today)})
    post = _post(community, capacity=10)
    for member in (retired[0], worker):
        api.t(f"/members/{member}/claims", {"post_id": post})
        log = api.t(f"/members/{member}/service-logs", {"post_id": post, "served_on": str(today - timedelta(days=3)),
                                                        "hours": 2, "what": "巡查"}, 201)  # fmt: skip
        api.t(f"/members/{member}/service-logs/{log['log_id']}/review", {"confirmed": True})
    # Taking part in a collective activity counts too (retired[1]); retired[2] did nothing.
    api.t("/activities", {"title": "集中清扫", "held_on": str(today - timedelta(days=10)),
                          "participant_ids": retired[:2]}, 201)  # fmt: skip
    data = api.gql("query($t: ID!) { tenant(id: $t) { participation { members { numerator denominator rate target meetsTarget } windowDays lastCollectiveActivity collectiveActivityWithinTwoMonths } } }",
                   t=api.tenant)["data"]["tenant"]["participation"]  # fmt: skip
    assert data["members"] == {
        "numerator": 2,
        "denominator": 3,
        "rate": "0.6667",
        "target": "0.6",
        "meetsTarget": True,
    }
    assert data["lastCollectiveActivity"] == str(today - timedelta(days=10))
    assert data["collectiveActivityWithinTwoMonths"] is True


MEMBER_OUT = """query($t: ID!, $m: ID!) { tenant(id: $t) { member(id: $m) {
  statusLabel transferredTo history { type reason } } } }"""


def test_participation_in_an_evaluation_counts_its_whole_period(
    community: Community, engine: Engine
) -> None:
    api = community.api
    # Three members: one served in January, one joined June's activity, one did neither.
    early, late, _ = (community.member(name) for name in ("早", "晚", "闲"))
    post = _post(community, capacity=10)
    api.t(f"/members/{early}/claims", {"post_id": post})
    log = api.t(f"/members/{early}/service-logs", {"post_id": post, "served_on": "2026-01-15",
                                                   "hours": 2, "what": "巡查"}, 201)  # fmt: skip
    api.t(f"/members/{early}/service-logs/{log['log_id']}/review", {"confirmed": True})
    api.t("/activities", {"title": "集中清扫", "held_on": "2026-06-20", "participant_ids": [late]},
          201)  # fmt: skip
    half = Period.parse("2026H1")
    whole = indicators.figure_for(engine, Indicator.POST_PARTICIPATION, "community", api.tenant,
                                  community.street, half)  # fmt: skip
    assert whole is not None and (whole.numerator, whole.denominator) == (2, 3)
    # The last 60 days of the half-year alone would miss January's service.
    recent = indicators.post_participation(engine, api.tenant, half.end)
    assert (recent.numerator, recent.denominator) == (1, 3)


def test_a_transfer_records_both_sides(community: Community) -> None:
    api = community.api
    other = f"{api.tenant}-other"
    api.post("/tenants", {"tenant_id": other, "kind": "community", "parent_id": community.street,
                          "name": "桂林苑社区"}, 201)  # fmt: skip
    member = community.member("赵敏")
    moved = api.t(f"/members/{member}/transfer", {"to_tenant_id": other, "reason": "搬家"})
    source = api.gql(MEMBER, t=api.tenant, m=member)["data"]["tenant"]["member"]
    assert source["statusLabel"] == "已转出"
    target = api.gql(MEMBER, t=other, m=moved["target_member_id"])["data"]["tenant"]["member"]
    assert target["name"] == "赵敏" and target["transferredFrom"] == f"{api.tenant}/{member}"
    again = api.t(f"/members/{member}/transfer", {"to_tenant_id": other}, 409)
    assert again["code"] == "member-not-active"


def test_transfers_need_a_reason_and_may_leave_or_join_from_off_the_platform(
    community: Community,
) -> None:
    api = community.api
    other = f"{api.tenant}-other"
    api.post("/tenants", {"tenant_id": other, "kind": "community", "parent_id": community.street,
                          "name": "桂林苑社区"}, 201)  # fmt: skip
    member = community.member("孙立")
    head = api.head()
    bare = api.t(f"/members/{member}/transfer", {"to_tenant_id": other}, 422)
    assert bare["code"] == "reason-required"
    both = api.t(f"/members/{member}/transfer",
                 {"to_tenant_id": other, "to_organisation": "某单位", "reason": "x"}, 422)  # fmt: skip
    assert both["code"] == "validation-error"
    assert api.head() == head, "nothing recorded"
    # Outflow registration (流出登记) to an organisation off the platform: one step.
    api.t(f"/members/{member}/transfer", {"to_organisation": "上海市长宁区某街道党工委",
                                          "reason": "迁居上海"})  # fmt: skip
    gone = api.gql(MEMBER_OUT, t=api.tenant, m=member)["data"]["tenant"]["member"]
    assert gone == {"statusLabel": "已转出", "transferredTo": "上海市长宁区某街道党工委",
                    "history": [{"type": "Registered", "reason": None},
                                {"type": "TransferredOut", "reason": "迁居上海"}]}  # fmt: skip
    # Inflow registration (流入登记) from an organisation off the platform.
    joined = community.member("钱程", "floating", transferred_from="苏州市吴中区某社区党委")
    found = api.gql(MEMBER, t=api.tenant, m=joined)["data"]["tenant"]["member"]
    assert found["transferredFrom"] == "outside:苏州市吴中区某社区党委"


def test_an_interrupted_transfer_stays_visibly_pending_and_resumes(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = community.api
    other = f"{api.tenant}-other"
    api.post("/tenants", {"tenant_id": other, "kind": "community", "parent_id": community.street,
                          "name": "桂林苑社区"}, 201)  # fmt: skip
    member = community.member("钱进")

    def receiving_side_fails(*_: object, **__: object) -> None:
        raise RuntimeError("the receiving database went away")

    monkeypatch.setattr(cross_tenant, "received_member_id", receiving_side_fails)
    with pytest.raises(RuntimeError):
        api.t(f"/members/{member}/transfer", {"to_tenant_id": other, "reason": "迁居"})
    # The failed request projected nothing in-line; the background projector would.
    api.client.app.state.platform.projector.catch_up(api.tenant)  # type: ignore[attr-defined]
    pending = api.gql(MEMBER, t=api.tenant, m=member)["data"]["tenant"]["member"]
    assert pending["statusLabel"] == "转出中" and pending["pendingTransfer"] == {
        "toTenantId": other
    }
    monkeypatch.undo()
    done = api.t(f"/members/{member}/transfer/resume")
    assert done["target_tenant_id"] == other
    assert api.t(f"/members/{member}/transfer/resume", {}, 409)["code"] == "member-not-active"
    received = api.gql("query($t: ID!) { tenant(id: $t) { members { nodes { name } } } }",
                       t=other)["data"]["tenant"]["members"]["nodes"]  # fmt: skip
    assert received == [{"name": "钱进"}]


def test_transfers_go_to_another_community_only(community: Community) -> None:
    api = community.api
    member = community.member("孙")
    assert (
        api.t(f"/members/{member}/transfer", {"to_tenant_id": api.tenant}, 422)["code"]
        == "invalid-value"
    )
    assert (
        api.t(f"/members/{member}/transfer", {"to_tenant_id": community.street}, 422)["code"]
        == "invalid-value"
    )
    assert (
        api.t(f"/members/{member}/transfer", {"to_tenant_id": "nowhere-x"}, 404)["code"]
        == "not-found"
    )
    assert api.t(f"/members/{member}/transfer/resume", {}, 409)["code"] == "no-transfer-pending"


CLAIMS = """query($t: ID!, $m: ID!, $p: Int) { tenant(id: $t, atPosition: $p) { member(id: $m) {
  claims { id active history { type } } } } }"""


def test_a_claim_is_a_record_with_its_own_id_history_and_as_of(community: Community) -> None:
    api = community.api
    member = community.member("周敏")
    post = _post(community, capacity=3)
    api.t(f"/members/{member}/claims", {"post_id": post})
    claimed = api.head()
    api.t(f"/members/{member}/releases", {"post_id": post})
    api.t(f"/members/{member}/claims", {"post_id": post})  # the same post again
    claims = api.gql(CLAIMS, t=api.tenant, m=member)["data"]["tenant"]["member"]["claims"]
    assert len(claims) == 2 and len({c["id"] for c in claims}) == 2
    first, second = claims
    assert first["id"].startswith(f"{post}/{member}/")
    assert (first["active"], second["active"]) == (False, True)
    assert [h["type"] for h in first["history"]] == ["Claimed", "Released"]
    assert [h["type"] for h in second["history"]] == ["Claimed"]
    then = api.gql(CLAIMS, t=api.tenant, m=member, p=claimed)["data"]["tenant"]["member"]
    assert [(c["id"], c["active"]) for c in then["claims"]] == [(first["id"], True)]
