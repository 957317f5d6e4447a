"""Benchmark: single-event appends per second on PostgreSQL, this store vs the stock recorder.

Each writer is its own process (so Python's GIL does not hide the database's
locking) appending one event per transaction for a fixed time; writer ``i``
writes to tenant ``i``. The stock eventsourcing PostgreSQL recorder runs in
the same run on the same server for comparison. Prints a table and ratios.

    python -m bench.append [--seconds 4] [--url postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time
import uuid
from urllib.parse import urlparse

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

from api.platform import migrate
from tenants.store.database import make_engine
from tenants.store.recorder import TenantRecorder

STATE = b'{"stamp":{"tenant_id":"t","actor":{"user_id":"u","role":"r","unit_id":null}},"name":"x"}'
STOCK_TABLE = "bench_stock_events"


def _event() -> StoredEvent:
    return StoredEvent(uuid.uuid4(), 1, "gongjian.Bench.Appended", STATE)


def _stock_recorder(url: str) -> PostgresApplicationRecorder:
    parts = urlparse(url)
    datastore = PostgresDatastore(
        dbname=parts.path.lstrip("/"),
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or "",
        pool_size=2,
    )
    return PostgresApplicationRecorder(datastore, events_table_name=STOCK_TABLE)


def _writer(kind: str, url: str, tenant: str, seconds: float, start: float, out: mp.Queue) -> None:  # type: ignore[type-arg]
    if kind == "gongjian":
        engine = make_engine(url, pool_size=2)
        recorder: TenantRecorder | PostgresApplicationRecorder = TenantRecorder(engine, tenant)
    else:
        recorder = _stock_recorder(url)
    recorder.insert_events([_event()])  # warm the connection
    while time.time() < start:
        time.sleep(0.001)
    count, deadline = 0, start + seconds
    while time.time() < deadline:
        recorder.insert_events([_event()])
        count += 1
    out.put(count)


def measure(kind: str, url: str, writers: int, seconds: float) -> float:
    """Events per second with ``writers`` concurrent processes."""
    out: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    start = time.time() + 2.0
    run = uuid.uuid4().hex[:6]
    procs = [
        mp.Process(target=_writer, args=(kind, url, f"bench-{run}-{i}", seconds, start, out))
        for i in range(writers)
    ]
    for proc in procs:
        proc.start()
    total: int = sum(int(out.get(timeout=seconds + 60)) for _ in procs)
    for proc in procs:
        proc.join()
    return float(total) / seconds


def _fresh_database(admin_url: str) -> tuple[str, str]:
    name = f"gongjian_bench_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{admin_url.rsplit('/', 1)[0]}/{name}", name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--writers", default="1,4,8")
    args = parser.parse_args()
    url, name = _fresh_database(args.url)
    try:
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        _stock_recorder(url).create_table()
        print(f"single-event appends/s on PostgreSQL, {args.seconds:.0f} s per cell")
        print(f"{'writers':>7} {'gongjian':>10} {'stock':>10} {'ratio':>7}")
        for writers in (int(w) for w in args.writers.split(",")):
            ours = measure("gongjian", url, writers, args.seconds)
            stock = measure("stock", url, writers, args.seconds)
            print(f"{writers:>7} {ours:>10.0f} {stock:>10.0f} {ours / stock:>7.2f}")
    finally:
        with psycopg.connect(args.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
