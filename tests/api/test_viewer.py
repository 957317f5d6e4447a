"""`viewer`: who the token names, and the commands its role may send to a tenant, as
the policy table grants them (the console offers only those forms)."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Community

QUERY = """query($t: ID!) { viewer { userId role tenantId binding seesPersonalData
  commands(tenant: $t) { name path bound } } }"""


def viewer(community: Community, token: str, tenant: str) -> dict[str, Any]:
    answer = community.api.client.post(
        "/graphql",
        json={"query": QUERY, "variables": {"t": tenant}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
    found: dict[str, Any] = answer.json()["data"]["viewer"]
    return found


def test_a_secretary_may_run_its_meetings_but_not_register_tenants(community: Community) -> None:
    tenant = community.api.tenant
    seen = viewer(community, f"dev:sec:community_secretary:{tenant}", tenant)
    assert seen["role"] == "community_secretary" and seen["tenantId"] == tenant
    assert seen["binding"] is None and seen["seesPersonalData"] is True
    commands = {c["name"]: c for c in seen["commands"]}
    assert commands["schedule_meeting"] == {
        "name": "schedule_meeting",
        "path": "/meetings",
        "bound": False,
    }
    assert commands["issue_notice"]["path"] == "/meetings/{meeting_id}/notice"
    assert "register_tenant" not in commands  # a platform route, and not the secretary's
    assert "submit_rating" not in commands  # a resident's alone


def test_a_liaisons_commands_are_bound_to_its_unit(community: Community) -> None:
    tenant, unit = community.api.tenant, community.units[0]
    seen = viewer(community, f"dev:l1:unit_liaison:{tenant}:{unit}", tenant)
    assert seen["binding"] == unit and seen["seesPersonalData"] is False
    commands = {c["name"]: c for c in seen["commands"]}
    assert commands["sign_in"]["bound"] is True
    assert "schedule_meeting" not in commands and "issue_notice" not in commands


def test_commands_follow_the_tenants_relation(community: Community) -> None:
    tenant = community.api.tenant
    other = viewer(community, "dev:x:community_secretary:elsewhere", tenant)
    assert other["commands"] == []
    # The street's admin runs its own meetings, not its communities'.
    street_admin = viewer(community, f"dev:s:street_admin:{community.street}", tenant)
    assert "schedule_meeting" not in {c["name"] for c in street_admin["commands"]}
    # In its street, a community's secretary answers for the community only.
    upward = viewer(community, f"dev:sec:community_secretary:{tenant}", community.street)
    assert {c["name"] for c in upward["commands"]} >= {"appeal_evaluation", "report_rectification"}
    assert "schedule_meeting" not in {c["name"] for c in upward["commands"]}
