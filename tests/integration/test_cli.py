"""The `gongjian` command line on an SQLite file: migrate, project, verify."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main
from api.platform import Platform
from domain.charters import Charter
from domain.stamp import Actor, Stamp
from domain.tenants import TenantKind
from projections.runner import PROJECTION
from tenants.store.database import make_engine
from tenants.store.tracking import tracked_position


def test_migrate_then_a_separate_projector_process_catches_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", url)
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0, "migrating twice changes nothing"
    engine = make_engine(url)
    writer = Platform(engine, embedded=False)
    ledger = writer.ledger("cli-street")
    ledger.register(
        Stamp("cli-street", Actor("u", "street_admin")), TenantKind.STREET, "街道", Charter(), None
    )
    assert main(["project", "--once"]) == 0
    assert "projected 1 event(s)" in capsys.readouterr().out
    with engine.connect() as conn:
        assert tracked_position(conn, "cli-street", PROJECTION) == 1
    assert main(["verify"]) == 0
    assert "1 tenant log(s) verified" in capsys.readouterr().out
    engine.dispose()


def test_commands_refuse_an_unmigrated_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(SystemExit, match="not migrated"):
        main(["project", "--once"])
