"""Benchmark: the bulk append (``tenants.store.bulk_append``: one binary COPY per batch,
chain hashes computed in Python under the heads' locks) against the per-command
append path (``TenantRecorder.insert_events``: one round trip to ``gongjian_append``
per command of one event) as the baseline, on PostgreSQL.

Each round measures every cell once, the order rotated from round to round, so a
loaded machine skews both columns alike:

* ``bulk, A appender(s)``: ``--events`` events over ``--tenants`` new tenants,
  appended in batches of ``--batch`` events (a batch holds whole tenants, one
  transaction each) by A processes, each appending its own share of the tenants;
* ``per command, N writers``: N threads each appending one event per command to a
  tenant of its own for ``--seconds`` (the per-command path waits on the database, so
  threads keep it busy; ``bench/append.py`` measures it with processes).

The events are synthetic (about 300 bytes of JSON, like a stamped domain event) in a
database of the run's own that nothing projects, dropped at the end. After the
rounds every tenant's chain is verified (``gongjian verify``'s audit, two workers),
and the verify rate is printed too. Prints events/s as min–max over rounds and the
bulk/per-command ratio of the same round, with the target (100,000 events/s) marked.

    python -m bench.bulk_append [--events 200000] [--tenants 200] [--batch 50000]
        [--rounds 3] [--seconds 3] [--url postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from threading import Barrier

from eventsourcing.persistence import StoredEvent
from sqlalchemy import Engine

from api.platform import migrate
from bench.graphql import bench_database
from tenants.store.bulk_append import bulk_append
from tenants.store.database import make_engine
from tenants.store.recorder import TenantRecorder
from tenants.store.verify import verify_store

TOPIC = "gongjian.Bench.Recorded"
TARGET = 100_000.0
BULK = "bulk, {} appender(s)"


def _state(n: int) -> bytes:
    """About 300 bytes of JSON, like a stamped domain event."""
    return json.dumps(
        {
            "timestamp": {"_type_": "datetime_iso", "_data_": "2026-03-01T09:00:00+00:00"},
            "stamp": {"_type_": "stamp", "_data_": {"tenant_id": "bench", "actor": {
                "user_id": f"secretary-{n % 97}", "role": "community_secretary",
                "unit_id": None}, "occurred_at": None, "reason": None}},
            "title": f"第{n}次联席会议", "location": "社区党群服务中心", "n": n,
        },
        ensure_ascii=False,
    ).encode()  # fmt: skip


def _events(count: int) -> list[StoredEvent]:
    return [StoredEvent(uuid.uuid4(), 1, TOPIC, _state(n)) for n in range(count)]


@contextmanager
def migrated_database(admin_url: str) -> Iterator[Engine]:
    """A fresh, migrated database of the run's own (``bench.graphql.bench_database``),
    dropped afterwards."""
    with bench_database(admin_url) as url:
        engine = make_engine(url, pool_size=10)
        try:
            migrate(engine)
            yield engine
        finally:
            engine.dispose()


def _append_share(args: tuple[str, list[str], int, int, Barrier]) -> float:
    """One appender: bulk-append ``each`` events to each of its tenants, in batches;
    return the seconds it took (after every appender is ready)."""
    url, names, each, batch, ready = args
    engine = make_engine(url, pool_size=1)
    try:
        logs = {name: _events(each) for name in names}  # made before the clock starts
        per_batch = max(1, batch // each)
        ready.wait()
        started = time.perf_counter()
        for first in range(0, len(names), per_batch):
            bulk_append(engine, {name: logs[name] for name in names[first : first + per_batch]})
        return time.perf_counter() - started
    finally:
        engine.dispose()


def measure_bulk(url: str, round_no: int, appenders: int, args: argparse.Namespace) -> float:
    """Bulk-append ``--events`` events over new tenants from ``appenders`` processes,
    each its own tenants; return events/s (appending only, the slowest appender's time)."""
    each = max(1, args.events // args.tenants)
    names = [f"bulk-{round_no}-{appenders}-{n}" for n in range(args.tenants)]
    context = mp.get_context("fork")
    ready = context.Manager().Barrier(appenders)
    shares = [(url, names[n::appenders], each, args.batch, ready) for n in range(appenders)]
    with context.Pool(appenders) as pool:
        seconds = pool.map(_append_share, shares, chunksize=1)
    return float(each * args.tenants / max(seconds))


def measure_per_command(engine: Engine, round_no: int, writers: int, seconds: float) -> float:
    """Append one event per command from ``writers`` threads; return events/s."""
    counts = [0] * writers
    barrier = threading.Barrier(writers + 1)
    stop = threading.Event()

    def write(n: int) -> None:
        recorder = TenantRecorder(engine, f"command-{round_no}-{writers}-{n}")
        state = _state(n)
        barrier.wait()
        while not stop.is_set():
            recorder.insert_events([StoredEvent(uuid.uuid4(), 1, TOPIC, state)])
            counts[n] += 1

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


def _range(values: list[float], digits: int = 0) -> str:
    return f"{min(values):,.{digits}f}–{max(values):,.{digits}f}"


def run(engine: Engine, args: argparse.Namespace) -> dict[str, list[float]]:
    """Measure every cell once per round, the order rotated; return the rates."""
    bulk = [(BULK.format(a), a) for a in args.appenders]
    per_command = [(f"per command, {w} writers", w) for w in args.writers]
    cells = bulk + per_command
    rates: dict[str, list[float]] = {cell: [] for cell, _ in cells}
    url = engine.url.render_as_string(hide_password=False)
    for round_no in range(args.rounds):
        shift = round_no % len(cells)
        for cell, count in cells[shift:] + cells[:shift]:
            if (cell, count) in bulk:
                rate = measure_bulk(url, round_no, count, args)
            else:
                rate = measure_per_command(engine, round_no, count, args.seconds)
            rates[cell].append(rate)
            print(f"round {round_no + 1} {cell:<24} {rate:12,.0f} events/s", flush=True)
    return rates


def verify_all(engine: Engine) -> tuple[int, int, float]:
    """Verify every tenant's chain; return tenants verified, events, seconds."""
    with engine.connect() as conn:
        tenants = [t for (t,) in conn.exec_driver_sql("SELECT tenant_id FROM es_tenant_heads")]
    started = time.perf_counter()
    verified = events = 0
    for audit in verify_store(engine, sorted(tenants), workers=2):
        if audit.broken is not None:
            raise SystemExit(f"chain broken: {audit.broken}")
        verified += 1
        events += audit.length
    return verified, events, time.perf_counter() - started


def report(rates: dict[str, list[float]]) -> None:
    """Print each cell's range and the one-appender bulk path's ratio to each other cell
    of the same round."""
    first = next(iter(rates))
    print()
    print(f"{'append path':<26} {'events/s':>19} {first + ' ×':>29}")
    for cell, values in rates.items():
        ratios = [b / v for b, v in zip(rates[first], values, strict=True)]
        ratio = "" if cell == first else _range(ratios, 1)
        print(f"{cell:<26} {_range(values):>19} {ratio:>29}")
    for cell, values in rates.items():
        if cell.startswith("bulk"):
            met = "met" if min(values) >= TARGET else "NOT met"
            print(f"target {TARGET:,.0f} events/s, {cell} (slowest round): {met}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--events", type=int, default=200_000, help="bulk events per round")
    parser.add_argument("--tenants", type=int, default=200, help="new tenants per round")
    parser.add_argument("--batch", type=int, default=50_000, help="events per transaction")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0, help="per-command cell length")
    parser.add_argument("--writers", default="1,8", help="per-command writer threads")
    parser.add_argument("--appenders", default="1,2", help="bulk appender processes")
    args = parser.parse_args()
    args.writers = [int(w) for w in args.writers.split(",") if w.strip()]
    args.appenders = [int(a) for a in args.appenders.split(",") if a.strip()]
    with migrated_database(args.url) as engine:
        print(
            f"appends on PostgreSQL: bulk {args.events:,} events over {args.tenants} tenants "
            f"in batches of {args.batch:,}; per command {args.seconds:g} s; {args.rounds} "
            f"round(s); {os.cpu_count()} CPUs, load average "
            + " ".join(f"{x:.2f}" for x in os.getloadavg())
        )
        rates = run(engine, args)
        tenants, events, seconds = verify_all(engine)
        report(rates)
        print(
            f"verified after: {tenants:,} tenants, {events:,} events, every chain intact, "
            f"{events / seconds:,.0f} events/s"
        )
        print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
