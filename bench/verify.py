"""Benchmark: verifying a store and verifying an export, beside a plain SHA-256 pass.

Builds (or reuses) a store of ``--events`` events (1,000,000 by default) over
``--tenants`` tenants: rows written in bulk with their chain hashes, a checkpoint
signed every ``--every`` events. Then, in ``--rounds`` interleaved rounds (the order
turning each round, so a noisy neighbour slows every cell alike), it times:

- ``verify``: the whole-store ``gongjian verify`` (every tenant: chain, tree,
  checkpoints, stored nodes, consistency), in one process and in ``--workers``;
- ``export``: writing the first tenant's export file;
- ``verify-export``: checking that file offline, in one process and in ``--workers``;
- ``sha256/event``: reading the same file and hashing each event's canonical bytes
  once (the floor for any verifier that reads records in Python);
- ``sha256/file``: one SHA-256 over the whole file (the floor of hashing alone).

Each cell shows events per second of wall time and per CPU second of this process and
its workers (PostgreSQL's own CPU not counted): on a shared machine the second says
what a core does.

    python -m bench.verify [--events 1000000] [--rounds 3] [--url postgresql://...|sqlite:///f.db]

Without ``--url`` it runs on a fresh PostgreSQL database, dropped afterwards; with
one, a store already built there with the same ``--events`` and ``--tenants`` is
reused.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, select, update

from api.platform import migrate
from tenants.store import keys
from tenants.store.chain import GENESIS, canonical_bytes, link
from tenants.store.checkpoints import take_checkpoint
from tenants.store.database import make_engine, write_transaction
from tenants.store.export_file import read_header, records
from tenants.store.export_verifier import verify_export
from tenants.store.exports import insert_events, write_export
from tenants.store.schema import tenant_heads
from tenants.store.verify import verify_store

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TOPIC = "gongjian.Bench.Recorded"
WRITTEN = 20_000  # rows per insert


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


def _tenants(count: int, events: int) -> list[str]:
    return [f"bench-{events}-{n}" for n in range(count)]


def build(engine: Engine, tenant_ids: list[str], events: int, every: int) -> None:
    """Write ``events`` events over the tenants (bulk rows, chain computed here) with a
    checkpoint every ``every`` events of a tenant, unless already built."""
    with engine.connect() as conn:
        heads = {
            t: p for t, p in conn.execute(select(tenant_heads.c.tenant_id, tenant_heads.c.position))
        }
    each = events // len(tenant_ids)
    if all(heads.get(t) == each for t in tenant_ids):
        print(f"reusing {len(tenant_ids)} tenant(s) of {each:,} events")
        return
    key = bench_key()
    started = time.perf_counter()
    for tenant_id in tenant_ids:
        if heads.get(tenant_id) is not None:
            raise SystemExit(f"{tenant_id} exists with another size: use another database")
        with write_transaction(engine) as conn:
            conn.execute(
                tenant_heads.insert().values(tenant_id=tenant_id, position=0, hash=GENESIS)
            )
        chain, position = GENESIS, 0
        while position < each:
            rows = []
            for _ in range(min(WRITTEN, each - position)):
                position += 1
                originator, state = uuid.uuid4(), _state(position)
                chain = link(
                    chain, canonical_bytes(tenant_id, position, originator, 1, TOPIC, state)
                )
                rows.append((tenant_id, position, originator.bytes, 1, TOPIC, state, chain))
            with write_transaction(engine) as conn:
                insert_events(conn, rows)
                conn.execute(
                    update(tenant_heads)
                    .where(tenant_heads.c.tenant_id == tenant_id)
                    .values(position=position, hash=chain)
                )
            if position % every < WRITTEN or position == each:
                take_checkpoint(engine, key, tenant_id)
            print(f"\r  {tenant_id}: {position:,} of {each:,} events", end="", flush=True)
        print()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE es_events, es_merkle_nodes")
    print(f"built in {time.perf_counter() - started:.0f} s")


def bench_key() -> keys.SigningKey:
    """A fixed key, so that a store built by an earlier run verifies in this one (its
    private half is in this file: never for real data)."""
    seed = hashlib.sha256(b"gongjian bench.verify").digest()
    return keys.SigningKey.of(Ed25519PrivateKey.from_private_bytes(seed))


def _cpu() -> float:
    """CPU seconds of this process and its finished workers (not PostgreSQL's)."""
    own, workers = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _timed(call: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of one call: on a shared machine the CPU rate says what a
    core does, the wall rate what this machine did."""
    started, cpu = time.perf_counter(), _cpu()
    call()
    return time.perf_counter() - started, _cpu() - cpu


def _sha_per_event(path: Path) -> None:
    sha256 = hashlib.sha256
    with path.open("rb") as stream:
        read_header(stream)
        for _, data in records(stream):
            sha256(data).digest()


def _sha_file(path: Path) -> None:
    with path.open("rb") as stream:
        hashlib.file_digest(stream, "sha256")


def run(engine: Engine, tenant_ids: list[str], events: int, rounds: int, workers: int) -> None:
    trusted = [bench_key().public]
    first = tenant_ids[0]
    each = events // len(tenant_ids)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.gongjian-export"

        def export() -> None:
            with path.open("wb") as out:
                write_export(engine, first, out, trusted)

        def offline(n: int) -> Callable[[], None]:
            def verify() -> None:
                audit = verify_export(str(path), trusted, workers=n)
                assert audit.broken is None and audit.events == each, audit

            return verify

        def store(n: int) -> Callable[[], None]:
            def verify() -> None:
                audits = verify_store(engine, tenant_ids, trusted, workers=n)
                assert all(a.broken is None for a in audits), audits

            return verify

        export()
        cells: dict[str, tuple[int, Callable[[], object]]] = {
            "verify, 1 process": (events, store(1)),
            f"verify, {workers} processes": (events, store(workers)),
            "export": (each, export),
            "verify-export, 1 process": (each, offline(1)),
            f"verify-export, {workers} processes": (each, offline(workers)),
            "sha256/event": (each, lambda: _sha_per_event(path)),
            "sha256/file": (each, lambda: _sha_file(path)),
        }
        size = path.stat().st_size
        print(f"{engine.dialect.name}: {events:,} events over {len(tenant_ids)} tenant(s); "
              f"export of {each:,} events: {size / 1e6:,.0f} MB; {rounds} rounds")  # fmt: skip
        rates: dict[str, list[float]] = {cell: [] for cell in cells}
        per_cpu: dict[str, list[float]] = {cell: [] for cell in cells}
        names = list(cells)
        for n in range(rounds):
            turn = names[n % len(names) :] + names[: n % len(names)]
            for cell in turn:
                counted, call = cells[cell]
                wall, cpu = _timed(call)
                rates[cell].append(counted / wall)
                per_cpu[cell].append(counted / cpu)
            print(f"  round {n + 1}: " + ", ".join(f"{c} {rates[c][-1]:,.0f}/s" for c in names))
    print(f"{'cell':<28} {'events':>10} {'events/s (min-max)':>22} {'per CPU-s (min-max)':>22}")
    for cell in names:
        low, high = min(rates[cell]), max(rates[cell])
        most, least = max(per_cpu[cell]), min(per_cpu[cell])
        print(
            f"{cell:<28} {cells[cell][0]:>10,} {f'{low:,.0f}-{high:,.0f}':>22} "
            f"{f'{least:,.0f}-{most:,.0f}':>22}"
        )
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--tenants", type=int, default=1)
    parser.add_argument("--every", type=int, default=100_000, help="events per checkpoint")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--url", help="a database to build in or reuse (default: a fresh one)")
    args = parser.parse_args()
    tenant_ids = _tenants(args.tenants, args.events)
    if args.url:
        engine = make_engine(args.url)
        migrate(engine)
        build(engine, tenant_ids, args.events, args.every)
        run(engine, tenant_ids, args.events, args.rounds, args.workers)
        engine.dispose()
        return
    name = f"gongjian_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        engine = make_engine(f"{ADMIN.rsplit('/', 1)[0]}/{name}")
        migrate(engine)
        build(engine, tenant_ids, args.events, args.every)
        run(engine, tenant_ids, args.events, args.rounds, args.workers)
        engine.dispose()
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
