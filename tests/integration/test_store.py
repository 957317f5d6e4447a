"""The store's must-have properties, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from sqlalchemy import Engine, select, update

from api.cli import main
from api.platform import Platform
from domain.charters import Charter
from domain.stamp import Actor, Stamp
from domain.tenants import TenantKind
from domain.units import MemberUnit, UnitKind
from projections.tables import events as feed
from tenants.store.database import write_transaction
from tenants.store.pg_append import APPEND_SQL
from tenants.store.recorder import TenantRecorder, lock_head
from tenants.store.schema import events, tenant_heads
from tenants.store.verify import verify_tenant


def _event(originator: UUID | None = None, version: int = 1) -> StoredEvent:
    return StoredEvent(originator or uuid4(), version, "gongjian.Test.Happened", b'{"n":1}')


def test_concurrent_writers_to_one_tenant_get_gap_free_positions(
    engine: Engine, tenant_id: str
) -> None:
    recorder = TenantRecorder(engine, tenant_id)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: recorder.insert_events([_event(), _event()]), range(40)))
    positions = sorted(p for batch in results for p in batch or [])
    assert positions == list(range(1, 81))
    assert recorder.max_notification_id() == 80
    assert verify_tenant(engine, tenant_id) is None


def test_a_refused_append_leaves_no_gap(engine: Engine, tenant_id: str) -> None:
    recorder = TenantRecorder(engine, tenant_id)
    first = _event()
    recorder.insert_events([first])
    with pytest.raises(IntegrityError):
        recorder.insert_events([_event(), StoredEvent(first.originator_id, 1, "t", b"{}")])
    assert recorder.insert_events([_event()]) == [2]
    assert verify_tenant(engine, tenant_id) is None


def test_tenants_logs_are_separate(engine: Engine, tenant_id: str) -> None:
    a, b = TenantRecorder(engine, tenant_id), TenantRecorder(engine, f"{tenant_id}-b")
    shared = uuid4()
    a.insert_events([_event(shared)])
    # The same aggregate id may exist in two tenants: keys are led by the tenant.
    assert b.insert_events([_event(shared)]) == [1]
    assert [n.id for n in a.select_notifications(None, 10)] == [1]
    assert len(b.select_events(shared)) == 1


@pytest.mark.postgres
def test_a_writer_is_not_blocked_by_another_tenants_lock(
    postgres_engine: Engine, tenant_id: str
) -> None:
    other = TenantRecorder(postgres_engine, f"{tenant_id}-other")
    TenantRecorder(postgres_engine, tenant_id).insert_events([_event()])
    done = threading.Event()
    with write_transaction(postgres_engine) as conn:
        lock_head(conn, tenant_id)  # hold tenant A's head lock, as a slow append would

        def append_to_other() -> None:
            other.insert_events([_event()])
            done.set()

        thread = threading.Thread(target=append_to_other)
        thread.start()
        finished = done.wait(timeout=20)
    thread.join()
    assert finished, "an append to tenant B waited for tenant A's lock"


def test_a_tampered_row_fails_verification_naming_its_position(
    engine: Engine,
    tenant_id: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    recorder = TenantRecorder(engine, tenant_id)
    for _ in range(3):
        recorder.insert_events([_event()])
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["verify", "--tenant", tenant_id]) == 0
    with write_transaction(engine) as conn:
        conn.execute(
            update(events)
            .where(events.c.tenant_id == tenant_id, events.c.position == 2)
            .values(state=b'{"n":2}')
        )
    assert main(["verify", "--tenant", tenant_id]) == 1
    assert f"FAIL {tenant_id}: position 2: hash mismatch" in capsys.readouterr().out


def test_a_deleted_last_row_is_detected_by_the_head(engine: Engine, tenant_id: str) -> None:
    recorder = TenantRecorder(engine, tenant_id)
    recorder.insert_events([_event(), _event()])
    with write_transaction(engine) as conn:
        conn.execute(events.delete().where(events.c.tenant_id == tenant_id, events.c.position == 2))
    broken = verify_tenant(engine, tenant_id)
    assert broken is not None and broken.position == 2


def test_the_head_holds_the_last_appended_position_and_hash(engine: Engine, tenant_id: str) -> None:
    TenantRecorder(engine, tenant_id).insert_events([_event(), _event(), _event()])
    with engine.connect() as conn:
        head = conn.execute(select(tenant_heads).where(tenant_heads.c.tenant_id == tenant_id)).one()
        last = conn.execute(
            select(events.c.hash).where(events.c.tenant_id == tenant_id, events.c.position == 3)
        ).scalar_one()
    assert head.position == 3 and bytes(head.hash) == bytes(last)


@pytest.mark.postgres
def test_projection_never_skips_a_slow_or_rolled_back_append(
    postgres_engine: Engine, tenant_id: str
) -> None:
    """Positions are handed out under the tenant's head lock and committed in order: a
    projector never sees position n+1 before n, and a rollback leaves no gap."""
    platform = Platform(postgres_engine, embedded=False)
    ledger = platform.ledger(tenant_id)
    stamp = Stamp(tenant_id, Actor("u", "street_admin"))
    ledger.register(stamp, TenantKind.STREET, "街道", Charter(), None)
    seen_while_held = []
    for commit in (False, True):
        holding, release = threading.Event(), threading.Event()

        def slow_append(
            commit: bool = commit,
            holding: threading.Event = holding,
            release: threading.Event = release,
        ) -> None:
            unit = MemberUnit.join(stamp, unit_id=uuid4(), name="慢单位", kind=UnitKind.ENTERPRISE)
            stored = ledger.mapper.to_stored_event(unit.collect_events()[0])
            raw = postgres_engine.raw_connection()
            try:
                assert raw.driver_connection is not None
                raw.driver_connection.execute(
                    APPEND_SQL,
                    (
                        tenant_id,
                        [stored.originator_id],
                        [stored.originator_version],
                        [stored.topic],
                        [stored.state],
                        None,
                        None,
                        None,
                    ),
                )
                holding.set()
                release.wait(timeout=10)
                raw.commit() if commit else raw.rollback()
            finally:
                raw.close()

        writer = threading.Thread(target=slow_append)
        writer.start()
        assert holding.wait(timeout=10)
        queued = threading.Thread(
            target=lambda: ledger.join_unit(stamp, uuid4(), "排队单位", UnitKind.ENTERPRISE)
        )
        queued.start()
        platform.projector.catch_up(tenant_id)
        seen_while_held.append(platform.projector.position(tenant_id))
        release.set()
        writer.join()
        queued.join()
        platform.projector.catch_up(tenant_id)
    # Round 1 held position 2 and rolled back (the queued append took 2); round 2
    # held 3 and committed (the queued append took 4).
    assert seen_while_held == [1, 2]
    with postgres_engine.connect() as conn:
        positions = list(
            conn.execute(
                select(feed.c.position)
                .where(feed.c.tenant_id == tenant_id)
                .order_by(feed.c.position)
            ).scalars()
        )
    assert positions == [1, 2, 3, 4]
    assert verify_tenant(postgres_engine, tenant_id) is None


def test_a_subscription_follows_a_tenants_log_in_order(engine: Engine, tenant_id: str) -> None:
    recorder = TenantRecorder(engine, tenant_id)
    recorder.insert_events([_event(), _event()])
    seen: list[int] = []
    with recorder.subscribe(gt=0) as subscription:
        for notification in subscription:
            seen.append(notification.id)
            if notification.id == 2:
                recorder.insert_events([_event()])  # arrives while following
            if notification.id == 3:
                break
    assert seen == [1, 2, 3]
