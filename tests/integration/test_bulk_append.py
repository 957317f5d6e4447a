"""A bulk append keeps every guarantee of the per-command path: gap-free positions
continuing from each tenant's head, a chain that verifies, heads moved under their
lock, all or nothing; its events project exactly like appended ones; and only the
tables' owner may make one, never through the HTTP API."""

from __future__ import annotations

import ast
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.engine import make_url

from api.platform import Platform, migrate
from domain.stamp import Actor, Stamp
from domain.units import UnitKind
from tenants.drafts import DraftLedger
from tenants.store.bulk_append import BulkAppendRefused, bulk_append
from tenants.store.database import make_engine
from tenants.store.schema import events, person_keys, tenant_heads
from tenants.store.verify import verify_tenant
from tests.conftest import BACKENDS, POSTGRES_ADMIN_URL, private_database
from tests.integration.scenario import Scenario
from tests.integration.test_projection import snapshot

ROOT = Path(__file__).parents[2]


def _drafted_history(engine: Engine, tenant_id: str, steps: int) -> list[StoredEvent]:
    """A varied history of a new tenant, drafted in memory (nothing appended yet)."""
    ledger = DraftLedger(engine, tenant_id)
    scenario = Scenario(ledger)
    for n in range(steps):
        scenario.run(n, n * 7 + 3)
    return ledger.drafted()


def _drafted_units(engine: Engine, tenant_id: str, count: int) -> list[StoredEvent]:
    """New member units of a registered tenant, drafted from its log as stored now."""
    ledger = DraftLedger(engine, tenant_id)
    stamp = Stamp(tenant_id, Actor("u", "street_admin"))
    for n in range(count):
        ledger.join_unit(stamp, uuid.uuid4(), f"批量单位{n}", UnitKind.ENTERPRISE)
    return ledger.drafted()


def _log(engine: Engine, tenant_id: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        query = select(events).where(events.c.tenant_id == tenant_id).order_by(events.c.position)
        return [tuple(row) for row in conn.execute(query)]


def _head(engine: Engine, tenant_id: str) -> tuple[int, bytes] | None:
    with engine.connect() as conn:
        query = select(tenant_heads.c.position, tenant_heads.c.hash).where(
            tenant_heads.c.tenant_id == tenant_id
        )
        row = conn.execute(query).first()
    return None if row is None else (int(row.position), bytes(row.hash))


def _assert_whole(engine: Engine, tenant_id: str) -> int:
    """The tenant's log is gap-free from 1 to its head, and its chain verifies."""
    log = _log(engine, tenant_id)
    head = _head(engine, tenant_id)
    assert head is not None
    assert [row[1] for row in log] == list(range(1, len(log) + 1))
    assert head == (len(log), bytes(log[-1][6]))
    assert verify_tenant(engine, tenant_id) is None
    return len(log)


def test_bulk_appended_tenants_verify_from_position_one(engine: Engine) -> None:
    drafts: dict[str, list[StoredEvent]] = {}
    for steps in (5, 40, 120):
        tenant = f"bulk-{uuid.uuid4().hex[:10]}"
        drafts[tenant] = _drafted_history(engine, tenant, steps)
    taken = bulk_append(engine, drafts)
    assert taken == {tenant: range(1, len(drafted) + 1) for tenant, drafted in drafts.items()}
    for tenant, drafted in drafts.items():
        assert _assert_whole(engine, tenant) == len(drafted)
        stored = [(row[2], row[3], row[4], bytes(row[5])) for row in _log(engine, tenant)]
        assert stored == [
            (e.originator_id, e.originator_version, e.topic, e.state) for e in drafted
        ]


def test_a_bulk_append_continues_an_existing_chain(engine: Engine, tenant_id: str) -> None:
    platform = Platform(engine, embedded=False)
    scenario = Scenario(platform.ledger(tenant_id))
    for n in range(30):
        scenario.run(n, n * 5 + 1)
    before = _log(engine, tenant_id)
    drafted = _drafted_units(engine, tenant_id, 12)
    taken = bulk_append(engine, {tenant_id: drafted})
    assert taken[tenant_id] == range(len(before) + 1, len(before) + 13)
    assert _log(engine, tenant_id)[: len(before)] == before
    assert _assert_whole(engine, tenant_id) == len(before) + 12
    # The per-command path goes on from the moved head, and the ledger sees the units.
    scenario.run(0, 0)
    assert _assert_whole(engine, tenant_id) == len(before) + 13
    assert len(platform.ledgers[tenant_id].active_unit_ids()) >= 12


def test_bulk_and_per_command_appends_interleave_without_gaps(
    engine: Engine, tenant_id: str
) -> None:
    platform = Platform(engine, embedded=False)
    ledger = platform.ledger(tenant_id)
    scenario = Scenario(ledger)
    batches = [_drafted_units(engine, tenant_id, 25) for _ in range(6)]
    failures: list[BaseException] = []

    def per_command() -> None:
        try:
            for _ in range(60):
                scenario.join(0)
        except BaseException as error:  # reported below, not lost in the thread
            failures.append(error)

    writer = threading.Thread(target=per_command)
    writer.start()
    for batch in batches:
        bulk_append(engine, {tenant_id: batch})
    writer.join()
    assert failures == []
    # Registration, 60 units one by one and 150 in six batches, in some order.
    assert _assert_whole(engine, tenant_id) == 1 + 60 + 150
    stored = {(row[2], row[3]) for row in _log(engine, tenant_id)}
    assert {(e.originator_id, e.originator_version) for b in batches for e in b} <= stored


def test_a_failed_bulk_append_leaves_every_log_untouched(engine: Engine, tenant_id: str) -> None:
    platform = Platform(engine, embedded=False)
    Scenario(platform.ledger(tenant_id)).run(0, 0)
    before, head = _log(engine, tenant_id), _head(engine, tenant_id)
    fresh = f"bulk-{uuid.uuid4().hex[:10]}"
    # The registration again, at a version the tenant's log already holds.
    again = [StoredEvent(before[0][2], before[0][3], before[0][4], bytes(before[0][5]))]
    with pytest.raises(IntegrityError, match=r"(?i)unique|duplicate"):
        bulk_append(
            engine,
            {
                fresh: _drafted_history(engine, fresh, 10),
                tenant_id: _drafted_units(engine, tenant_id, 3) + again,
            },
        )
    assert _log(engine, tenant_id) == before
    assert _head(engine, tenant_id) == head
    assert _log(engine, fresh) == []
    assert _head(engine, fresh) is None


@pytest.fixture(params=BACKENDS)
def two_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two databases of the test's own, on each backend."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        private_database(request, tmp_path / "a") as first,
        private_database(request, tmp_path / "b") as second,
    ):
        yield first, second


def test_bulk_appended_events_project_exactly_like_appended_ones(
    two_stores: tuple[Engine, Engine], tenant_id: str
) -> None:
    appended, bulk = two_stores
    platform = Platform(appended, embedded=False)
    scenario = Scenario(platform.ledger(tenant_id))
    for n in range(150):
        scenario.run(n, n * 11 + 2)
    log = _log(appended, tenant_id)
    # The same events, and the persons' keys they are sealed under, into the other store.
    with appended.connect() as conn:
        keys = [dict(row._mapping) for row in conn.execute(select(person_keys))]
    with bulk.begin() as conn:
        conn.execute(insert(person_keys), keys)
    half = len(log) // 2
    stored = [StoredEvent(row[2], row[3], row[4], bytes(row[5])) for row in log]
    bulk_append(bulk, {tenant_id: stored[:half]})
    bulk_append(bulk, {tenant_id: stored[half:]})
    assert _log(bulk, tenant_id) == log  # the same rows, hashes and all
    platform.projector.catch_up(tenant_id)
    bulk_platform = Platform(bulk, embedded=False)
    bulk_platform.projector.catch_up(tenant_id)
    expected = snapshot(appended, tenant_id)
    assert sum(map(len, expected.values())) > len(log) // 2
    assert snapshot(bulk, tenant_id) == expected


def test_the_http_api_never_reaches_the_bulk_append() -> None:
    # No module of the served application imports it, directly or through another
    # (the command line, an operator's tool, may).
    importers = []
    for path in sorted((ROOT / "api").rglob("*.py")):
        if path.name == "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            if any("bulk_append" in name or name == "tenants.drafts" for name in names):
                importers.append(str(path.relative_to(ROOT)))
    assert importers == []
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, api.app; print(sorted(sys.modules))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'api.app'" in loaded
    assert "'tenants.store.bulk_append'" not in loaded
    assert "'tenants.drafts'" not in loaded


@pytest.mark.postgres
def test_the_application_role_may_not_bulk_append(
    postgres_url: str, postgres_engine: Engine, tenant_id: str
) -> None:
    role = f"gongjian_bulk_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
    migrate(postgres_engine, app_role=role)
    app = make_engine(make_url(postgres_url).set(username=role).render_as_string(False))
    try:
        drafted = _drafted_history(postgres_engine, tenant_id, 10)
        with pytest.raises(BulkAppendRefused, match="owner"):
            bulk_append(app, {tenant_id: drafted})
        assert _head(postgres_engine, tenant_id) is None
        with postgres_engine.connect() as conn:
            query = select(func.count()).where(events.c.tenant_id == tenant_id)
            assert conn.execute(query).scalar_one() == 0
    finally:
        app.dispose()
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f"DROP OWNED BY {role}")
            admin.execute(f"DROP ROLE {role}")
