"""Folding a log in memory writes exactly the rows the per-event path writes: every
column of every read-model row (as stored: JSON text, SQL NULL apart from JSON
null), on both databases, whether a tenant is folded alone, a few events per
transaction, with others, by worker processes or without COPY; and a tenant the
fold cannot apply goes the per-event way, parking where that path parks."""

from __future__ import annotations

import os
import random
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Engine, Text, cast, make_url, select

from api.platform import Platform, migrate
from projections import folding, memory, runner
from projections.runner import ALL_TABLES, Projector
from projections.workers import can_fork, fold_in_workers
from tenants.messages import COMMANDS
from tenants.messages.fields import FileName, LongText, Name, OptionalText, Reason
from tenants.messages.fields import Text as TextField
from tenants.pipeline.identity import Principal
from tenants.store.database import make_engine
from tests.integration.lifecycle import Lifecycle, Values, missing_commands
from tests.integration.scenario import Scenario

Snapshot = dict[str, list[tuple[Any, ...]]]
KINDS: dict[str, TypeAdapter[str]] = {
    "name": TypeAdapter(Name),
    "file": TypeAdapter(FileName),
    "text": TypeAdapter(TextField),
    "long": TypeAdapter(LongText),
    "optional": TypeAdapter(OptionalText),
    "reason": TypeAdapter(Reason),
}
EDGY = ["'; DROP TABLE events; --", '{"a": null}', "🎉🏮", "%_\\", "第一行\n\t第二行", ""]


class Edgy(Values):
    """A year begun late on New Year's Eve, west of Greenwich, in texts that look
    like SQL or JSON, with emoji, backslashes, line breaks or nothing at all where
    the edge accepts them."""

    def __init__(self) -> None:
        super().__init__()
        self.start = datetime(
            2025, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-9, minutes=-30))
        )
        self.turn = 0

    def text(self, default: str, kind: str = "text") -> str:
        self.turn += 1
        text = EDGY[self.turn % len(EDGY)]
        try:
            KINDS[kind].validate_python(text)
        except ValidationError:
            return default
        return text


def snapshot(engine: Engine, tenants: list[str]) -> Snapshot:
    """Every read-model row of the tenants: each value, and each value as stored."""
    result = {}
    with engine.connect() as conn:
        for table in ALL_TABLES:
            stored = [cast(column, Text).label(f"{column.name} stored") for column in table.c]
            query = (
                select(*table.c, *stored)
                .where(table.c.tenant_id.in_(tenants))
                .order_by(*table.primary_key.columns)
            )
            result[table.name] = [tuple(row) for row in conn.execute(query)]
    return result


_built: dict[str, tuple[list[str], dict[str, int], Snapshot]] = {}


def histories(engine: Engine) -> tuple[list[str], dict[str, int], Snapshot]:
    """Tenants with varied histories (their heads), and the rows the per-event path
    projects from them (built once per database)."""
    key = str(engine.url)
    if key not in _built:
        platform = Platform(engine, embedded=False)

        def send(who: Principal, command: str, tenant: str | None, body: dict[str, Any]) -> Any:
            return platform.pipeline.handle(who, COMMANDS[command].model_validate(body), tenant)

        tenants: list[str] = []
        for values in (Values(), Edgy()):
            lifecycle = Lifecycle(send, values)
            lifecycle.play()
            assert missing_commands(lifecycle.sent) == set()
            tenants.extend(lifecycle.tenants())
        draw = random.Random(20251231)
        for steps in (60, 240):
            tenant = f"fold-{uuid4().hex[:10]}"
            scenario = Scenario(platform.ledger(tenant))
            for _ in range(steps):
                scenario.run(draw.randrange(30), draw.randrange(50))
            tenants.append(tenant)
        heads = {tenant: platform.ledgers[tenant].head_position() for tenant in tenants}
        by_event = Projector(engine, platform.projector.mapper, fold=False)
        for tenant in tenants:
            by_event.rebuild(tenant)
            assert by_event.position(tenant) == heads[tenant]
        assert by_event.folded == 0
        _built[key] = (tenants, heads, snapshot(engine, tenants))
    return _built[key]


def _projector(engine: Engine, **options: Any) -> Projector:
    return Projector(engine, Platform(engine, embedded=False).projector.mapper, **options)


def test_the_histories_reach_every_table(engine: Engine) -> None:
    _, _, expected = histories(engine)
    assert all(expected.values()), [name for name, rows in expected.items() if not rows]


@pytest.mark.parametrize("way", ["alone", "in chunks", "together", "staged", "without copy"])
def test_folding_writes_the_rows_the_per_event_path_writes(
    engine: Engine, way: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenants, heads, expected = histories(engine)
    if way == "staged":
        if engine.dialect.name != "postgresql":
            pytest.skip("COPY into a temporary table is PostgreSQL's")
        # As where row security forbids COPY: into a temporary table, then INSERT.
        monkeypatch.setattr(runner, "write_target", lambda *_: folding.Target("stage"))
    if way == "without copy":
        # Where neither COPY may write: SQLAlchemy's multi-row INSERTs.
        monkeypatch.setattr(runner, "write_target", lambda *_: folding.Target("insert"))
    if way == "in chunks":
        # A few events per transaction: rows written while current, closed later.
        projector = _projector(engine, fold_chunk=7)
    else:
        projector = _projector(engine, fold_group=40)
    if way == "together":
        for tenant in tenants:
            projector.clear(tenant)
        assert projector.fold_tenants(tenants) == (sum(heads.values()), [])
    else:
        for tenant in tenants:
            projector.rebuild(tenant)
    assert snapshot(engine, tenants) == expected
    assert projector.folded == sum(heads.values()), "every event was folded"
    assert [projector.position(tenant) for tenant in tenants] == [heads[t] for t in tenants]


@pytest.mark.postgres
def test_the_application_role_folds_through_a_temporary_table(
    postgres_url: str, postgres_engine: Engine
) -> None:
    tenants, heads, expected = histories(postgres_engine)
    role = f"gongjian_fold_{os.getpid()}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f"DROP ROLE IF EXISTS {role}")
        admin.execute(f"CREATE ROLE {role} LOGIN")
    migrate(postgres_engine, app_role=role)
    app = make_engine(
        make_url(postgres_url).set(username=role).render_as_string(hide_password=False), pool_size=2
    )
    try:
        with app.connect() as conn:
            # Row security applies to this role: COPY into the tables is refused.
            assert folding.write_target(conn, ALL_TABLES).mode == "stage"
        projector = _projector(app, fold_chunk=25, fold_group=40)
        for tenant in tenants:
            projector.clear(tenant)
        assert projector.fold_tenants(tenants) == (sum(heads.values()), [])
        assert snapshot(postgres_engine, tenants) == expected
    finally:
        app.dispose()
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f"DROP OWNED BY {role}")
            admin.execute(f"DROP ROLE {role}")


def test_worker_processes_write_the_same_rows(engine: Engine) -> None:
    tenants, heads, expected = histories(engine)
    if not can_fork():
        pytest.skip("this process cannot fork workers")
    projector = _projector(engine, fold_chunk=50, fold_group=50)
    for tenant in tenants:
        projector.clear(tenant)
    applied, left = fold_in_workers(projector, list(heads.items()), workers=2)
    assert (applied, left) == (sum(heads.values()), [])
    assert projector.folded == applied
    assert snapshot(engine, tenants) == expected


def test_a_step_the_fold_cannot_take_goes_the_per_event_way(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenants, heads, expected = histories(engine)

    def unsupported(*_: object) -> int:
        raise memory.Unsupported("not in memory")

    # Counting agenda items: only tenants with meetings take that step.
    monkeypatch.setattr(memory.MemoryRows, "count_current", unsupported)
    projector = _projector(engine)
    for tenant in tenants:
        projector.rebuild(tenant)
    assert snapshot(engine, tenants) == expected
    assert 0 < projector.folded < sum(heads.values())
    assert not [parked for parked in projector.parked() if parked.tenant_id in tenants]


@pytest.mark.parametrize("chunk", [10_000, 5])
def test_an_event_the_fold_cannot_apply_parks_the_tenant_where_the_per_event_path_does(
    private_engine: Engine, tenant_id: str, chunk: int
) -> None:
    engine = private_engine
    platform = Platform(engine, embedded=False)
    scenario = Scenario(platform.ledger(tenant_id))
    draw = random.Random(chunk)
    for _ in range(40):
        scenario.run(draw.randrange(30), draw.randrange(50))
    newer = StoredEvent(uuid4(), 1, "gongjian.Meeting.RecordedByANewerRelease", b"{}")
    platform.ledger(tenant_id).recorder.insert_events([newer])
    bad_at = platform.ledger(tenant_id).head_position()
    for _ in range(20):
        scenario.run(draw.randrange(30), draw.randrange(50))
    by_event = _projector(engine, fold=False)
    by_event.rebuild(tenant_id)
    (parked,) = by_event.parked(tenant_id)
    assert parked.position == bad_at
    expected = snapshot(engine, [tenant_id])

    folding = _projector(engine, fold_chunk=chunk)
    folding.rebuild(tenant_id)
    assert [p.position for p in folding.parked(tenant_id)] == [bad_at]
    assert folding.position(tenant_id) == bad_at - 1
    assert snapshot(engine, [tenant_id]) == expected
    # Whole chunks before the bad event are folded; the one holding it is not.
    assert folding.folded == (bad_at - 1) // chunk * chunk
