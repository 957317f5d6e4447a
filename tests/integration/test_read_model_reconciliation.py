"""`gongjian verify --read-models`, on SQLite and PostgreSQL: read models rebuilt into
scratch tables match the live rows of an untouched store in every table, and every
altered live row is named by table, key, column and both values."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent
from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url

from api.cli import main
from api.platform import Platform, migrate
from projections import reconciliation, runner
from projections.reconciliation import Kind, known_tenants, reconcile
from projections.runner import ALL_TABLES, Projector
from projections.tables import attendance, events, positions, units
from tenants.demo.meetings import load_demo
from tenants.store.database import make_engine, write_transaction
from tenants.store.schema import events as log
from tests.conftest import POSTGRES_ADMIN_URL
from tests.integration.world import World, build_world, manager

SHOWN = reconciliation.SHOWN


@pytest.fixture
def world(engine: Engine) -> World:
    """The small world, every tenant projected to its head."""
    world = build_world(Platform(engine, embedded=False))
    for tenant in _tenants(world):
        world.platform.projector.catch_up(tenant)
    return world


def _tenants(world: World) -> list[str]:
    return [world.street, world.a, world.b, world.other_street, world.c]


def _use(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", engine.url.render_as_string(hide_password=False))


def _live_rows(engine: Engine, tenants: list[str]) -> dict[str, list[Any]]:
    """Every read-model row of the tenants, in key order."""
    with engine.connect() as conn:
        return {
            table.name: list(
                conn.execute(
                    select(table)
                    .where(table.c.tenant_id.in_(tenants))
                    .order_by(*table.primary_key.columns)
                )
            )
            for table in ALL_TABLES
        }


def _current(conn: Connection, table: Any, **match: Any) -> Any:
    where = [table.c[name] == value for name, value in match.items()]
    return conn.execute(select(table).where(*where, table.c.valid_to.is_(None))).one()


def test_an_untouched_demo_store_matches_in_every_table_the_demo_fills(
    private_engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = private_engine
    platform = Platform(engine, embedded=False)
    load_demo(platform.ledgers, platform.report_figures)
    platform.projector.catch_up_all()
    tenants = known_tenants(engine)
    before = _live_rows(engine, tenants)
    filled = {name for name, rows in before.items() if rows}
    # Rebuilt both ways the projector can: folded in memory, and statement by statement.
    by_event = Projector(engine, platform.projector.mapper, fold=False)
    for projector in (platform.projector, by_event):
        compared: dict[str, int] = {}
        for tenant in tenants:
            found = reconcile(projector, tenant)
            assert found.matches, found.lines()
            assert found.position == projector.position(tenant) > 0
            for name, count in found.rows.items():
                compared[name] = compared.get(name, 0) + count
        assert compared == {name: len(rows) for name, rows in before.items() if rows}
    assert len(filled) >= len(ALL_TABLES) - 3, "the demo fills nearly every read model"
    assert _live_rows(engine, tenants) == before, "the live rows are only read"

    _use(engine, monkeypatch)
    assert main(["verify", "--read-models"]) == 0
    out = capsys.readouterr().out
    for tenant in tenants:
        found = reconcile(platform.projector, tenant)
        rows, tables = sum(found.rows.values()), len(found.rows)
        assert (
            f"ok   {tenant}: {rows} rows in {tables} tables match at position {found.position}\n"
            in out
        )
    assert f"{len(tenants)} tenant(s)' read models match their logs" in out


def test_a_changed_a_deleted_and_an_inserted_row_are_named(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, a = world.platform.engine, world.a
    unit, meeting = world.ids["unit_id"], world.ids["meeting_id"]
    with write_transaction(engine) as conn:
        changed = _current(conn, units, tenant_id=a, unit_id=unit)
        conn.execute(
            update(units)
            .where(units.c.tenant_id == a, units.c.unit_id == unit)
            .where(units.c.valid_from == changed.valid_from)
            .values(name="篡改的名字")
        )
        deleted = _current(conn, attendance, tenant_id=a, meeting_id=meeting, unit_id=unit)
        conn.execute(
            delete(attendance).where(
                attendance.c.tenant_id == a,
                attendance.c.meeting_id == meeting,
                attendance.c.unit_id == unit,
                attendance.c.valid_from == deleted.valid_from,
            )
        )
        copied = _current(conn, positions, tenant_id=a, meeting_id=meeting, unit_id=unit)
        conn.execute(insert(positions).values({**copied._asdict(), "unit_id": "forged-unit"}))

    _use(engine, monkeypatch)
    assert main(["verify", "--read-models", "--tenant", a]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"FAIL {a}: rm_units key (unit_id='{unit}', valid_from={changed.valid_from}): "
        f"column name live '篡改的名字' rebuilt '{changed.name}'",
        f"FAIL {a}: rm_attendance key (meeting_id='{meeting}', unit_id='{unit}', "
        f"valid_from={deleted.valid_from}): live row missing",
        f"FAIL {a}: rm_positions key (meeting_id='{meeting}', item_id='{copied.item_id}', "
        f"unit_id='forged-unit', valid_from={copied.valid_from}): live row not made by the log",
        "1 of 1 tenant(s)' read models differ from their logs",
    ]
    found = reconcile(world.platform.projector, a)
    assert [(d.table, d.kind, d.column) for d in found.differences] == [
        ("rm_units", Kind.VALUE, "name"),
        ("rm_attendance", Kind.MISSING, None),
        ("rm_positions", Kind.UNMADE, None),
    ]
    assert main(["verify", "--read-models", "--tenant", world.b]) == 0, "its sibling is intact"


def test_differences_past_the_first_few_are_counted(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, street = world.platform.engine, world.a  # the community with most events
    with write_transaction(engine) as conn:
        conn.execute(delete(events).where(events.c.tenant_id == street))
    head = world.head(street)
    assert head > SHOWN
    _use(engine, monkeypatch)
    assert main(["verify", "--read-models", "--tenant", street]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[:SHOWN] == [
        f"FAIL {street}: rm_events key (position={p}): live row missing"
        for p in range(1, SHOWN + 1)
    ]
    assert lines[SHOWN] == f"FAIL {street}: … and {head - SHOWN} more difference(s)"


def test_the_rows_are_compared_at_the_position_the_projector_reached(world: World) -> None:
    projector, a = world.platform.projector, world.a
    reached = projector.position(a)
    world.run(manager(a, False), "join_unit", a, name="未投影的单位", kind="enterprise")
    assert world.head(a) > reached
    found = reconcile(projector, a)
    assert found.matches, found.lines()
    assert (found.position, found.head) == (reached, world.head(a))
    assert found.lines()[0].endswith(f"match at position {reached} of {world.head(a)}")


def test_rows_projected_while_the_audit_reads_are_not_differences(world: World) -> None:
    engine, projector, a = world.platform.engine, world.platform.projector, world.a
    reached = projector.position(a)
    moved: list[int] = []

    def project_meanwhile(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        # Once the audit has read its tracking position and starts on the log, another
        # command is appended and projected, committing rows and tracking.
        if moved or "es_events.position <=" not in statement:
            return
        moved.append(0)
        world.run(manager(a, False), "join_unit", a, name="同时加入", kind="enterprise")
        projector.catch_up(a)
        moved.append(projector.position(a))

    event.listen(engine, "before_cursor_execute", project_meanwhile)
    try:
        found = reconcile(projector, a)
    finally:
        event.remove(engine, "before_cursor_execute", project_meanwhile)
    assert moved[-1] > reached, "the projector moved on during the audit"
    assert found.matches and found.position == reached, found.lines()
    after = reconcile(projector, a)
    assert after.matches and after.position == moved[-1]


def test_a_parked_tenant_is_reported_parked_not_different(
    private_engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world = build_world(Platform(private_engine, embedded=False))
    newer = StoredEvent(uuid4(), 1, "gongjian.Meeting.RecordedByANewerRelease", b"{}")
    world.platform.ledgers[world.a].recorder.insert_events([newer])
    bad_at = world.head(world.a)
    world.platform.projector.catch_up_all()
    found = reconcile(world.platform.projector, world.a)
    assert found.matches and found.parked is not None
    assert found.position == bad_at - 1 and found.parked.position == bad_at
    (line,) = found.lines()
    assert line.startswith(f"parked {world.a}: ") and f"parked at position {bad_at}: " in line

    _use(private_engine, monkeypatch)
    assert main(["verify", "--read-models"]) == 0
    out = capsys.readouterr().out
    assert line in out and "1 tenant(s) parked" in out


def test_an_unknown_tenant_fails_as_verify_does(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _use(engine, monkeypatch)
    for command in (["verify"], ["verify", "--read-models"]):
        assert main([*command, "--tenant", "no-such-tenant"]) == 1
        assert capsys.readouterr().out == "FAIL no-such-tenant: no such tenant\n"


def test_rows_of_a_tenant_without_a_log_are_found(world: World) -> None:
    engine, ghost = world.platform.engine, f"ghost-{uuid.uuid4().hex[:8]}"
    with write_transaction(engine) as conn:
        row = _current(conn, units, tenant_id=world.a, unit_id=world.ids["unit_id"])
        conn.execute(insert(units).values({**row._asdict(), "tenant_id": ghost}))
    assert ghost in known_tenants(engine)
    found = reconcile(world.platform.projector, ghost)
    assert [(d.table, d.kind) for d in found.differences] == [("rm_units", Kind.UNMADE)]


def test_an_event_the_projection_cannot_replay_is_named(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, a = world.platform.engine, world.a
    topic = "gongjian.MemberUnit.Joined"

    def broken(applied: object) -> list[str]:
        raise ValueError("a handler changed since")

    monkeypatch.setitem(runner.HANDLERS, topic, broken)
    with engine.connect() as conn:
        first = conn.execute(
            select(func.min(log.c.position)).where(log.c.tenant_id == a, log.c.topic == topic)
        ).scalar_one()
    found = reconcile(world.platform.projector, a)
    assert not found.matches
    assert found.lines() == [
        f"FAIL {a}: the log cannot be replayed at position {first}: "
        "ValueError: a handler changed since"
    ]


def _scratch_relations(engine: Engine) -> list[str]:
    """Read-model tables other than the live ones: temporary (PostgreSQL) or in an
    attached database (SQLite), on any connection of the pool."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            query = text(
                "SELECT relname FROM pg_class WHERE relpersistence = 't' AND relname LIKE 'rm\\_%'"
            )
            return list(conn.execute(query).scalars())
        databases = conn.exec_driver_sql("PRAGMA database_list").all()
        temporary = conn.exec_driver_sql("SELECT name FROM sqlite_temp_master").scalars()
        return [
            *(name for _, name, _ in databases if name not in ("main", "temp")),
            *(name for name in temporary if name.startswith("rm_")),
        ]


def test_nothing_is_left_behind_and_no_live_row_is_written_when_the_audit_fails(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = world.platform.engine
    tables = sorted(inspect(engine).get_table_names())
    before = _live_rows(engine, _tenants(world))

    def fail(*_: object) -> None:
        raise RuntimeError("the audit stopped half-way")

    monkeypatch.setattr(reconciliation, "_compare", fail)
    for tenant in _tenants(world):
        with pytest.raises(RuntimeError, match="half-way"):
            reconcile(world.platform.projector, tenant)
    assert _scratch_relations(engine) == []
    assert sorted(inspect(engine).get_table_names()) == tables
    assert _live_rows(engine, _tenants(world)) == before


@pytest.fixture
def app_role_engine(private_engine: Engine) -> Iterator[Engine]:
    """The private database as a role that owns nothing (row security applies)."""
    role = f"gongjian_auditor_{uuid.uuid4().hex[:8]}"
    url = private_engine.url
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
    migrate(private_engine, app_role=role)
    engine = make_engine(url.set(username=role).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    admin_url = make_url(POSTGRES_ADMIN_URL).set(database=url.database)
    with psycopg.connect(admin_url.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f"DROP OWNED BY {role}")
        c.execute(f"DROP ROLE {role}")


@pytest.mark.parametrize(
    "private_engine", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_the_application_role_audits_its_tenants_through_row_security(
    private_engine: Engine,
    app_role_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world = build_world(Platform(private_engine, embedded=False))
    world.platform.projector.catch_up_all()
    as_app = Platform(app_role_engine, embedded=False).projector
    assert known_tenants(app_role_engine) == known_tenants(private_engine)
    for tenant in _tenants(world):
        by_owner = reconcile(world.platform.projector, tenant)
        by_app = reconcile(as_app, tenant)
        assert by_app.matches and by_app.rows == by_owner.rows and by_app.rows
    # A session that never named its tenants sees no row; the audit names its own.
    bare = create_engine(app_role_engine.url)
    try:
        found = reconcile(Projector(bare, as_app.mapper), world.a)
        assert found.matches and found.rows == reconcile(as_app, world.a).rows
    finally:
        bare.dispose()
    with write_transaction(private_engine) as conn:
        conn.execute(
            update(units).where(units.c.tenant_id == world.a).values(name="改过", active=False)
        )
    found = reconcile(as_app, world.a)
    assert {(d.table, d.column) for d in found.differences} == {
        ("rm_units", "name"),
        ("rm_units", "active"),
    }

    # Without the TEMPORARY privilege there is nowhere to rebuild: one line says so.
    with psycopg.connect(
        make_url(POSTGRES_ADMIN_URL)
        .set(database=private_engine.url.database)
        .render_as_string(hide_password=False),
        autocommit=True,
    ) as admin:
        admin.execute(f'REVOKE TEMPORARY ON DATABASE "{private_engine.url.database}" FROM PUBLIC')
    app_role_engine.dispose()  # new sessions see the revoked privilege
    _use(app_role_engine, monkeypatch)
    assert main(["verify", "--read-models", "--tenant", world.b]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gongjian: error: cannot create the scratch tables (temporary tables,")
    assert "permission denied" in err and "Traceback" not in err


def test_verify_read_models_takes_no_keys(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _use(engine, monkeypatch)
    assert main(["verify", "--read-models", "--keys", os.devnull]) == 1
    assert (
        "--keys checks checkpoints; it does not apply to --read-models" in capsys.readouterr().err
    )
