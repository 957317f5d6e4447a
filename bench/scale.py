"""Benchmark: a store of ten million events against an empty one, on PostgreSQL.

Two databases of the run's own: the *empty* store holds only a few probe tenants;
the *full* store holds the same probe tenants and ``--events`` events (default
10,000,000) over ``--tenants`` tenants (default 2,000: a street, then 49 communities
under it, and so on). Every event is made by the real command code (a
``tenants.drafts.DraftLedger`` per tenant running ``bench.scale_history``'s year of
meetings, resolutions, members and posts, its personal data sealed as usual) and
goes in through the bulk path (``tenants.store.bulk_append``), by ``--workers``
processes. The full store is then projected by ``Projector.catch_up_all(workers=N)``
and every tenant verified (``gongjian verify``'s audit).

Then, in ``--rounds`` rounds, the empty store and the full one are measured in turn
(the order alternating), the same work on each:

* per-command appends: probe tenants' drafted events appended one per transaction
  (``gongjian_append``), 8 tenants at once from 8 threads;
* bulk appends: more drafted tenants in one bulk append;
* command rate: an in-process command loop (``Ledger.join_unit``: load the tenant,
  admit a unit, append) on a probe tenant, one thread, for ``--command-seconds``
  (not HTTP: ``bench/commands.py`` measures the served path);
* verify rate: the probe tenants' chains;
* GraphQL tenant page: the README tour's page of a probe community, asked
  ``--page-requests`` times in-process (the FastAPI app through Starlette's test
  client, the answer cache off), p50 and p99.

Prints rebuild time, disk per million events, and each rate and latency for the
empty and the full store side by side with the full/empty ratio of each round; the
target (full within 10% of empty: rates at least 0.9×, p99 at most 1.1×, judged on
the median round) marked met or not. The databases are dropped at the end.

    python -m bench.scale [--events 10000000] [--tenants 2000] [--workers 2]
        [--rounds 3] [--url postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

from api.platform import Platform
from bench import scale_probes as probes
from bench.bulk_append import migrated_database
from bench.scale_history import STREET_EVERY, history, street_of, tenant_ids
from tenants.drafts import DraftLedger
from tenants.store.bulk_append import bulk_append
from tenants.store.database import make_engine
from tenants.store.verify import all_tenant_ids, verify_store

EMPTY, FULL = "empty", "full"
PROBES = 10  # probe tenants in each store: a street and nine of its communities
APPEND_THREADS = 8
WITHIN = 0.10

_engine: Engine | None = None  # a fill worker's own engine


@dataclass
class Filled:
    """What filling a store took."""

    events: int = 0
    tenants: int = 0
    append_seconds: float = 0.0  # in bulk_append, summed over the workers
    seconds: float = 0.0  # wall time, drafting and appending


@dataclass
class Store:
    """One of the two stores and what was measured on it."""

    name: str
    engine: Engine
    tenants: list[str] = field(default_factory=list)
    rates: dict[str, list[float]] = field(default_factory=dict)

    def add(self, measure: str, value: float) -> None:
        self.rates.setdefault(measure, []).append(value)


@dataclass
class ScaleResult:
    """The run's findings (what the CI test checks: the counts, not the timings)."""

    events: dict[str, int]  # store: events before the measurements
    tenants: int
    verified: int  # tenants of the full store whose chain verified intact
    projected: int  # tenants of the full store projected through their heads
    parked: int
    stores: dict[str, Store]
    sizes: dict[str, tuple[int, int]]  # store: (log bytes, read-model bytes)
    rebuild: dict[str, tuple[int, float]]  # store: (events, seconds)


def _start_worker(url: str) -> None:
    global _engine
    _engine = make_engine(url, pool_size=2)

    @event.listens_for(_engine, "connect")
    def _unsynchronised(dbapi_connection: Any, _record: Any) -> None:
        # Drafting commits a key row for each new person (an attendee at every
        # sign-in); waiting for each flush made drafting, not the bench, the slow
        # part. A crash loses a bench store only, and nothing measured runs here.
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
        dbapi_connection.commit()


def _communities(tenant: str, tenants: list[str]) -> list[str]:
    return [other for other in tenants if street_of(other) == tenant]


def _draft(task: tuple[list[str], list[str], int]) -> probes.Logs:
    """Draft each tenant's history of about ``each`` events (a worker's task)."""
    tenants, everyone, each = task
    assert _engine is not None
    drafted = {}
    for tenant in tenants:
        # The script's commands never fail: the cached aggregates need no copying.
        ledger = DraftLedger(_engine, tenant, fresh=True, copy_cached=False)
        history(ledger, each, _communities(tenant, everyone))
        drafted[tenant] = ledger.drafted()
    return drafted


def _fill(task: tuple[list[str], list[str], int]) -> tuple[int, float]:
    """Draft the tenants' histories and bulk-append them (a worker's task); return
    the events appended and the seconds bulk_append took."""
    drafted = _draft(task)
    assert _engine is not None
    started = time.perf_counter()
    bulk_append(_engine, drafted)
    return sum(map(len, drafted.values())), time.perf_counter() - started


def _tasks(tenants: list[str], each: int, workers: int) -> list[tuple[list[str], list[str], int]]:
    # Tasks of up to 20,000 events (one bulk append each), at least four per worker.
    per_task = max(1, min(20_000 // each, len(tenants) // (4 * workers)))
    return [(tenants[n : n + per_task], tenants, each) for n in range(0, len(tenants), per_task)]


def fill(engine: Engine, tenants: list[str], events: int, workers: int) -> Filled:
    """Draft and bulk-append about ``events`` events over the tenants, in workers."""
    each = max(1, events // len(tenants))
    url = engine.url.render_as_string(hide_password=False)
    filled = Filled(tenants=len(tenants))
    started = time.perf_counter()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, _start_worker, (url,)) as pool:
        for count, seconds in pool.imap_unordered(_fill, _tasks(tenants, each, workers)):
            filled.events += count
            filled.append_seconds += seconds
            print(f"\r  {filled.events:,} events appended", end="", flush=True)
    filled.seconds = time.perf_counter() - started
    print()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
    return filled


def draft(engine: Engine, tenants: list[str], each: int, workers: int) -> probes.Logs:
    """Draft the tenants' histories (in workers), nothing appended."""
    url = engine.url.render_as_string(hide_password=False)
    drafted: probes.Logs = {}
    with multiprocessing.get_context("fork").Pool(workers, _start_worker, (url,)) as pool:
        for part in pool.imap_unordered(_draft, _tasks(tenants, each, workers)):
            drafted.update(part)
    return drafted


def rebuild(engine: Engine, workers: int) -> tuple[int, float]:
    """Project every tenant from nothing; return events applied and seconds."""
    projector = Platform(engine, embedded=False).projector
    started = time.perf_counter()
    applied = projector.catch_up_all(workers=workers)
    return applied, time.perf_counter() - started


def projected_through_heads(engine: Engine) -> tuple[int, int]:
    """How many tenants are projected through their heads, and how many are parked."""
    projector = Platform(engine, embedded=False).projector
    behind = set(projector.lagging_tenants()) | {p.tenant_id for p in projector.parked()}
    tenants = all_tenant_ids(engine)
    return len([t for t in tenants if t not in behind]), len(projector.parked())


def stored_events(engine: Engine) -> int:
    """How many events the store holds (the sum of its tenants' heads)."""
    with engine.connect() as conn:
        total = conn.exec_driver_sql("SELECT coalesce(sum(position), 0) FROM es_tenant_heads")
        return int(total.scalar_one())


def measure_round(
    store: Store, round_no: int, drafted: dict[tuple[str, int, str], probes.Logs], args: Any
) -> None:
    """Take every measurement once on one store."""
    engine = store.engine
    # Warm the store's caches and this process's code paths first: the first store
    # measured would otherwise pay for both.
    warm = Platform(engine, embedded=False)
    probes.command_rate(warm, store.tenants[0], 0.3)
    warm.close()
    probes.page_latencies(engine, store.tenants[1], 3)
    store.add("append, per command (events/s)", probes.per_command_appends(
        engine, drafted[(store.name, round_no, "per command")]
    ))  # fmt: skip
    store.add("append, bulk (events/s)", probes.bulk_appends(
        engine, drafted[(store.name, round_no, "bulk")]
    ))  # fmt: skip
    platform = Platform(engine, embedded=False)
    store.add("commands (in-process, 1 thread)/s", probes.command_rate(
        platform, store.tenants[0], args.command_seconds
    ))  # fmt: skip
    platform.close()
    rate, _ = probes.verify_rate(engine, store.tenants)
    store.add("verify (events/s)", rate)
    latencies = probes.page_latencies(engine, store.tenants[1], args.page_requests)
    store.add("GraphQL tenant page p50 (ms)", probes.percentile(latencies, 0.50))
    store.add("GraphQL tenant page p99 (ms)", probes.percentile(latencies, 0.99))
    print(f"  round {round_no + 1}, {store.name} store measured", flush=True)


def probe_drafts(stores: list[Store], args: Any) -> dict[tuple[str, int, str], probes.Logs]:
    """Draft, for each store and round, the tenants its append measurements append."""
    drafted = {}
    each = max(50, args.probe_events // APPEND_THREADS)
    for store in stores:
        for round_no in range(args.rounds):
            for kind in ("per command", "bulk"):
                prefix = f"{kind.replace(' ', '')}{round_no}"
                # Streets, each of its own (no community of a missing street).
                names = [f"{prefix}-{n * STREET_EVERY:05d}" for n in range(APPEND_THREADS)]
                drafted[(store.name, round_no, kind)] = draft(
                    store.engine, names, each, args.workers
                )
    return drafted


def run(args: Any) -> ScaleResult:
    """Fill, project and verify the full store; measure both stores in rounds."""
    with migrated_database(args.url) as empty, migrated_database(args.url) as full:
        stores = [Store(EMPTY, empty), Store(FULL, full)]
        probe_tenants = tenant_ids(PROBES, "probe")
        for store in stores:
            filled = fill(store.engine, probe_tenants, args.probe_size * PROBES, args.workers)
            store.tenants = probe_tenants
        print(f"probe tenants: {PROBES} in each store, {filled.events:,} events each store")
        tenants = tenant_ids(args.tenants)
        filled = fill(full, tenants, args.events, args.workers)
        print(
            f"full store: {filled.events:,} events over {filled.tenants:,} tenants drafted and "
            f"bulk-appended in {filled.seconds:,.0f} s ({filled.events / filled.seconds:,.0f} "
            f"events/s with drafting; bulk_append itself "
            f"{filled.events / filled.append_seconds:,.0f} events/s per worker)"
        )
        rebuilt = {store.name: rebuild(store.engine, args.workers) for store in stores}
        applied, seconds = rebuilt[FULL]
        print(f"full store projected: {applied:,} events in {seconds:,.0f} s")
        projected, parked = projected_through_heads(full)
        every = all_tenant_ids(full)
        started = time.perf_counter()
        audits = list(verify_store(full, every, workers=args.workers))
        verified = sum(audit.broken is None for audit in audits)
        verified_events = sum(audit.length for audit in audits)
        print(
            f"full store verified: {verified:,} of {len(every):,} tenants intact, "
            f"{verified_events / (time.perf_counter() - started):,.0f} events/s "
            f"({args.workers} workers)"
        )
        sizes = {store.name: probes.disk_bytes(store.engine) for store in stores}
        counts = {store.name: stored_events(store.engine) for store in stores}
        drafted = probe_drafts(stores, args)
        for round_no in range(args.rounds):
            for store in stores if round_no % 2 == 0 else stores[::-1]:
                measure_round(store, round_no, drafted, args)
        return ScaleResult(
            events=counts,
            tenants=len(every),
            verified=verified,
            projected=projected,
            parked=parked,
            stores={store.name: store for store in stores},
            sizes=sizes,
            rebuild=rebuilt,
        )


def _range(values: list[float]) -> str:
    digits = 0 if min(values) >= 100 else 1 if min(values) >= 10 else 2
    low, high = min(values), max(values)
    return f"{low:,.{digits}f}" if low == high else f"{low:,.{digits}f}–{high:,.{digits}f}"


def report(result: ScaleResult) -> None:
    """Print the empty and the full store side by side, and the targets."""
    empty, full = result.stores[EMPTY], result.stores[FULL]
    print()
    print(f"{'measure':<36} {'empty store':>17} {'full store':>17} {'full/empty':>12}  target")
    fixed = [("events", float(result.events[EMPTY]), float(result.events[FULL]))]
    for label, index in (("log, MB per million events", 0), ("read models, MB per million", 1)):
        per = [result.sizes[s][index] / result.events[s] / 2**20 * 1e6 for s in (EMPTY, FULL)]
        fixed.append((label, per[0], per[1]))
    rebuilds = [result.rebuild[s] for s in (EMPTY, FULL)]
    rates = [n / max(seconds, 1e-9) for n, seconds in rebuilds]
    fixed.append(("rebuild (events/s)", rates[0], rates[1]))
    fixed.append(("rebuild (s)", rebuilds[0][1], rebuilds[1][1]))
    for label, small, big in fixed:
        print(f"{label:<36} {_range([small]):>17} {_range([big]):>17}")
    verdicts = []
    for measure, values in empty.rates.items():
        ratios = [f / e for f, e in zip(full.rates[measure], values, strict=True)]
        latency = "(ms)" in measure
        target = ""
        if "p99" in measure or "per command" in measure or "commands" in measure:
            median = statistics.median(ratios)
            met = median <= 1 + WITHIN if latency else median >= 1 - WITHIN
            target = f"{'<=' if latency else '>='} {1 + WITHIN if latency else 1 - WITHIN:.1f}x: "
            target += "met" if met else "NOT met"
            verdicts.append(met)
        print(
            f"{measure:<36} {_range(values):>17} {_range(full.rates[measure]):>17} "
            f"{_range(ratios):>12}  {target}"
        )
    print(
        f"full store: {result.verified:,} of {result.tenants:,} tenants verified intact, "
        f"{result.projected:,} projected through their heads, {result.parked} parked"
    )
    print(f"targets (full within {WITHIN:.0%} of empty, median round): "
          f"{sum(verdicts)} of {len(verdicts)} met")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--tenants", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=2, help="processes drafting, projecting")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--probe-size", type=int, default=2_000, help="events per probe tenant")
    parser.add_argument("--probe-events", type=int, default=8_000, help="appended per cell")
    parser.add_argument("--command-seconds", type=float, default=3.0)
    parser.add_argument("--page-requests", type=int, default=200)
    args = parser.parse_args()
    print(
        f"scale: {args.events:,} events over {args.tenants:,} tenants, {args.workers} workers, "
        f"{args.rounds} round(s); {os.cpu_count()} CPUs, load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    started = time.perf_counter()
    report(run(args))
    print(
        f"took {time.perf_counter() - started:,.0f} s; load average after "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )


if __name__ == "__main__":
    main()
