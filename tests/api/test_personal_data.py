"""Personal data in GraphQL: in full for staff and auditors and for the person (or
unit) it is about; masked for integrators and everyone else, in fields and history."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from tests.api.conftest import MEETING_AT, Community, manager_token

QUERY = """query($t: ID!, $m: ID!, $mt: ID!, $c: ID!) { tenant(id: $t) {
  member(id: $m) { name workUnit yearReviews { feedback } history { actor { userId } data } }
  units { nodes { id liaison { name phone } representative { name phone } } }
  meeting(id: $mt) { attendance { unitId attendee } }
  commitment(id: $c) { ratings { residentId comment } }
  events(first: 100) { nodes { recordType data actor { userId } } }
} }"""
SECRETS = ["张伟", "区卫生院", "表现突出", "王芳", "13800138000", "李强", "很满意", "r-1"]


def _world(community: Community) -> dict[str, str]:
    api = community.api
    unit, other_unit = community.units
    member = community.member("张伟", "in_service", work_unit="区卫生院")
    api.t(f"/units/{unit}/liaison", {"name": "王芳", "phone": "+86 13800138000"})
    api.t(f"/units/{other_unit}/representative", {"name": "赵六", "phone": "021-5555 0101"})
    meeting = api.t("/meetings", {"kind": "regular", "title": "例会", "location": "会议室",
                                  "scheduled_for": MEETING_AT.isoformat()}, 201)["record_id"]  # fmt: skip
    api.t(f"/meetings/{meeting}/agenda-items", {"title": "加装电梯"}, 201)
    notice = (MEETING_AT - timedelta(days=5)).isoformat()
    api.t(f"/meetings/{meeting}/notice", {"issued_at": notice})
    api.t(f"/meetings/{meeting}/sign-ins", {"unit_id": unit, "attendee": "李强"})
    commitment = api.t("/commitments", {"maker_kind": "unit_party_organisation", "maker_id": unit,
                                        "text": "义诊", "category": "服务",
                                        "due": "2030-12-31"}, 201)["record_id"]  # fmt: skip
    api.t(f"/commitments/{commitment}/publication", {"channel": "notice_board",
                                                      "published_on": "2025-09-01"})  # fmt: skip
    rating = {"resident_id": "r-1", "period": "2025", "rating": 5, "comment": "很满意"}
    api.t(f"/commitments/{commitment}/ratings", rating, headers=_dev("r-1", "resident", api.tenant))
    api.t(f"/members/{member}/year-reviews", {"year": 2025, "rating": "excellent",
                                               "feedback": "表现突出"})  # fmt: skip
    return {"t": api.tenant, "m": member, "mt": meeting, "c": commitment, "unit": unit}


def _dev(user: str, role: str, tenant: str, bound: str | None = None) -> dict[str, str]:
    token = f"dev:{user}:{role}:{tenant}" + (f":{bound}" if bound else "")
    return {"Authorization": f"Bearer {token}"}


def _issued(community: Community, role: str, **extra: Any) -> dict[str, str]:
    """A real token, issued through the API by the street's admin."""
    api = community.api
    body = {"role": role, "user_id": f"{role}-1", **extra}
    issuer = manager_token(community.street, api.streets)
    token = api.post(f"/tenants/{api.tenant}/tokens", body, 201, headers=issuer)["token"]
    return {"Authorization": f"Bearer {token}"}


def _read(community: Community, ids: dict[str, str], headers: dict[str, str]) -> dict[str, Any]:
    variables = {k: ids[k] for k in ("t", "m", "mt", "c")}
    response = community.api.client.post(
        "/graphql", json={"query": QUERY, "variables": variables}, headers=headers
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    tenant: dict[str, Any] = body["data"]["tenant"]
    return tenant


def test_staff_and_auditors_see_personal_data_in_full(community: Community) -> None:
    ids = _world(community)
    for reader in (manager_token(ids["t"], community.api.streets), _issued(community, "auditor")):
        seen = _read(community, ids, reader)
        assert seen["member"]["name"] == "张伟" and seen["member"]["workUnit"] == "区卫生院"
        assert seen["member"]["yearReviews"] == [{"feedback": "表现突出"}]
        liaison = next(u["liaison"] for u in seen["units"]["nodes"] if u["id"] == ids["unit"])
        assert liaison == {"name": "王芳", "phone": "+86 13800138000"}
        assert seen["commitment"]["ratings"] == [{"residentId": "r-1", "comment": "很满意"}]
        assert {"unitId": ids["unit"], "attendee": "李强"} in seen["meeting"]["attendance"]
        assert all(secret in json.dumps(seen, ensure_ascii=False) for secret in SECRETS)


def test_an_integrator_sees_no_personal_data_anywhere(community: Community) -> None:
    ids = _world(community)
    seen = _read(community, ids, _issued(community, "integrator"))
    assert seen["member"]["name"] == "张*" and seen["member"]["workUnit"] is None
    assert seen["member"]["yearReviews"] == [{"feedback": None}]
    liaison = next(u["liaison"] for u in seen["units"]["nodes"] if u["id"] == ids["unit"])
    assert liaison == {"name": "王*", "phone": "+** *******8000"}
    representative = next(
        u["representative"] for u in seen["units"]["nodes"] if u["id"] != ids["unit"]
    )
    assert representative == {"name": "赵*", "phone": "***-**** 0101"}
    assert seen["commitment"]["ratings"] == [{"residentId": "***", "comment": None}]
    assert {"unitId": ids["unit"], "attendee": "李*"} in seen["meeting"]["attendance"]
    # Nor in the history and the event feed: not in data, not as the actor.
    text = json.dumps(seen, ensure_ascii=False)
    leaked = [secret for secret in SECRETS if secret in text]
    assert leaked == []
    actors = {e["actor"]["userId"] for e in seen["events"]["nodes"]}
    assert actors == {"***"}
    # What is not personal stays readable: the unit names, the meeting, the rating.
    assert "区医院党委" in text and "例会" in text


def test_people_see_their_own_record_and_no_one_elses(community: Community) -> None:
    ids = _world(community)
    api = community.api
    other = community.member("孙丽", "retired")
    own = _dev("member-1", "party_member", ids["t"], ids["m"])
    seen = _read(community, ids, own)
    assert seen["member"]["name"] == "张伟" and seen["member"]["workUnit"] == "区卫生院"
    assert seen["member"]["yearReviews"] == [{"feedback": "表现突出"}]
    assert {"unitId": ids["unit"], "attendee": "李*"} in seen["meeting"]["attendance"]
    seen_other = _read(community, {**ids, "m": other}, own)
    assert seen_other["member"]["name"] == "孙*"
    # A liaison sees its own unit's people, not another unit's.
    liaison = _dev("liaison-1", "unit_liaison", ids["t"], ids["unit"])
    units = {u["id"]: u for u in _read(community, ids, liaison)["units"]["nodes"]}
    assert units[ids["unit"]]["liaison"]["name"] == "王芳"
    assert next(u for k, u in units.items() if k != ids["unit"])["representative"]["name"] == "赵*"
    # A resident sees its own rating and comment.
    resident = _read(community, ids, _dev("r-1", "resident", ids["t"]))
    assert resident["commitment"]["ratings"] == [{"residentId": "r-1", "comment": "很满意"}]
    assert api.tenant == ids["t"]
