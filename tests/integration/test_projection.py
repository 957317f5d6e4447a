"""Projections apply every event exactly once, and a rebuild reproduces them."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError

from api.platform import Platform
from projections import runner, tables
from tests.integration.scenario import Scenario


def snapshot(engine: Engine, tenant_id: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every read-model row of one tenant, in a stable order."""
    result = {}
    with engine.connect() as conn:
        for table in runner.ALL_TABLES:
            rows = conn.execute(
                select(table)
                .where(table.c.tenant_id == tenant_id)
                .order_by(*table.primary_key.columns)
            ).all()
            result[table.name] = [tuple(row) for row in rows]
    return result


def _busy(platform: Platform, tenant_id: str, steps: int = 40) -> Scenario:
    scenario = Scenario(platform.ledger(tenant_id))
    for n in range(steps):
        scenario.run(n, n * 7 + 3)
    return scenario


def test_a_crash_mid_batch_rolls_back_and_the_retry_applies_once(
    engine: Engine, tenant_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = Platform(engine, embedded=False)
    _busy(platform, tenant_id)
    head = platform.ledger(tenant_id).head_position()

    def explode(_: object) -> list[str]:
        # A transient failure mid-batch (a bad event parks instead: test_parking).
        raise OperationalError("INSERT ...", {}, ConnectionError("server closed the connection"))

    monkeypatch.setitem(runner.HANDLERS, "gongjian.Meeting.SignedIn", explode)
    with pytest.raises(OperationalError):
        platform.projector.catch_up(tenant_id)
    assert platform.projector.position(tenant_id) == 0
    monkeypatch.undo()
    platform.projector.catch_up(tenant_id)
    platform.projector.catch_up(tenant_id)
    with engine.connect() as conn:
        projected = conn.execute(
            select(func.count())
            .select_from(tables.events)
            .where(tables.events.c.tenant_id == tenant_id)
        ).scalar_one()
    assert projected == head == platform.projector.position(tenant_id)


def test_concurrent_projectors_never_double_apply(engine: Engine, tenant_id: str) -> None:
    platform = Platform(engine, embedded=False)
    _busy(platform, tenant_id)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            Platform(engine, embedded=False).projector.catch_up(tenant_id)
        except BaseException as error:  # collected and re-raised in the test thread
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    platform.projector.catch_up(tenant_id)
    assert not errors
    with engine.connect() as conn:
        positions = (
            conn.execute(
                select(tables.events.c.position)
                .where(tables.events.c.tenant_id == tenant_id)
                .order_by(tables.events.c.position)
            )
            .scalars()
            .all()
        )
    assert positions == list(range(1, platform.ledger(tenant_id).head_position() + 1))


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(script=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 50)), min_size=5, max_size=80))
def test_replaying_a_tenants_log_into_empty_read_models_reproduces_them(
    sqlite_engine: Engine, script: list[tuple[int, int]]
) -> None:
    import uuid

    tenant_id = f"h-{uuid.uuid4().hex[:10]}"
    platform = Platform(sqlite_engine, embedded=True)
    scenario = Scenario(platform.ledger(tenant_id))
    for step, pick in script:
        scenario.run(step, pick)
        platform.after_command(tenant_id)
    before = snapshot(sqlite_engine, tenant_id)
    platform.projector.rebuild(tenant_id)
    assert snapshot(sqlite_engine, tenant_id) == before
    assert len(before["rm_events"]) == platform.ledger(tenant_id).head_position()


def test_the_rebuild_command_reproduces_every_read_model(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.cli import main
    from api.platform import migrate
    from tenants.store.database import make_engine

    url = f"sqlite:///{tmp_path / 'rebuild.db'}"
    engine = make_engine(url)
    migrate(engine)
    platform = Platform(engine, embedded=True)
    for tenant in ("rb-a", "rb-b"):
        _busy(platform, tenant, steps=60)
        platform.projector.catch_up(tenant)
    before = {t: snapshot(engine, t) for t in ("rb-a", "rb-b")}
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", url)
    assert main(["rebuild"]) == 0
    assert {t: snapshot(engine, t) for t in ("rb-a", "rb-b")} == before
    engine.dispose()


def _invariants(engine: Engine, tenant_id: str) -> None:
    """Rules that must hold whatever commands were tried, read from the read models."""
    from sqlalchemy import and_

    from projections import tables_engagement as f
    from projections.temporal import current
    from tenants.store.verify import verify_tenant

    t = tables
    with engine.connect() as conn:
        both = conn.execute(
            select(func.count()).where(
                t.attendance.c.tenant_id == tenant_id,
                current(t.attendance),
                t.attendance.c.signed_in.is_(True),
                t.attendance.c.on_leave.is_(True),
            )
        ).scalar_one()
        assert both == 0, "a unit is never both present and on leave"
        adopted = (
            conn.execute(
                select(t.agenda_items.c.outcome).where(
                    t.agenda_items.c.tenant_id == tenant_id,
                    current(t.agenda_items),
                    t.agenda_items.c.resolution_id.is_not(None),
                )
            )
            .scalars()
            .all()
        )
        assert set(adopted) <= {"agreed"}, "only an agreed item is a resolution"
        items = conn.execute(
            select(func.count())
            .select_from(t.resolutions)
            .join(
                t.agenda_items,
                and_(
                    t.agenda_items.c.tenant_id == t.resolutions.c.tenant_id,
                    t.agenda_items.c.meeting_id == t.resolutions.c.meeting_id,
                    t.agenda_items.c.item_id == t.resolutions.c.item_id,
                    current(t.agenda_items),
                ),
            )
            .where(
                t.resolutions.c.tenant_id == tenant_id,
                current(t.resolutions),
                t.agenda_items.c.outcome != "agreed",
            )
        ).scalar_one()
        assert items == 0
        active = conn.execute(
            select(f.claims.c.member_id, f.claims.c.post_id).where(
                f.claims.c.tenant_id == tenant_id, current(f.claims), f.claims.c.ended_at.is_(None)
            )
        ).all()
        per_member: dict[str, int] = {}
        per_post: dict[str, int] = {}
        for member_id, post_id in active:
            per_member[member_id] = per_member.get(member_id, 0) + 1
            per_post[post_id] = per_post.get(post_id, 0) + 1
        assert all(n <= 2 for n in per_member.values()), "the charter's claim limit holds"
        posts = select(f.posts.c.post_id, f.posts.c.capacity).where(
            f.posts.c.tenant_id == tenant_id, current(f.posts)
        )
        capacity = {row.post_id: row.capacity for row in conn.execute(posts)}
        assert all(n <= capacity[post] for post, n in per_post.items()), "capacity holds"
        totals = conn.execute(
            select(
                f.evaluations.c.structure,
                f.evaluations.c.sources,
                f.evaluations.c.source_totals,
                f.evaluations.c.weighted_total,
            ).where(
                f.evaluations.c.tenant_id == tenant_id,
                current(f.evaluations),
                f.evaluations.c.status == "final",
            )
        ).all()
        for _structure, sources, source_totals, weighted in totals:
            from decimal import Decimal

            expected = sum(Decimal(s["weight"]) * Decimal(source_totals[s["id"]]) for s in sources)
            assert Decimal(weighted) == expected, "a finalised total is exactly the weighted sum"
    assert verify_tenant(engine, tenant_id) is None


# Scripts that surely reach claims and decisions, besides the random ones (step
# numbers index Scenario.steps(): 18 register, 19 define_post, 20 claim, ...).
CLAIMS = [(18, 0), (19, 0), (19, 5), (19, 8), (18, 4), (20, 0), (20, 1), (21, 0), (22, 0)]
MEETING = [
    (0, 0),
    (0, 1),
    (0, 2),
    (2, 0),
    (3, 0),
    (4, 0),
    (6, 0),
    (6, 1),
    (7, 0),
    (8, 0),
    (8, 1),
    (9, 0),
]


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    script=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 50)), min_size=10, max_size=120)
)
@example(script=CLAIMS)
@example(script=[*MEETING, (24, 0), (25, 0), (26, 0)])
def test_every_rule_holds_after_any_command_sequence(
    sqlite_engine: Engine, script: list[tuple[int, int]]
) -> None:
    import uuid

    tenant_id = f"r-{uuid.uuid4().hex[:10]}"
    platform = Platform(sqlite_engine, embedded=True)
    scenario = Scenario(platform.ledger(tenant_id))
    for step, pick in script:
        scenario.run(step, pick)
    platform.after_command(tenant_id)
    _invariants(sqlite_engine, tenant_id)
