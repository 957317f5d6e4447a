"""Benchmark: rebuilding the read models, folded in memory vs event by event.

Writes a log of at least ``--events`` events (100,000 by default) through the
ledgers: the demo data set (a street and three communities: meetings,
resolutions, commitments, members and posts, an evaluation) again and again
under fresh tenant ids, so about 75 groups and 300 tenants. The log is written
into a SQLite file (``--log`` keeps it, to reuse in another run) and, for
PostgreSQL, copied into a fresh database.

Then, in interleaved rounds, it times a full rebuild (clear every read model,
project every tenant): folded in this process, folded by ``--workers``
processes, and by the per-event path as the baseline. The per-event path takes
minutes over the whole log on PostgreSQL, so by default it rebuilds whole
tenants totalling about ``--baseline-events`` events (its rate does not depend
on how many tenants it projects); ``--baseline-events 0`` rebuilds the whole
log that way too.

    python -m bench.project [--url postgresql://postgres@127.0.0.1:5432/postgres]
    python -m bench.project --sqlite [--events 100000] [--rounds 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory
from unittest import mock

import psycopg
from sqlalchemy import Engine, func, insert, select

from api.platform import Platform, migrate
from projections.runner import Projector
from projections.workers import can_fork
from tenants.demo import meetings
from tenants.store.database import make_engine
from tenants.store.schema import events, tenant_heads

COPIED = 5_000  # log rows copied per statement into PostgreSQL


def generate(engine: Engine, wanted: int) -> None:
    """Write demo groups (a street and its communities) until the log holds ``wanted``."""
    platform = Platform(engine, embedded=False)
    group = 0
    started = time.perf_counter()
    while (total := count_events(engine)) < wanted:
        while platform.ledgers[f"g{group:04d}-fenglin"].head_position():
            group += 1  # written by an earlier run into the same file
        with _renamed(f"g{group:04d}"):
            meetings.load_demo(platform.ledgers, platform.report_figures)
        rate = total / (time.perf_counter() - started)
        print(f"\r  writing the log: {total:,} of {wanted:,} events ({rate:,.0f}/s)", end="")
    print()
    platform.close()


@contextmanager
def _renamed(prefix: str) -> Iterator[None]:
    """The demo's tenants under fresh ids (its record ids derive from them)."""
    street = (f"{prefix}-fenglin", meetings.STREET[1])
    communities = [(f"{prefix}-{tenant}", name) for tenant, name in meetings.COMMUNITIES]
    with (
        mock.patch.object(meetings, "STREET", street),
        mock.patch.object(meetings, "COMMUNITIES", communities),
    ):
        yield


def copy_log(source: Engine, target: Engine) -> None:
    """Copy the event log (events and heads) into another store."""
    with source.connect() as read, target.begin() as write:
        heads = read.execute(select(tenant_heads)).mappings().all()
        write.execute(insert(tenant_heads), [dict(head) for head in heads])
        rows = read.execute(select(events).order_by(events.c.tenant_id, events.c.position))
        while batch := rows.mappings().fetchmany(COPIED):
            write.execute(insert(events), [dict(row) for row in batch])


def count_events(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


def sample(engine: Engine, wanted: int) -> tuple[list[str], int]:
    """Whole tenants, spread over the log, holding at least ``wanted`` events."""
    with engine.connect() as conn:
        heads = conn.execute(
            select(tenant_heads.c.tenant_id, tenant_heads.c.position).order_by(
                tenant_heads.c.tenant_id
            )
        ).all()
    step = max(1, sum(head.position for head in heads) // max(wanted, 1))
    chosen, total = [], 0
    for head in [*heads[::step], *heads]:
        if head.tenant_id not in chosen:
            chosen.append(head.tenant_id)
            total += head.position
        if total >= wanted:
            break
    return chosen, total


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def rebuild_each(projector: Projector, tenants: list[str]) -> None:
    for tenant in tenants:
        projector.rebuild(tenant)


def run(engine: Engine, rounds: int, workers: int, baseline_events: int) -> None:
    mapper = Platform(engine, embedded=False).projector.mapper
    folding = Projector(engine, mapper)
    by_event = Projector(engine, mapper, fold=False)
    total = count_events(engine)
    with engine.connect() as conn:
        tenants = conn.execute(select(func.count()).select_from(tenant_heads)).scalar_one()
    chosen, baseline_total = sample(engine, baseline_events) if baseline_events else ([], total)
    print(f"{engine.dialect.name}: {total:,} events over {tenants} tenants, {rounds} rounds")
    paths: dict[str, tuple[int, Callable[[], object]]] = {
        "fold": (total, folding.rebuild),
    }
    if workers > 1 and can_fork():
        paths[f"fold, {workers} processes"] = (total, lambda: folding.rebuild(workers=workers))
    if chosen:
        paths["per-event"] = (baseline_total, lambda: rebuild_each(by_event, chosen))
    else:
        paths["per-event"] = (baseline_total, by_event.rebuild)
    rates: dict[str, list[float]] = {path: [] for path in paths}
    for n in range(rounds):
        # Interleaved, so that a noisy neighbour slows every path alike.
        for path, (counted, rebuild) in paths.items():
            rates[path].append(counted / timed(rebuild))
        print(f"  round {n + 1}: " + ", ".join(f"{p} {r[-1]:,.0f}/s" for p, r in rates.items()))
        if folding.parked() or by_event.parked():
            raise SystemExit(f"parked: {folding.parked()}")
    folded = (len(rates) - 1) * rounds * total
    if folding.folded != folded:
        raise SystemExit(f"the fold path applied {folding.folded:,} events, not {folded:,}")
    print(f"{'path':<22} {'events':>8} {'events/s (min-max)':>20}")
    for path, (counted, _) in paths.items():
        low, high = min(rates[path]), max(rates[path])
        print(f"{path:<22} {counted:>8,} {f'{low:,.0f}-{high:,.0f}':>20}")
    baseline = rates["per-event"]
    for path in paths:
        if path != "per-event":
            ratios = [rate / base for rate, base in zip(rates[path], baseline, strict=True)]
            print(f"{path} / per-event: {min(ratios):.0f}x-{max(ratios):.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sqlite", action="store_true", help="use a temporary SQLite file")
    parser.add_argument("--events", type=int, default=100_000, help="at least this many events")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="processes for the parallel fold")
    parser.add_argument(
        "--baseline-events",
        type=int,
        default=10_000,
        help="events the per-event path rebuilds (whole tenants; 0: the whole log)",
    )
    parser.add_argument("--log", type=Path, help="keep the log in this SQLite file (and reuse it)")
    args = parser.parse_args()
    with TemporaryDirectory() as folder:
        log_file = args.log or Path(folder) / "log.db"
        source = make_engine(f"sqlite:///{log_file}")
        migrate(source)
        generate(source, args.events)
        if args.sqlite:
            source.dispose()
            # A copy, so that a kept log holds no read models.
            bench_file = Path(folder) / "bench.db"
            bench_file.write_bytes(log_file.read_bytes())
            engine = make_engine(f"sqlite:///{bench_file}")
            run(engine, args.rounds, args.workers, args.baseline_events)
            engine.dispose()
            return
        name = f"gongjian_bench_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(args.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            engine = make_engine(f"{args.url.rsplit('/', 1)[0]}/{name}")
            migrate(engine)
            copy_log(source, engine)
            source.dispose()
            run(engine, args.rounds, args.workers, args.baseline_events)
            engine.dispose()
        finally:
            with psycopg.connect(args.url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
