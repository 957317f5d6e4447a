"""A tenant's dates fall in its own time zone (Asia/Shanghai unless its charter says
otherwise): "today", and so overdue and lapsed, follow the tenant's midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.charters import local_date
from tests.api.conftest import Api

LAPSED = """query($t: ID!, $c: ID!) { tenant(id: $t) { charter { timeZone }
  commitment(id: $c) { lapsed } } }"""


def test_a_moment_falls_on_the_date_of_the_tenants_zone() -> None:
    evening_in_utc = datetime(2026, 5, 1, 17, 30, tzinfo=UTC)  # 01:30 on 2 May in Beijing
    assert local_date(evening_in_utc) == date(2026, 5, 2)
    assert local_date(evening_in_utc, "Europe/London") == date(2026, 5, 1)


def _community_with_commitment(api: Api, tenant: str, zone: str | None, due: date) -> str:
    charter = {} if zone is None else {"charter": {"time_zone": zone}}
    api.post("/tenants", {"tenant_id": tenant, "kind": "street", "name": "街道", **charter}, 201)
    made = api.post(f"/tenants/{tenant}/commitments", {
        "maker_kind": "community_party_organisation", "maker_id": tenant, "text": "开放食堂",
        "category": "便民", "due": due.isoformat()}, 201)  # fmt: skip
    return str(made["record_id"])


def test_lapsed_follows_the_tenants_midnight_not_utcs(api: Api) -> None:
    # UTC+14 is always at least one date ahead of UTC-12 (26 hours apart), whatever
    # the time of day: a commitment due "today" at UTC-12 has lapsed at UTC+14.
    due = local_date(datetime.now(UTC), "Etc/GMT+12")
    ahead, behind, default = (f"{api.tenant}-{n}" for n in ("ahead", "behind", "default"))
    ahead_c = _community_with_commitment(api, ahead, "Pacific/Kiritimati", due)
    behind_c = _community_with_commitment(api, behind, "Etc/GMT+12", due)
    default_c = _community_with_commitment(api, default, None, due)
    found = {}
    for tenant, commitment in ((ahead, ahead_c), (behind, behind_c), (default, default_c)):
        data = api.gql(LAPSED, t=tenant, c=commitment)["data"]["tenant"]
        found[tenant] = (data["charter"]["timeZone"], data["commitment"]["lapsed"])
    assert found[ahead] == ("Pacific/Kiritimati", True)
    assert found[behind] == ("Etc/GMT+12", False)
    beijing_today = local_date(datetime.now(UTC), "Asia/Shanghai")
    assert found[default] == ("Asia/Shanghai", beijing_today > due)


def test_an_unknown_time_zone_is_refused_and_nothing_recorded(api: Api) -> None:
    for zone in ("Mars/Olympus_Mons", "../etc/passwd", "Asia/Shanghai\x00"):
        refused = api.post("/tenants", {"tenant_id": api.tenant, "kind": "street", "name": "街道",
                                        "charter": {"time_zone": zone}}, 422)  # fmt: skip
        assert refused["code"] == "validation-error", zone
    assert api.post("/tenants", {"tenant_id": api.tenant, "kind": "street", "name": "街道"}, 201)
