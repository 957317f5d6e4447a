"""The `gongjian` command line on an SQLite file: migrate, project, verify."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from api.cli import _parser, main
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


def test_commands_refuse_an_unmigrated_database_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    for command in (["project", "--once"], ["verify"], ["demo"], ["rebuild"]):
        assert main(command) == 1
        err = capsys.readouterr().err
        assert err.startswith("gongjian: error: the database at sqlite:///"), err
        assert "not migrated: run 'gongjian migrate'" in err and "Traceback" not in err


def test_loading_the_demo_twice_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    assert main(["migrate"]) == 0
    assert main(["demo"]) == 0
    assert "demo loaded: 1 street" in capsys.readouterr().out
    assert main(["demo"]) == 1
    err = capsys.readouterr().err
    assert err == "gongjian: error: the demo is already loaded in " + (
        f"sqlite:///{tmp_path / 'demo.db'} (street fenglin)\n"
    )


def test_an_unreachable_database_is_one_line_and_hides_the_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", "postgresql://who:secret@127.0.0.1:1/none")
    assert main(["verify"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gongjian: error: cannot use the database at postgresql")
    assert "secret" not in err and "***" in err and len(err.strip().splitlines()) == 1


def test_version_and_help_on_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("gongjian 0.")
    parser = _parser()
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    missing = []
    for name, sub in subparsers[0].choices.items():
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        parsers = {name: sub, **{f"{name} {n}": p for s in nested for n, p in s.choices.items()}}
        for label, p in parsers.items():
            for action in p._actions:
                if action.option_strings and not action.help and "-h" not in action.option_strings:
                    missing.append(f"{label} {action.option_strings[0]}")
    assert missing == []
