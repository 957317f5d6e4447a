"""The store refuses rows no chain covers, and `gongjian verify` finds every damaged
tenant, even ones whose damage the constraints would now refuse (a database from
before them), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent
from sqlalchemy import Engine, delete, exc, insert, text

from api.cli import main
from tenants.store.database import is_sqlite, make_engine, write_transaction
from tenants.store.migrate import migrate_store
from tenants.store.recorder import TenantRecorder
from tenants.store.schema import HEAD_FOREIGN_KEY, POSITION_CHECK, events, tenant_heads
from tests.conftest import POSTGRES_ADMIN_URL


def _log(engine: Engine, tenant_id: str, count: int = 3) -> None:
    recorder = TenantRecorder(engine, tenant_id)
    for n in range(count):
        recorder.insert_events([StoredEvent(uuid4(), 1, "gongjian.Test.Happened", b"%d" % n)])


def _row(tenant_id: str, position: int) -> dict[str, object]:
    return {"tenant_id": tenant_id, "position": position, "originator_id": uuid4(),
            "originator_version": 1, "topic": "gongjian.Test.Forged", "state": b"{}",
            "hash": b"\x00" * 32}  # fmt: skip


def test_the_database_refuses_a_row_at_position_0(engine: Engine, tenant_id: str) -> None:
    _log(engine, tenant_id)
    with pytest.raises(exc.IntegrityError), write_transaction(engine) as conn:
        conn.execute(insert(events).values(_row(tenant_id, 0)))


def test_the_database_refuses_an_event_of_a_tenant_without_a_head(
    engine: Engine, tenant_id: str
) -> None:
    with pytest.raises(exc.IntegrityError), write_transaction(engine) as conn:
        conn.execute(insert(events).values(_row(tenant_id, 1)))


def test_the_database_refuses_to_delete_the_head_of_a_log(engine: Engine, tenant_id: str) -> None:
    _log(engine, tenant_id)
    with pytest.raises(exc.IntegrityError), write_transaction(engine) as conn:
        conn.execute(delete(tenant_heads).where(tenant_heads.c.tenant_id == tenant_id))


def _without_constraints(engine: Engine) -> None:
    """Make the database look like one created before the constraints (on SQLite,
    where they cannot be dropped, ``_damage`` turns them off for its connection)."""
    if not is_sqlite(engine):
        with write_transaction(engine) as conn:
            for name in (POSITION_CHECK, HEAD_FOREIGN_KEY):
                conn.exec_driver_sql(f"ALTER TABLE es_events DROP CONSTRAINT {name}")


def _damage(engine: Engine, *statements: Any) -> None:
    if not is_sqlite(engine):
        with write_transaction(engine) as conn:
            for statement in statements:
                conn.execute(statement)
        return
    # SQLite's PRAGMAs apply outside a transaction, per connection.
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")
        raw.execute("PRAGMA ignore_check_constraints=ON")
        with conn.begin():
            for statement in statements:
                conn.execute(statement)
        raw.execute("PRAGMA foreign_keys=ON")
        raw.execute("PRAGMA ignore_check_constraints=OFF")


def test_verify_names_every_damaged_tenant_of_an_older_database(
    private_engine: Engine,
    tenant_id: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine = private_engine
    sound, headless, stray = f"{tenant_id}-a", f"{tenant_id}-b", f"{tenant_id}-c"
    for tenant in (sound, headless, stray):
        _log(engine, tenant)
    _without_constraints(engine)
    _damage(
        engine,
        delete(tenant_heads).where(tenant_heads.c.tenant_id == headless),
        insert(events).values(_row(stray, 0)),
    )
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["verify"]) == 1
    out = capsys.readouterr().out
    # The tenant whose head was deleted is still found, through its events; the
    # verification goes on past the first failure and names the second too.
    assert f"FAIL {headless}: position 3: head missing" in out
    assert f"FAIL {stray}: position 0: event at a position below 1" in out
    assert f"ok   {sound}" in out
    assert "2 of 3 tenant log(s) failed verification" in out
    assert main(["verify", "--tenant", "no-such-tenant"]) == 1


@pytest.mark.postgres
def test_migrating_an_older_database_adds_the_constraints(postgres_engine: Engine) -> None:
    name = f"gongjian_older_{uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}")
    try:
        migrate_store(engine)
        _without_constraints(engine)
        migrate_store(engine)
        with engine.connect() as conn:
            names = set(
                conn.execute(
                    text("SELECT conname FROM pg_constraint WHERE conrelid = 'es_events'::regclass")
                ).scalars()
            )
        assert {POSITION_CHECK, HEAD_FOREIGN_KEY} <= names
    finally:
        engine.dispose()
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
