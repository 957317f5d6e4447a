"""Benchmark: single-event appends per second on PostgreSQL, this store against the
eventsourcing library's stock recorder, like for like.

Each writer is its own process (so Python's GIL does not hide the database's
locking) appending one event per transaction for a fixed time. Three stores:

* ``gongjian``: this store (``TenantRecorder``: one round trip to the plpgsql
  function that locks the tenant's head row, chains the hash and inserts);
* ``stock 1-trip``: the library's ``PostgresApplicationRecorder`` with
  ``enable_db_functions=True`` (``POSTGRES_ENABLE_DB_FUNCTIONS=y`` in an
  application's environment): one round trip to its own plpgsql insert function.
  This is the baseline every ratio is taken against;
* ``stock locking``: the same recorder in its default mode (a pipelined
  transaction that takes ``LOCK TABLE ... IN EXCLUSIVE MODE``), the comparison
  this bench made before;
* with ``--commit-delay MICROSECONDS``, also ``gongjian delayed``: this store with
  PostgreSQL's ``commit_delay`` set for its sessions (``commit_siblings`` at its
  default, 5): a committing transaction waits that long for others to share its WAL
  flush (group commit; docs/deployment.md).

Two layouts: writers spread over many tenants (writer ``i`` writes to tenant
``i``), and all writers sharing one tenant (a busy street: they queue on its head
row). The stock recorder has one log per table whatever the layout, so its two
layouts measure the same thing; both are measured so that each ratio pairs cells
of the same round. Every cell (store x layout x writers) runs once per round, the
rounds interleaved and the store order rotated each round, so a loaded machine
skews every column alike. Prints events/s as min–max over rounds and the ratio to
the baseline of the same round. The default is small (about half a minute); the
full run:

    python -m bench.append --seconds 4 --rounds 3 [--writers 1,8,32]
        [--url postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import time
import uuid
from dataclasses import dataclass, field
from multiprocessing.synchronize import Barrier
from urllib.parse import urlparse

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

from api.platform import migrate
from tenants.store.database import make_engine
from tenants.store.recorder import TenantRecorder

STATE = b'{"stamp":{"tenant_id":"t","actor":{"user_id":"u","role":"r","unit_id":null}},"name":"x"}'
# Both stock modes share one table: the library names its insert function after the
# id type, not the table, so a second table would take the function over.
STOCK_TABLE = "bench_stock_events"
GONGJIAN, STOCK_ONE_TRIP, STOCK_LOCKING = "gongjian", "stock 1-trip", "stock locking"
DELAYED = "gongjian delayed"
STORES: tuple[str, ...] = (GONGJIAN, STOCK_ONE_TRIP, STOCK_LOCKING)
BASELINE = STOCK_ONE_TRIP
MANY, ONE = "many tenants", "one tenant"
LAYOUTS = (MANY, ONE)
START_TIMEOUT = 120.0  # seconds for every writer to connect (32 processes on 2 cores)


@dataclass
class Cell:
    """One store, layout and writer count, measured once per round."""

    store: str
    layout: str
    writers: int
    rates: list[float] = field(default_factory=list)


def _event() -> StoredEvent:
    return StoredEvent(uuid.uuid4(), 1, "gongjian.Bench.Appended", STATE)


def _stock_recorder(url: str, *, one_trip: bool) -> PostgresApplicationRecorder:
    parts = urlparse(url)
    datastore = PostgresDatastore(
        dbname=parts.path.lstrip("/"),
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or "",
        pool_size=1,
        enable_db_functions=one_trip,
    )
    return PostgresApplicationRecorder(datastore, events_table_name=STOCK_TABLE)


def _writer(
    store: str,
    url: str,
    tenant: str,
    seconds: float,
    ready: Barrier,
    out: mp.Queue,  # type: ignore[type-arg]
) -> None:
    if store in (GONGJIAN, DELAYED):
        engine = make_engine(url, pool_size=1)
        recorder: TenantRecorder | PostgresApplicationRecorder = TenantRecorder(engine, tenant)
    else:
        recorder = _stock_recorder(url, one_trip=store == STOCK_ONE_TRIP)
    recorder.insert_events([_event()])  # connect, prepare, create the tenant's head
    ready.wait(START_TIMEOUT)
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        recorder.insert_events([_event()])
        count += 1
    out.put(count / (time.perf_counter() - started))


def measure(store: str, layout: str, url: str, writers: int, seconds: float) -> float:
    """Events per second of ``writers`` concurrent processes, started together."""
    out: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    ready = mp.Barrier(writers + 1)
    run = uuid.uuid4().hex[:6]
    tenants = [f"bench-{run}" if layout == ONE else f"bench-{run}-{i}" for i in range(writers)]
    procs = [
        mp.Process(target=_writer, args=(store, url, tenant, seconds, ready, out))
        for tenant in tenants
    ]
    for proc in procs:
        proc.start()
    ready.wait(START_TIMEOUT)
    total = sum(float(out.get(timeout=seconds + 60)) for _ in procs)
    for proc in procs:
        proc.join()
    return total


def _fresh_database(admin_url: str) -> tuple[str, str]:
    name = f"gongjian_bench_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{admin_url.rsplit('/', 1)[0]}/{name}", name


def _prepare(url: str) -> None:
    engine = make_engine(url, pool_size=1)
    migrate(engine)
    engine.dispose()
    stock = _stock_recorder(url, one_trip=True)
    stock.create_table()  # the table, the composite type and the insert function
    stock.datastore.close()


def _range(values: list[float], digits: int) -> str:
    return f"{min(values):,.{digits}f}–{max(values):,.{digits}f}"


def report(cells: list[Cell]) -> None:
    """Print events/s and the ratio to the baseline of the same round."""
    baseline = {(c.layout, c.writers): c for c in cells if c.store == BASELINE}
    print()
    print(f"{'layout':<13} {'writers':>7} {'store':<16} {'events/s':>15} {'× ' + BASELINE:>17}")
    for cell in sorted(cells, key=lambda c: (LAYOUTS.index(c.layout), c.writers)):
        base = baseline[(cell.layout, cell.writers)].rates
        ratios = [ours / theirs for ours, theirs in zip(cell.rates, base, strict=True)]
        ratio = "baseline" if cell.store == BASELINE else _range(ratios, 2)
        print(
            f"{cell.layout:<13} {cell.writers:>7} {cell.store:<16} "
            f"{_range(cell.rates, 0):>15} {ratio:>17}"
        )


def run(
    url: str,
    seconds: float,
    rounds: int,
    writer_counts: list[int],
    commit_delay: int | None = None,
) -> list[Cell]:
    """Measure every cell once per round, rounds interleaved; return the cells."""
    stores = STORES if commit_delay is None else (*STORES, DELAYED)
    delayed = f"{url}?options=-c%20commit_delay%3D{commit_delay}"
    cells = [Cell(s, layout, n) for n in writer_counts for layout in LAYOUTS for s in stores]
    for round_no in range(rounds):
        # Rotate which store goes first, so none always follows the same neighbour.
        shift = round_no % len(stores)
        order = sorted(
            cells,
            key=lambda c: (c.writers, c.layout, (stores.index(c.store) - shift) % len(stores)),
        )
        for cell in order:
            at = delayed if cell.store == DELAYED else url
            rate = measure(cell.store, cell.layout, at, cell.writers, seconds)
            cell.rates.append(rate)
            print(
                f"round {round_no + 1} {cell.layout:<13} {cell.writers:>3} writers "
                f"{cell.store:<14} {rate:10,.0f} events/s",
                flush=True,
            )
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--seconds", type=float, default=1.0, help="seconds measured per cell")
    parser.add_argument("--rounds", type=int, default=1, help="times every cell is measured")
    parser.add_argument("--writers", default="1,8,32", help="writer processes, comma-separated")
    parser.add_argument(
        "--commit-delay",
        type=int,
        metavar="MICROSECONDS",
        help="also measure this store with PostgreSQL's commit_delay set (group commit)",
    )
    args = parser.parse_args()
    writer_counts = [int(w) for w in args.writers.split(",") if w.strip()]
    if args.seconds <= 0 or args.rounds < 1 or min(writer_counts, default=0) < 1:
        parser.error("--seconds, --rounds and every --writers count must be positive")
    url, name = _fresh_database(args.url)
    try:
        _prepare(url)
        print(
            f"single-event appends/s on PostgreSQL, {args.seconds:g} s per cell, "
            f"{args.rounds} round(s), {os.cpu_count()} CPUs, load average "
            + " ".join(f"{x:.2f}" for x in os.getloadavg())
        )
        cells = run(url, args.seconds, args.rounds, writer_counts, args.commit_delay)
        report(cells)
        print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    finally:
        with psycopg.connect(args.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
