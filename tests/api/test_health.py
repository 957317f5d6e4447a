"""Liveness and readiness: /livez answers while the process runs; /readyz fails with
503 while a migration is pending or the database does not answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from api.platform import Platform, migrate, pending_migrations
from tenants.store.database import make_engine
from tenants.store.pg_append import APPEND_FUNCTION
from tests.integration.servers import free_port


def _client(engine: Engine) -> TestClient:
    return TestClient(create_app(Platform(engine, embedded=False)))


def test_a_migrated_store_is_live_and_ready(engine: Engine) -> None:
    client = _client(engine)
    assert client.get("/livez").json() == {"status": "alive"}
    ready = client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert client.get("/healthz").status_code == 200


def test_readiness_fails_until_the_store_is_migrated(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    client = _client(engine)
    refused = client.get("/readyz")
    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "not-ready"
    assert "migrations are pending (table es_events" in refused.json()["detail"]
    assert client.get("/livez").status_code == 200
    migrate(engine)
    assert client.get("/readyz").status_code == 200
    engine.dispose()


def test_an_upgrade_is_pending_until_migrate_runs(private_engine: Engine) -> None:
    assert pending_migrations(private_engine) == []
    with private_engine.begin() as conn:
        # As a database migrated by an older release: an older read-model shape, and
        # a table an upgrade added.
        conn.execute(text("UPDATE rm_schema_version SET fingerprint = 'older'"))
        conn.execute(text("DROP TABLE es_merkle_nodes"))
    refused = _client(private_engine).get("/readyz")
    assert refused.status_code == 503
    detail = refused.json()["detail"]
    assert "table es_merkle_nodes" in detail and "the read models' shape" in detail
    migrate(private_engine)
    assert pending_migrations(private_engine) == []
    assert _client(private_engine).get("/readyz").status_code == 200


# The append function is PostgreSQL's: this test has no SQLite case (none to skip).
@pytest.mark.parametrize(
    "private_engine", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_an_older_append_function_is_pending(private_engine: Engine) -> None:
    older = APPEND_FUNCTION.replace("$fn$\n", "$fn$\n-- as an older release wrote it\n", 1)
    assert older != APPEND_FUNCTION
    with private_engine.begin() as conn:
        conn.exec_driver_sql(older)
    assert pending_migrations(private_engine) == ["function gongjian_append"]
    migrate(private_engine)
    assert pending_migrations(private_engine) == []


def test_readiness_fails_while_the_database_is_unreachable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Nothing listens on this port: as a database that went away.
    engine = make_engine(f"postgresql://gongjian:secret@127.0.0.1:{free_port()}/gongjian")
    client = _client(engine)
    refused = client.get("/readyz")
    assert refused.status_code == 503
    assert refused.json()["detail"] == "the database does not answer"
    assert "secret" not in refused.text and "127.0.0.1" not in refused.text
    assert "not ready: the database does not answer" in caplog.text
    assert client.get("/livez").status_code == 200
