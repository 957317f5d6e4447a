"""Hash partitions by tenant on PostgreSQL: a store made unpartitioned is migrated to
partitions and to another count, keeping every row, its chains, its row security and
its grants; and `gongjian migrate --partitions` asks for them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from api.cli import main
from api.platform import Platform, migrate, pending_migrations
from projections.schema import read_model_tables
from tenants.store import partitions, row_security
from tenants.store.database import make_engine
from tenants.store.schema import events, store_metadata
from tenants.store.verify import all_tenant_ids, verify_store
from tests.conftest import POSTGRES_ADMIN_URL
from tests.integration.world import World, build_world, manager

pytestmark = pytest.mark.postgres
TABLES = [*store_metadata.sorted_tables, *read_model_tables()]


@pytest.fixture
def database(postgres_url: str) -> Iterator[str]:
    """A database of this test's own (its layout changes), dropped after."""
    name = f"gongjian_private_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{postgres_url.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def app_role(database: str) -> Iterator[str]:
    """A role that owns nothing, as the application connects."""
    role = f"gongjian_app_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(database, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
    yield role
    with psycopg.connect(database, autocommit=True) as admin:
        admin.execute(f"DROP OWNED BY {role}")
        admin.execute(f"DROP ROLE {role}")


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in TABLES
        }


def _layouts(engine: Engine) -> set[int]:
    """The partition counts of the per-tenant tables."""
    with engine.connect() as conn:
        present = partitions.layouts(conn)
    return {present[table.name] for table in TABLES if partitions.is_per_tenant(table)}


def _chains_hold(engine: Engine) -> bool:
    tenants = all_tenant_ids(engine)
    return bool(tenants) and all(audit.broken is None for audit in verify_store(engine, tenants))


def _world(engine: Engine) -> World:
    world = build_world(Platform(engine, embedded=False))
    Platform(engine, embedded=False).projector.catch_up_all()
    return world


def test_an_unpartitioned_store_is_partitioned_and_repartitioned_keeping_every_row(
    database: str, app_role: str
) -> None:
    engine = make_engine(database)
    try:
        assert migrate(engine, app_role, partitions=0) == 0
        world = _world(engine)
        before = _counts(engine)
        assert before["es_events"] > 30 and before["rm_meetings"] > 0
        assert _layouts(engine) == {0}

        for count in (4, 7):
            assert migrate(engine, partitions=count) == count  # no role given: kept
            assert _layouts(engine) == {count}
            assert _counts(engine) == before
            assert _chains_hold(engine)
            assert pending_migrations(engine) == []
            _app_role_reads_through_the_parents_only(database, app_role, world)
        # The store keeps its count when none is asked for, and goes back to plain tables.
        assert migrate(engine) == 7
        assert migrate(engine, partitions=0) == 0 and _layouts(engine) == {0}
        assert _counts(engine) == before and _chains_hold(engine)
        # The projection carries on over the rebuilt tables: a new command is projected.
        world.run(manager(world.a, False), "register_member", world.a, name="新党员",
                  member_class="retired")  # fmt: skip
        assert Platform(engine, embedded=False).projector.catch_up_all() > 0
    finally:
        engine.dispose()


def _app_role_reads_through_the_parents_only(database: str, role: str, world: World) -> None:
    url = make_url(database).set(username=role).render_as_string(hide_password=False)
    app = make_engine(url, pool_size=1)
    try:
        with row_security.reading_only([world.a]), app.connect() as conn:
            seen = conn.execute(select(func.count(func.distinct(events.c.tenant_id)))).scalar()
        assert seen == 1  # row security holds on the rebuilt log
        with pytest.raises(Exception, match="permission denied"), app.connect() as conn:
            conn.exec_driver_sql(
                f"SELECT count(*) FROM {partitions.partition_name('es_events', 0)}"
            )
        with pytest.raises(Exception, match="permission denied"), app.connect() as conn:
            conn.exec_driver_sql("DELETE FROM es_events")
    finally:
        app.dispose()


def test_a_setting_other_than_the_stores_layout_is_a_pending_migration(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(database)
    try:
        assert migrate(engine, partitions=3) == 3
        assert pending_migrations(engine) == []
        monkeypatch.setenv(partitions.PARTITIONS_SETTING, "5")
        assert "partitions of es_events: 5" in pending_migrations(engine)
        assert migrate(engine) == 5
        assert pending_migrations(engine) == []
        monkeypatch.setenv(partitions.PARTITIONS_SETTING, "many")
        assert pending_migrations(engine) == ["GONGJIAN_PARTITIONS='many' is not a number"]
    finally:
        engine.dispose()


def test_migrate_on_the_command_line_takes_a_partition_count(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", database)
    assert main(["migrate", "--partitions", "2"]) == 0
    assert "2 partitions by tenant" in capsys.readouterr().out
    assert main(["migrate", "--partitions", "-1"]) == 1
    assert "partitions must be 0 (none) to 1024" in capsys.readouterr().err
    engine = make_engine(database)
    try:
        assert _layouts(engine) == {2}
    finally:
        engine.dispose()
