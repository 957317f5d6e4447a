"""Benchmark: projection catch-up, events per second, batched vs one event per transaction.

Loads the demo data set (about 1,500 events over 4 tenants) into a fresh
PostgreSQL database, then rebuilds every read model from the logs with the
projector's default batch size and with batches of one event (the
"transaction per event" baseline), in the same run, and prints both.

    python -m bench.project [--url postgresql://postgres@127.0.0.1:5432/postgres] [--sqlite]
"""

from __future__ import annotations

import argparse
import time
import uuid
from pathlib import Path
from tempfile import TemporaryDirectory

import psycopg
from sqlalchemy import Engine, func, select

from api.platform import Platform, migrate
from projections.runner import BATCH, Projector
from tenants.demo.meetings import load_demo
from tenants.store.database import make_engine
from tenants.store.schema import events


def rebuild_rate(engine: Engine, platform: Platform, batch: int) -> float:
    """Events per second of a full rebuild with the given batch size."""
    projector = Projector(engine, platform.projector.mapper, batch_size=batch)
    with engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(events)).scalar_one())
    started = time.perf_counter()
    projector.rebuild()
    return total / (time.perf_counter() - started)


def run(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    platform = Platform(engine, embedded=False)
    load_demo(platform.ledgers)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(events)).scalar_one()
    print(f"{engine.dialect.name}: rebuilding read models from {total} events")
    batched = rebuild_rate(engine, platform, BATCH)
    single = rebuild_rate(engine, platform, 1)
    print(f"{'batch':>8} {'events/s':>10}")
    print(f"{BATCH:>8} {batched:>10.0f}")
    print(f"{1:>8} {single:>10.0f}")
    print(f"ratio {batched / single:.2f}")
    platform.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sqlite", action="store_true", help="use a temporary SQLite file")
    args = parser.parse_args()
    if args.sqlite:
        with TemporaryDirectory() as folder:
            run(f"sqlite:///{Path(folder) / 'bench.db'}")
        return
    name = f"gongjian_bench_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(args.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        run(f"{args.url.rsplit('/', 1)[0]}/{name}")
    finally:
        with psycopg.connect(args.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
