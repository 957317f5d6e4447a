"""docs/operations.md, tried as written: a store made through the API, its signing key
rotated, dumped with pg_dump and restored with pg_restore into a new database, where
`gongjian verify` checks every chain and checkpoint; a tampered restore is caught."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import main
from api.platform import Platform, migrate
from tenants.store import keys
from tenants.store.database import make_engine
from tests.conftest import POSTGRES_ADMIN_URL

pytestmark = pytest.mark.postgres
ADMIN = {"Authorization": "Bearer dev:ops:platform_admin:-"}


@contextmanager
def new_database() -> Iterator[str]:
    """An empty database of this test's own; its URL. Dropped after."""
    name = f"gongjian_backup_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _commands(client: TestClient, street: str, community: str) -> None:
    """A street and its community, with units and a meeting, through the REST API."""
    tenants = [
        ({"tenant_id": street, "kind": "street", "name": "枫林街道"}, ADMIN),
        ({"tenant_id": community, "kind": "community", "name": "康健社区", "parent_id": street},
         {"Authorization": f"Bearer dev:li:street_admin:{street}"}),
    ]  # fmt: skip
    for body, who in tenants:
        assert client.post("/tenants", json=body, headers=who).status_code == 201
    secretary = {"Authorization": f"Bearer dev:wang:community_secretary:{community}"}
    for name in ("区医院党委", "物业党支部"):
        unit = {"name": name, "kind": "enterprise"}
        answer = client.post(f"/tenants/{community}/units", json=unit, headers=secretary)
        assert answer.status_code == 201
    meeting = {"kind": "regular", "title": "九月例会", "location": "会议室",
               "scheduled_for": "2025-09-01T09:00:00+08:00"}  # fmt: skip
    answer = client.post(f"/tenants/{community}/meetings", json=meeting, headers=secretary)
    assert answer.status_code == 201


def _heads(url: str) -> list[tuple[str, int, bytes]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT * FROM es_tenant_heads ORDER BY tenant_id").fetchall()


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def postgres_tools() -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.fail("pg_dump and pg_restore are needed (Debian: postgresql-client)")


def test_a_restored_dump_verifies_and_a_tampered_one_does_not(
    postgres_url: str,
    postgres_tools: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old_key, new_key = keys.create(tmp_path / "old.pem"), keys.create(tmp_path / "new.pem")
    monkeypatch.setenv(keys.KEY_FILE_SETTING, str(tmp_path / "old.pem"))
    monkeypatch.delenv(keys.PUBLIC_KEYS_SETTING, raising=False)
    with new_database() as live_url, new_database() as restored_url:
        engine = make_engine(live_url)
        migrate(engine)
        client = TestClient(create_app(Platform(engine, embedded=True, dev_tokens=True)))
        _commands(client, "fenglin", "fenglin-kangjian")
        monkeypatch.setenv("GONGJIAN_DATABASE_URL", live_url)
        assert main(["checkpoint"]) == 0
        capsys.readouterr()

        # Rotating the key: keep what the old one published, then sign with the new one.
        published = tmp_path / "earlier-keys.json"
        published.write_text(json.dumps(client.get("/.well-known/gongjian-keys").json()))
        monkeypatch.setenv(keys.KEY_FILE_SETTING, str(tmp_path / "new.pem"))
        monkeypatch.setenv(keys.PUBLIC_KEYS_SETTING, str(published))
        _commands(client, "xinhua", "xinhua-yuyuan")
        assert main(["checkpoint"]) == 0
        signed = capsys.readouterr().out
        assert f"key {new_key.kid}" in signed and f"key {old_key.kid}" not in signed
        engine.dispose()

        dump = tmp_path / "gongjian.dump"
        _run("pg_dump", "--format=custom", f"--file={dump}", live_url)
        _run("pg_restore", "--exit-on-error", "--no-owner", "--no-privileges",
             f"--dbname={restored_url}", str(dump))  # fmt: skip

        monkeypatch.setenv("GONGJIAN_DATABASE_URL", restored_url)
        assert main(["verify"]) == 0
        report = capsys.readouterr().out
        for tenant in ("fenglin", "fenglin-kangjian", "xinhua", "xinhua-yuyuan"):
            assert f"ok   {tenant}: " in report
        assert "4 tenant log(s) verified" in report
        assert _heads(restored_url) == _heads(live_url), "every log whole, to its last hash"
        assert main(["verify", "--read-models"]) == 0, "read models came with the dump"
        capsys.readouterr()

        # Without the old public key its checkpoints no longer verify: keep it listed.
        monkeypatch.delenv(keys.PUBLIC_KEYS_SETTING)
        assert main(["verify", "--tenant", "fenglin"]) == 1
        assert f"signed by key {old_key.kid}, which is not a published key" in (
            capsys.readouterr().out
        )
        monkeypatch.setenv(keys.PUBLIC_KEYS_SETTING, str(published))

        with psycopg.connect(restored_url, autocommit=True) as conn:
            conn.execute(
                "UPDATE es_events SET state = state || '\\x20'::bytea"
                " WHERE tenant_id = 'fenglin-kangjian' AND position = 2"
            )
        assert main(["verify"]) == 1
        report = capsys.readouterr().out
        assert "FAIL fenglin-kangjian: position 2" in report
        assert "ok   xinhua-yuyuan: " in report
