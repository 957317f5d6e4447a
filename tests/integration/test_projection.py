"""Projections apply every event exactly once, and a rebuild reproduces them."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from api.platform import Platform
from projections import runner, tables
from tests.integration.scenario import Scenario


def snapshot(engine: Engine, tenant_id: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every read-model row of one tenant, in a stable order."""
    result = {}
    with engine.connect() as conn:
        for table in runner.ALL_TABLES:
            rows = conn.execute(
                select(table)
                .where(table.c.tenant_id == tenant_id)
                .order_by(*table.primary_key.columns)
            ).all()
            result[table.name] = [tuple(row) for row in rows]
    return result


def _busy(platform: Platform, tenant_id: str, steps: int = 40) -> Scenario:
    scenario = Scenario(platform.ledger(tenant_id))
    for n in range(steps):
        scenario.run(n, n * 7 + 3)
    return scenario


def test_a_crash_mid_batch_rolls_back_and_the_retry_applies_once(
    engine: Engine, tenant_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = Platform(engine, embedded=False)
    _busy(platform, tenant_id)
    head = platform.ledger(tenant_id).head_position()

    def explode(_: object) -> list[str]:
        raise RuntimeError("projector crashed")

    monkeypatch.setitem(runner.HANDLERS, "gongjian.Meeting.SignedIn", explode)
    with pytest.raises(RuntimeError):
        platform.projector.catch_up(tenant_id)
    assert platform.projector.position(tenant_id) == 0
    monkeypatch.undo()
    platform.projector.catch_up(tenant_id)
    platform.projector.catch_up(tenant_id)
    with engine.connect() as conn:
        projected = conn.execute(
            select(func.count())
            .select_from(tables.events)
            .where(tables.events.c.tenant_id == tenant_id)
        ).scalar_one()
    assert projected == head == platform.projector.position(tenant_id)


def test_concurrent_projectors_never_double_apply(engine: Engine, tenant_id: str) -> None:
    platform = Platform(engine, embedded=False)
    _busy(platform, tenant_id)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            Platform(engine, embedded=False).projector.catch_up(tenant_id)
        except BaseException as error:  # collected and re-raised in the test thread
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    platform.projector.catch_up(tenant_id)
    assert not errors
    with engine.connect() as conn:
        positions = (
            conn.execute(
                select(tables.events.c.position)
                .where(tables.events.c.tenant_id == tenant_id)
                .order_by(tables.events.c.position)
            )
            .scalars()
            .all()
        )
    assert positions == list(range(1, platform.ledger(tenant_id).head_position() + 1))


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(script=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 50)), min_size=5, max_size=80))
def test_replaying_a_tenants_log_into_empty_read_models_reproduces_them(
    sqlite_engine: Engine, script: list[tuple[int, int]]
) -> None:
    import uuid

    tenant_id = f"h-{uuid.uuid4().hex[:10]}"
    platform = Platform(sqlite_engine, embedded=True)
    scenario = Scenario(platform.ledger(tenant_id))
    for step, pick in script:
        scenario.run(step, pick)
        platform.after_command(tenant_id)
    before = snapshot(sqlite_engine, tenant_id)
    platform.projector.rebuild(tenant_id)
    assert snapshot(sqlite_engine, tenant_id) == before
    assert len(before["rm_events"]) == platform.ledger(tenant_id).head_position()


def test_the_rebuild_command_reproduces_every_read_model(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.cli import main
    from tenants.database import make_engine
    from tenants.migrate import migrate

    url = f"sqlite:///{tmp_path / 'rebuild.db'}"
    engine = make_engine(url)
    migrate(engine)
    platform = Platform(engine, embedded=True)
    for tenant in ("rb-a", "rb-b"):
        _busy(platform, tenant, steps=60)
        platform.projector.catch_up(tenant)
    before = {t: snapshot(engine, t) for t in ("rb-a", "rb-b")}
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", url)
    assert main(["rebuild"]) == 0
    assert {t: snapshot(engine, t) for t in ("rb-a", "rb-b")} == before
    engine.dispose()
