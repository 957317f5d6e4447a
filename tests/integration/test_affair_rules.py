"""Overdue affairs in SQL are the domain's overdue affairs, on both databases."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import Engine, insert, select

from domain.affairs import AffairStatus, is_overdue
from projections import rules
from projections.tables_affairs import affairs

TODAY = date(2025, 6, 15)
DEADLINES = [None, TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=1)]


def test_overdue_affairs_in_sql_are_the_domains_overdue_affairs(
    engine: Engine, tenant_id: str
) -> None:
    cases = {
        f"a{n}": (deadline, status)
        for n, (deadline, status) in enumerate(itertools.product(DEADLINES, AffairStatus))
    }
    rows: list[dict[str, object]] = [
        dict(tenant_id=tenant_id, affair_id=aid, resident={"name": "李", "phone": None},
             matter="m", channel="phone", received_on=TODAY - timedelta(days=9),
             status=status.value, deadline=deadline, evidence=[], files=[], reopened=0,
             created_position=1, version=1, valid_from=1)
        for aid, (deadline, status) in cases.items()
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(affairs), rows)
        late = rules.overdue_affair(affairs, TODAY)
        query = select(affairs.c.affair_id).where(affairs.c.tenant_id == tenant_id, late)
        found = set(conn.execute(query).scalars())
    expected = {
        aid for aid, (deadline, status) in cases.items() if is_overdue(deadline, status, TODAY)
    }
    assert expected and found == expected
