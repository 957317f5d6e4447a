"""Row-level security on PostgreSQL, with the application connected as a role that
does not own the tables: a transaction sees only the tenants it was narrowed to."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from api.app import create_app
from api.graphql.loaders import Context
from api.platform import Platform, migrate
from projections.schema import read_model_tables
from tenants.messages import COMMANDS
from tenants.store import row_security
from tenants.store.database import make_engine
from tenants.store.schema import events, store_metadata
from tests.integration.world import World, build_world, manager

pytestmark = pytest.mark.postgres
TENANT_TABLES = [
    t for t in [*store_metadata.tables.values(), *read_model_tables()] if "tenant_id" in t.c
]


@pytest.fixture(scope="module")
def app_url(postgres_url: str, postgres_engine: Engine) -> Iterator[str]:
    """The test database as a role that owns nothing, granted the tables by migrate."""
    role = f"gongjian_app_{os.getpid()}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f"DROP ROLE IF EXISTS {role}")
        admin.execute(f"CREATE ROLE {role} LOGIN")
    migrate(postgres_engine, app_role=role)
    yield make_url(postgres_url).set(username=role).render_as_string(hide_password=False)
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f"DROP OWNED BY {role}")
        admin.execute(f"DROP ROLE {role}")


@pytest.fixture
def app_engine(app_url: str) -> Iterator[Engine]:
    engine = make_engine(app_url, pool_size=2)
    yield engine
    engine.dispose()


@pytest.fixture
def world(postgres_engine: Engine) -> World:
    """Built and projected by the tables' owner."""
    world = build_world(Platform(postgres_engine, embedded=False))
    for tenant in (world.street, world.a, world.b, world.other_street, world.c):
        world.platform.projector.catch_up(tenant)
    return world


def _rows(engine: Engine, tenant: str) -> dict[str, int]:
    """Rows of ``tenant`` each tenant table shows, for the tables that show any."""
    counts = {}
    with engine.connect() as conn:
        for table in TENANT_TABLES:
            query = select(func.count()).select_from(table).where(table.c.tenant_id == tenant)
            counts[table.name] = int(conn.execute(query).scalar_one())
    return {name: n for name, n in counts.items() if n}


def test_a_narrowed_transaction_sees_only_its_tenants(world: World, app_engine: Engine) -> None:
    owner_view = _rows(world.platform.engine, world.a)
    assert {"es_events", "rm_meetings", "rm_events"} <= owner_view.keys()
    # Not narrowed (commands, projection): every tenant, as the owner sees it.
    assert _rows(app_engine, world.a) == owner_view
    with row_security.reading_only([world.a]):
        assert _rows(app_engine, world.a) == owner_view
        assert _rows(app_engine, world.c) == {}
        assert _rows(app_engine, world.b) == {}
    with row_security.reading_only([world.street, world.b]):
        assert _rows(app_engine, world.a) == {}
        assert _rows(app_engine, world.b) == _rows(world.platform.engine, world.b) != {}
    with row_security.reading_only([]):
        assert _rows(app_engine, world.a) == {}


def test_a_session_that_never_set_its_tenants_sees_nothing(world: World, app_url: str) -> None:
    """Fail closed: the application role outside the application reads no rows."""
    with psycopg.connect(app_url.replace("+psycopg", "")) as conn:
        seen = conn.execute(f"SELECT count(*) FROM {events.name}").fetchone()
    assert seen == (0,)


def test_graphql_with_a_forgotten_scope_check_still_sees_no_other_tenant(
    world: World, app_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TestClient(create_app(Platform(app_engine, embedded=False, dev_tokens=True)))
    secretary = {"Authorization": f"Bearer dev:sec:community_secretary:{world.a}"}
    query = "query($t: ID!) { tenant(id: $t) { id name units { nodes { name } } meetings { nodes { id } } } }"

    def read(tenant: str) -> object:
        body = {"query": query, "variables": {"t": tenant}}
        answer = client.post("/graphql", json=body, headers=secretary).json()
        assert "errors" not in answer, answer
        return answer["data"]["tenant"]

    own = read(world.a)
    assert isinstance(own, dict) and own["id"] == world.a and len(own["units"]["nodes"]) == 2
    # A resolver bug that skipped the tenant check: the database still refuses.
    monkeypatch.setattr(Context, "readable", lambda self, tenant: True)
    assert read(world.b) is None and read(world.c) is None
    assert read(world.a) == own


def test_commands_and_projection_run_as_the_application_role(
    world: World, app_engine: Engine
) -> None:
    platform = Platform(app_engine, embedded=False)
    message = COMMANDS["join_unit"].model_validate({"name": "新单位", "kind": "enterprise"})
    answer = platform.pipeline.handle(manager(world.a, False), message, world.a)
    assert platform.projector.catch_up(world.a) >= 1
    assert answer["position"] == platform.projector.position(world.a)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE es_events SET state = state WHERE tenant_id = %(t)s",
        "DELETE FROM es_events WHERE tenant_id = %(t)s",
        "UPDATE es_tenant_heads SET position = position - 1 WHERE tenant_id = %(t)s",
        "DELETE FROM es_tenant_heads WHERE tenant_id = %(t)s",
        "INSERT INTO es_events SELECT tenant_id, position + 1000, originator_id, "
        "originator_version + 1000, topic, state, hash FROM es_events WHERE tenant_id = %(t)s",
        "TRUNCATE es_events CASCADE",
        # Checkpoints and the Merkle nodes they stored may be added, never changed.
        "DELETE FROM es_checkpoints WHERE tenant_id = %(t)s",
        "UPDATE es_checkpoints SET size = size WHERE tenant_id = %(t)s",
        "DELETE FROM es_merkle_nodes WHERE tenant_id = %(t)s",
        "UPDATE es_merkle_nodes SET hash = hash WHERE tenant_id = %(t)s",
        "TRUNCATE es_checkpoints",
    ],
)
def test_the_application_role_cannot_change_or_remove_history(
    world: World, app_url: str, statement: str
) -> None:
    with psycopg.connect(app_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("SELECT set_config('gongjian.tenants', '*', false)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement, {"t": world.a})
        # It still reads the log, and appends only through the append function.
        found = conn.execute(
            "SELECT count(*) FROM es_events WHERE tenant_id = %(t)s", {"t": world.a}
        ).fetchone()
        assert found is not None and found[0] > 0


def test_the_application_role_takes_checkpoints_and_reads_proofs(
    world: World, app_engine: Engine, tmp_path: Path
) -> None:
    from tenants.store import keys, merkle, tree
    from tenants.store.checkpoints import take_checkpoint
    from tenants.store.verify import audit_tenant

    key = keys.create(tmp_path / "k.pem")
    taken = take_checkpoint(app_engine, key, world.a)
    assert taken is not None
    with app_engine.connect() as conn:
        path = tree.inclusion_proof(conn, world.a, 1, taken.size)
        row = conn.execute(
            select(events).where(events.c.tenant_id == world.a, events.c.position == 1)
        ).one()
    assert merkle.verify_inclusion(0, taken.size, tree.leaf_of(world.a, row), path, taken.root)
    assert audit_tenant(app_engine, world.a, [key.public]).broken is None
