"""The derived rules the read side runs in SQL agree with the domain's definitions."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Table, insert, select

from domain.attendance import is_absent_without_leave
from domain.meetings import MeetingStatus, attendance_status
from domain.members import LogStatus, confirmed_hours
from domain.resolutions import ResolutionStatus, is_overdue
from projections import rules, tables, tables_engagement

TODAY = date(2025, 6, 15)
DAYS = [TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=1)]
AT = datetime(2025, 6, 1, 8, tzinfo=UTC)


def _write(engine: Engine, table: Table, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        conn.execute(insert(table), [{**row, "valid_from": 1} for row in rows])


def _ids(engine: Engine, table: Table, column: str, tenant_id: str, *where: Any) -> set[str]:
    query = select(table.c[column]).where(table.c.tenant_id == tenant_id, *where)
    with engine.connect() as conn:
        return set(conn.execute(query).scalars())


def test_overdue_in_sql_is_the_domains_overdue(engine: Engine, tenant_id: str) -> None:
    cases = {
        f"r{n}": (deadline, status)
        for n, (deadline, status) in enumerate(itertools.product(DAYS, ResolutionStatus))
    }
    r = tables.resolutions
    _write(
        engine,
        r,
        [
            dict(
                tenant_id=tenant_id,
                resolution_id=rid,
                meeting_id="m",
                item_id="i",
                title="t",
                action="a",
                responsible=[],
                deadline=deadline,
                status=status.value,
                notified=[],
                completed_by=[],
                adopted_at=AT,
                created_position=1,
                version=1,
            )
            for rid, (deadline, status) in cases.items()
        ],
    )
    late = _ids(engine, r, "resolution_id", tenant_id, rules.overdue_resolution(r, TODAY))
    not_late = _ids(engine, r, "resolution_id", tenant_id, ~rules.overdue_resolution(r, TODAY))
    expected = {
        rid for rid, (deadline, status) in cases.items() if is_overdue(deadline, status, TODAY)
    }
    assert late == expected
    assert not_late == set(cases) - expected


def test_absence_in_sql_is_the_domains_absence(engine: Engine, tenant_id: str) -> None:
    m, a = tables.meetings, tables.attendance
    _write(
        engine,
        m,
        [
            dict(
                tenant_id=tenant_id,
                meeting_id=status.value,
                kind="regular",
                title="t",
                status=status.value,
                scheduled_for=AT,
                location="l",
                charter={},
                created_position=1,
                version=1,
            )
            for status in MeetingStatus
        ],
    )
    combos = list(itertools.product([False, True], repeat=2))
    _write(
        engine,
        a,
        [
            dict(
                tenant_id=tenant_id,
                meeting_id=status.value,
                unit_id=f"u{signed_in:d}{on_leave:d}",
                notified=True,
                signed_in=signed_in,
                substitute=False,
                on_leave=on_leave,
            )
            for status in MeetingStatus
            for signed_in, on_leave in combos
        ],
    )
    held = _ids(engine, m, "meeting_id", tenant_id, rules.held_meeting(m))
    absent = {
        (row.meeting_id, row.unit_id)
        for row in _rows(engine, a, tenant_id, rules.absent_without_leave(a))
        if row.meeting_id in held
    }
    expected = {
        (status.value, f"u{signed_in:d}{on_leave:d}")
        for status in MeetingStatus
        for signed_in, on_leave in combos
        if attendance_status(signed_in, on_leave, status) == "absent_without_leave"
    }
    assert absent == expected
    assert {u for _, u in expected} == {
        f"u{s:d}{o:d}" for s, o in combos if is_absent_without_leave(s, o)
    }


def _rows(engine: Engine, table: Table, tenant_id: str, *where: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(table).where(table.c.tenant_id == tenant_id, *where)))


def test_confirmed_hours_in_sql_are_the_domains(engine: Engine, tenant_id: str) -> None:
    logs = tables_engagement.service_logs
    cases = [(f"{n}.25", status) for n, status in enumerate(LogStatus, start=1)]
    _write(
        engine,
        logs,
        [
            dict(
                tenant_id=tenant_id,
                member_id="m",
                log_id=f"l{n}",
                post_id="p",
                served_on=TODAY,
                hours=hours,
                what="w",
                status=status.value,
                position=n,
            )
            for n, (hours, status) in enumerate(cases)
        ],
    )
    counted = _rows(engine, logs, tenant_id, rules.confirmed_log(logs))
    assert sum((Decimal(r.hours) for r in counted), Decimal(0)) == confirmed_hours(cases)


def test_moments_read_back_in_utc_on_either_database(engine: Engine, tenant_id: str) -> None:
    m = tables.meetings
    _write(
        engine,
        m,
        [
            dict(
                tenant_id=tenant_id,
                meeting_id="m",
                kind="regular",
                title="t",
                status="scheduled",
                scheduled_for=datetime(2025, 6, 1, 16, tzinfo=UTC),
                location="l",
                charter={},
                created_position=1,
                version=1,
            )
        ],
    )
    (row,) = _rows(engine, m, tenant_id)
    assert row.scheduled_for == datetime(2025, 6, 1, 16, tzinfo=UTC)
    assert row.scheduled_for.tzinfo is UTC
    assert row.notice_issued_at is None
