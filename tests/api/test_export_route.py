"""``GET /tenants/{id}/export``: the same file the command line writes, streamed to
the roles that audit the tenant; every other caller is refused exactly as the read
policy table says (403 where it may read the tenant, 404 where it may not)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.platform import Platform
from tenants.pipeline.identity import Role
from tenants.pipeline.read_policy import READS
from tenants.store import keys
from tenants.store.export_verifier import verify_export
from tests.integration.world import World, build_world

R = Role
# The caller's tenant, as it stands to the community exported.
OWN, STREET, SIBLING, UNRELATED = "own", "its street", "a sibling", "another street"
# Who may export a community: the intended outcome of every role from every place.
EXPECTED: dict[Role, dict[str, int]] = {
    R.AUDITOR: {OWN: 200, STREET: 200, SIBLING: 404, UNRELATED: 404},
    R.STREET_ADMIN: {OWN: 200, STREET: 200, SIBLING: 404, UNRELATED: 404},
    R.COMMUNITY_SECRETARY: {OWN: 403, STREET: 403, SIBLING: 404, UNRELATED: 404},
    R.UNIT_LIAISON: {OWN: 403, STREET: 403, SIBLING: 404, UNRELATED: 404},
    R.PARTY_MEMBER: {OWN: 403, STREET: 403, SIBLING: 404, UNRELATED: 404},
    R.RESIDENT: {OWN: 403, STREET: 403, SIBLING: 404, UNRELATED: 404},
    R.INTEGRATOR: {OWN: 403, STREET: 403, SIBLING: 404, UNRELATED: 404},
    # The public page's reader reads no tenant through any other door.
    R.PUBLIC: {OWN: 404, STREET: 404, SIBLING: 404, UNRELATED: 404},
}


@pytest.fixture
def world(engine: Engine) -> World:
    return build_world(Platform(engine, embedded=True, dev_tokens=True))


def _token(role: Role, tenant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer dev:{role.value}-user:{role.value}:{tenant}"}


def test_every_role_exports_where_the_read_policy_says(world: World, key: keys.SigningKey) -> None:
    client = TestClient(create_app(world.platform))
    assert set(EXPECTED) | {R.PLATFORM_ADMIN} == set(Role), "every role has its row"
    places = {OWN: world.a, STREET: world.street, SIBLING: world.b, UNRELATED: world.other_street}
    found = {
        role: {
            place: client.get(
                f"/tenants/{world.a}/export", headers=_token(role, tenant)
            ).status_code
            for place, tenant in places.items()
        }
        for role in EXPECTED
    }
    assert found == EXPECTED
    admin = {"Authorization": "Bearer dev:ops:platform_admin:-"}
    assert client.get(f"/tenants/{world.a}/export", headers=admin).status_code == 200
    # A community's principals never export their street, auditors included.
    for role in EXPECTED:
        answer = client.get(f"/tenants/{world.street}/export", headers=_token(role, world.a))
        assert answer.status_code == 404, role
    assert client.get("/tenants/no-such-tenant/export", headers=admin).status_code == 404
    assert client.get(f"/tenants/{world.a}/export").status_code == 401
    granted = {g.role for g in READS["export_tenant"]}
    assert granted == {R.AUDITOR, R.STREET_ADMIN, R.PLATFORM_ADMIN}


def test_an_auditor_downloads_a_whole_signed_log_that_verifies(
    world: World, key: keys.SigningKey, tmp_path: Path
) -> None:
    client = TestClient(create_app(world.platform))
    head = world.head(world.a)
    answer = client.get(f"/tenants/{world.a}/export", headers=_token(R.AUDITOR, world.street))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/vnd.gongjian.export"
    assert f'filename="{world.a}.gongjian-export"' in answer.headers["content-disposition"]
    path = tmp_path / "a.gongjian-export"
    path.write_bytes(answer.content)
    audit = verify_export(str(path), [key.public])
    assert audit.broken is None and audit.tenant_id == world.a
    # The export signed a checkpoint of the whole log first.
    assert audit.events == head and audit.unsigned == 0 and audit.checkpoints == 1
