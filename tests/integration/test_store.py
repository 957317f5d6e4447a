"""The store's must-have properties, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from sqlalchemy import Engine, select, update

from api.cli import main
from tenants.database import write_transaction
from tenants.recorder import TenantRecorder, lock_head
from tenants.schema import events, tenant_heads
from tenants.verify import verify_tenant


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


def test_the_head_is_updated_in_the_append_transaction(engine: Engine, tenant_id: str) -> None:
    TenantRecorder(engine, tenant_id).insert_events([_event(), _event(), _event()])
    with engine.connect() as conn:
        head = conn.execute(select(tenant_heads).where(tenant_heads.c.tenant_id == tenant_id)).one()
        last = conn.execute(
            select(events.c.hash).where(events.c.tenant_id == tenant_id, events.c.position == 3)
        ).scalar_one()
    assert head.position == 3 and bytes(head.hash) == bytes(last)
