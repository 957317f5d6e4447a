"""Importing exports into an empty deployment, on SQLite and PostgreSQL (and across
them): a street and its community come back with identical log rows, heads,
checkpoints, Merkle nodes and roots, and every read-model row; what must be refused
is, in one line."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Table, select

from api.cli import main
from api.platform import Platform
from projections.schema import read_model_tables
from tenants.store import keys, tree
from tenants.store.schema import checkpoints, events, merkle_nodes, tenant_heads, tracking
from tenants.store.signed_checkpoint import utc
from tests.integration.test_exports import Export, _state_changed
from tests.integration.test_row_security import app_url  # noqa: F401 (a fixture)
from tests.integration.world import World, build_world

LOG_TABLES = [tenant_heads, events, checkpoints, merkle_nodes, tracking]


def _rows(engine: Engine, table: Table, tenants: list[str]) -> list[tuple[Any, ...]]:
    columns = list(table.c)
    with engine.connect() as conn:
        rows = conn.execute(select(*columns).where(table.c.tenant_id.in_(tenants))).all()
    # Moments in UTC (SQLite hands them back naive); sorted in Python, since the two
    # databases order text and NULLs differently.
    values = (tuple(utc(v) if isinstance(v, datetime) else v for v in row) for row in rows)
    return sorted(values, key=repr)


def _use(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> None:
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", engine.url.render_as_string(hide_password=False))


@pytest.fixture
def world(engine: Engine) -> World:
    """A street and its communities with units, a meeting and its resolution, a
    commitment, a member, a post, a rubric and an evaluation; projected."""
    return build_world(Platform(engine, embedded=True))


def test_an_import_reproduces_the_log_and_the_read_models(
    world: World,
    engine: Engine,
    private_engine: Engine,
    key: keys.SigningKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tenants = [world.street, world.a]
    _use(monkeypatch, engine)
    files = {}
    for tenant in [*tenants, world.c]:
        files[tenant] = tmp_path / f"{tenant}.gongjian-export"
        person_keys = tmp_path / f"{tenant}.person-keys.json"
        assert main(["export", "--tenant", tenant, "--to", str(files[tenant]),
                     "--person-keys", str(person_keys)]) == 0  # fmt: skip
        assert person_keys.stat().st_mode & 0o077 == 0, "readable by its owner only"
    capsys.readouterr()
    _use(monkeypatch, private_engine)
    # A community whose street is not here yet.
    assert main(["import", str(files[world.a])]) == 1
    assert capsys.readouterr().err == (
        f"gongjian: error: not imported: community {world.a} belongs to street "
        f"{world.street}, which this deployment does not have: import the street first\n"
    )
    for tenant in tenants:
        person_keys = tmp_path / f"{tenant}.person-keys.json"
        assert main(["import", str(files[tenant]), "--person-keys", str(person_keys)]) == 0
        out = capsys.readouterr().out
        head = world.head(tenant)
        assert f"imported {tenant}: {head} event(s), 1 checkpoint(s)" in out
        assert f"projected {head} event(s)" in out
    for table in LOG_TABLES:
        assert _rows(private_engine, table, tenants) == _rows(engine, table, tenants), table.name
    with engine.connect() as source, private_engine.connect() as target:
        for tenant in tenants:
            size = world.head(tenant)
            assert tree.root(target, tenant, size) == tree.root(source, tenant, size)
    compared = 0
    for table in read_model_tables():
        if "tenant_id" in table.c:
            source_rows = _rows(engine, table, tenants)
            assert _rows(private_engine, table, tenants) == source_rows, table.name
            compared += len(source_rows)
    assert compared > 50, "the world's read models were compared"
    # The imported logs verify, checkpoints and stored nodes included.
    assert main(["verify", "--tenant", world.street]) == 0
    assert main(["verify", "--tenant", world.a]) == 0
    capsys.readouterr()
    # Refused: a tenant that exists, a file that does not verify.
    assert main(["import", str(files[world.street])]) == 1
    assert capsys.readouterr().err == (
        f"gongjian: error: not imported: tenant {world.street} already exists in this deployment\n"
    )
    tampered = Export.read(files[world.a])
    tampered.records[2] = (tampered.records[2][0], _state_changed(tampered.records[2][1]))
    assert main(["import", str(tampered.write(tmp_path / "tampered"))]) == 1
    assert capsys.readouterr().err == (
        "gongjian: error: not imported: the export does not verify: position 3: hash mismatch\n"
    )
    with private_engine.connect() as conn:
        found = conn.execute(select(tenant_heads.c.tenant_id)).scalars().all()
    assert sorted(found) == sorted(tenants), "nothing of a refused import was stored"


def test_an_import_is_checked_against_the_keys_given(
    world: World,
    engine: Engine,
    key: keys.SigningKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _use(monkeypatch, engine)
    path = tmp_path / "street.gongjian-export"
    assert main(["export", "--tenant", world.other_street, "--to", str(path)]) == 0
    other = keys.create(tmp_path / "other.pem")
    published = tmp_path / "keys.json"
    published.write_text(json.dumps(keys.published([other.public])))
    capsys.readouterr()
    assert main(["import", str(path), "--keys", str(published)]) == 1
    assert capsys.readouterr().err == (
        "gongjian: error: not imported: the export does not verify: position "
        f"{world.head(world.other_street)}: checkpoint {world.head(world.other_street)}: "
        f"signed by key {key.kid}, which is not a published key\n"
    )


@pytest.mark.postgres
def test_the_application_role_may_not_import(
    request: pytest.FixtureRequest, postgres_engine: Engine, key: keys.SigningKey,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    url = request.getfixturevalue("app_url")  # migrate grants it a role that owns nothing
    world = build_world(Platform(postgres_engine, embedded=False))
    _use(monkeypatch, postgres_engine)
    path = tmp_path / "street.gongjian-export"
    assert main(["export", "--tenant", world.street, "--to", str(path)]) == 0
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", url)
    with postgres_engine.begin() as conn:  # the street gone, as from an empty deployment
        for table in reversed(LOG_TABLES):
            conn.execute(table.delete().where(table.c.tenant_id == world.street))
    capsys.readouterr()
    assert main(["import", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "gongjian: error: not imported: this database role may not write the event log: "
        "import as the tables' owner, as 'gongjian migrate' runs (permission denied"
    ), err
