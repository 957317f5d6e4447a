"""An event the projector cannot apply parks its tenant, never the projector: every
other tenant goes on, the stop is visible, and a retry after the fix resumes it."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.cli import main
from api.platform import Platform
from projections import runner
from tenants.pipeline.identity import Principal
from tenants.store.database import make_engine
from tests.integration.world import World, build_world, manager

FROM_A_NEWER_RELEASE = "gongjian.Meeting.RecordedByANewerRelease"


@pytest.fixture
def world(private_engine: Engine) -> World:
    return build_world(Platform(private_engine, embedded=False))


def _append_undecodable(world: World, tenant: str) -> int:
    """An event whose topic this release does not know (as after a downgrade)."""
    stored = StoredEvent(uuid4(), 1, FROM_A_NEWER_RELEASE, b'{"what": "unknown"}')
    world.platform.ledgers[tenant].recorder.insert_events([stored])
    return world.head(tenant)


def test_an_undecodable_event_parks_its_tenant_and_the_others_go_on(world: World) -> None:
    projector = world.platform.projector
    bad_at = _append_undecodable(world, world.a)
    # More of the same tenant's log after the bad event, and another tenant's news.
    world.run(_manager(world, world.a), "join_unit", world.a, name="后来的单位", kind="enterprise")
    world.run(_manager(world, world.b), "join_unit", world.b, name="兄弟单位", kind="enterprise")

    projector.catch_up_all()

    (parked,) = [p for p in projector.parked() if p.tenant_id in (world.a, world.b)]
    assert parked.tenant_id == world.a and parked.position == bad_at
    assert FROM_A_NEWER_RELEASE in parked.error
    assert projector.position(world.a) == bad_at - 1, "every event before it is applied"
    assert projector.position(world.b) == world.head(world.b), "the sibling went on"
    assert projector.catch_up(world.a) == 0, "a parked tenant is skipped"
    assert world.a not in projector.lagging_tenants()


def test_a_handler_failure_parks_and_a_retry_after_the_fix_resumes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    projector = world.platform.projector
    topic = "gongjian.MemberUnit.Joined"
    handler = runner.HANDLERS[topic]

    def broken(applied: object) -> list[str]:
        raise ValueError("a bug in this release's handler")

    projector.catch_up(world.a)
    monkeypatch.setitem(runner.HANDLERS, topic, broken)
    world.run(_manager(world, world.a), "join_unit", world.a, name="新单位", kind="enterprise")
    projector.catch_up(world.a)
    (parked,) = projector.parked(world.a)
    assert parked.position == world.head(world.a)
    assert "ValueError: a bug in this release's handler" in parked.error
    # The fixed release: retrying projects the tenant to its head and unparks it.
    monkeypatch.setitem(runner.HANDLERS, topic, handler)
    assert projector.retry_parked(world.a) == [world.a]
    assert projector.parked(world.a) == []
    assert projector.position(world.a) == world.head(world.a)


def test_parked_tenants_show_in_healthz_and_graphql(world: World) -> None:
    platform = Platform(world.platform.engine, embedded=False, dev_tokens=True)
    bad_at = _append_undecodable(world, world.c)
    platform.projector.catch_up(world.c)
    client = TestClient(create_app(platform))
    health = client.get("/healthz").json()
    assert health["status"] == "degraded" and health["parked_tenants"] >= 1
    query = "query($t: ID!) { tenant(id: $t) { projection { position head parked parkedAtPosition parkedSince error } } }"
    for role, sees_error in (("community_secretary", True), ("integrator", False)):
        token = {"Authorization": f"Bearer dev:u:{role}:{world.c}"}
        body = {"query": query, "variables": {"t": world.c}}
        state = client.post("/graphql", json=body, headers=token).json()["data"]["tenant"]
        state = state["projection"]
        assert state["parked"] is True and state["parkedAtPosition"] == bad_at
        assert state["position"] == bad_at - 1 and state["head"] == bad_at
        assert state["parkedSince"] is not None
        assert (state["error"] is not None) is sees_error


def test_rebuild_reports_parked_tenants_and_finishes_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'rebuild.db'}"  # a rebuild replays every tenant: a private file
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", url)
    assert main(["migrate"]) == 0
    engine = make_engine(url)
    world = build_world(Platform(engine, embedded=False))
    bad_at = _append_undecodable(world, world.b)
    assert main(["rebuild"]) == 1
    out = capsys.readouterr().out
    assert f"parked: {world.b} at position {bad_at}" in out
    projector = world.platform.projector
    assert projector.position(world.a) == world.head(world.a)
    assert projector.position(world.b) == bad_at - 1
    # Retrying an event that is still undecodable parks it again, and says so.
    assert main(["project", "--once", "--retry-parked"]) == 1
    assert [p.tenant_id for p in projector.parked()] == [world.b]
    engine.dispose()


def _manager(world: World, tenant: str) -> Principal:
    return manager(tenant, tenant in (world.street, world.other_street))
