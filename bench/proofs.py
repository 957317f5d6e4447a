"""Benchmark: checkpoints and proofs on one large tenant.

Appends ``--events`` events to one tenant (in batches), signs checkpoints along the
way, then times inclusion proofs of random events against the newest checkpoint and
consistency proofs between random checkpoints (each one read of the stored tree, as
GraphQL serves them), and ``gongjian verify``'s pass over the tenant.

    python -m bench.proofs [--events 100000] [--url sqlite:///bench.db | postgresql://...]

Without ``--url`` it runs on a fresh PostgreSQL database (dropped afterwards).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from eventsourcing.persistence import StoredEvent

from api.platform import migrate
from tenants.store import keys, tree
from tenants.store.checkpoints import of_tenant, take_checkpoint
from tenants.store.database import make_engine
from tenants.store.recorder import TenantRecorder
from tenants.store.verify import audit_tenant

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
STATE = b'{"stamp":{"tenant_id":"t","actor":{"user_id":"u","role":"r","unit_id":null}},"name":"x"}'


def _millis(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def _timed(calls: int, call: Callable[[], object]) -> list[float]:
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def run(url: str, count: int, checkpoints: int) -> None:
    engine = make_engine(url)
    migrate(engine)
    tenant = f"bench-{uuid.uuid4().hex[:8]}"
    recorder = TenantRecorder(engine, tenant)
    with tempfile.TemporaryDirectory() as folder:
        key = keys.create(Path(folder) / "bench.pem")
    every = max(count // checkpoints, 1)
    signing: list[float] = []
    start = time.perf_counter()
    for done in range(0, count, 1000):
        n = min(1000, count - done)
        recorder.insert_events(
            [StoredEvent(uuid.uuid4(), 1, "gongjian.Bench.Appended", STATE) for _ in range(n)]
        )
        if (done + n) % every < n or done + n == count:
            began = time.perf_counter()
            take_checkpoint(engine, key, tenant)
            signing.append(time.perf_counter() - began)
    print(f"{count} events appended and {len(signing)} checkpoints signed "
          f"in {time.perf_counter() - start:.1f} s; signing: {_millis(signing)}")  # fmt: skip
    with engine.connect() as conn:
        signed = of_tenant(conn, tenant)
        size = signed[-1].size
        rng = random.Random(7)

        def inclusion() -> object:
            return tree.inclusion_proof(conn, tenant, rng.randint(1, size), size)

        def consistency() -> object:
            old, new = sorted(rng.sample([c.size for c in signed], 2))
            return tree.consistency_proof(conn, tenant, old, new)

        inclusion()  # warm the connection and statement cache
        print(f"inclusion proof (tree of {size}): {_millis(_timed(500, inclusion))}")
        print(f"consistency proof: {_millis(_timed(200, consistency))}")
    start = time.perf_counter()
    audit = audit_tenant(engine, tenant, [key.public])
    took = time.perf_counter() - start
    assert audit.broken is None, audit.broken
    print(f"verify: {count} events, {audit.checkpoints} checkpoints in {took:.2f} s "
          f"({count / took:,.0f} events/s)")  # fmt: skip
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--checkpoints", type=int, default=20)
    parser.add_argument("--url", help="a database to use (default: a fresh PostgreSQL one)")
    args = parser.parse_args()
    if args.url:
        run(args.url, args.events, args.checkpoints)
        return
    name = f"gongjian_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        run(f"{ADMIN.rsplit('/', 1)[0]}/{name}", args.events, args.checkpoints)
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
