"""Benchmark: searching the index (``projections.search_query``) at scale.

Fills ``rm_search`` directly (it is a read model: the query does not care how its rows
came) with ``--tenants`` tenants of ``--records`` records each: titles and minutes-like
texts of 20 to 400 characters drawn from words of community business (加装电梯,
停车位, 垃圾分类, ...), and one rare phrase in about one record in a thousand. Then
times a page of 20 hits and its total count for short and long terms, in one tenant,
in a street's 20 tenants and in every tenant (a platform admin's search).

    python -m bench.search [--tenants 200] [--records 500] [--url sqlite:///search.db]

Without ``--url`` it runs on a fresh PostgreSQL database (dropped afterwards).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from tempfile import TemporaryDirectory

import psycopg
from sqlalchemy import Engine, insert

from api.platform import migrate
from projections.search_index import SEPARATOR, search_entries
from projections.search_query import Scope, SearchQuery, count, hits
from tenants.store.database import make_engine

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
WORDS = [
    "加装电梯",
    "老旧小区",
    "停车位",
    "垃圾分类",
    "物业服务",
    "楼道照明",
    "绿化养护",
    "消防通道",
    "养老助餐",
    "健身器材",
    "安全隐患",
    "维修资金",
    "居民代表",
    "议事协商",
    "外墙改造",
    "屋顶防水",
    "道路修缮",
    "路灯",
    "监控探头",
    "快递柜",
    "充电桩",
    "噪音扰民",
    "宠物管理",
    "排水管道",
    "文明创建",
    "志愿服务",
    "党员报到",
    "共建单位",
    "环境整治",
    "电动车",
]
RARE = "无障碍坡道"
QUERIES = ["电梯", "加装电梯", "充电桩 噪音", RARE, "梯"]
KINDS = ["meeting", "minutes", "agenda_item", "resolution", "commitment"]


def _text(rng: random.Random, length: int) -> str:
    parts: list[str] = []
    while sum(map(len, parts)) < length:
        parts.append(rng.choice(WORDS) + rng.choice("，。、；的和与及在对"))
    if rng.random() < 0.001:
        parts.insert(rng.randrange(len(parts)), RARE)
    return "".join(parts)


def fill(engine: Engine, tenants: list[str], records: int) -> None:
    rng = random.Random(20251231)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for tenant in tenants:
        rows = []
        for n in range(records):
            title = _text(rng, 8)[:16]
            body = title if n % 3 else title + SEPARATOR + _text(rng, rng.randint(20, 400))
            rows.append(
                {
                    "tenant_id": tenant,
                    "kind": KINDS[n % len(KINDS)],
                    "record_id": uuid.UUID(int=rng.getrandbits(128)).hex,
                    "record_key": [str(n)],
                    "title": title,
                    "body": body,
                    "written_at": start + timedelta(minutes=n),
                    "valid_from": n + 1,
                    "valid_to": None,
                }
            )
        with engine.begin() as conn:
            conn.execute(insert(search_entries), rows)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE rm_search")


def _millis(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:8.1f} ms"


def _timed(calls: int, call: Callable[[], object]) -> list[float]:
    samples = []
    for _ in range(calls):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return samples


def run(url: str, tenant_count: int, records: int, calls: int) -> None:
    engine = make_engine(url)
    migrate(engine)
    tenants = [f"bench-{n:04d}-{uuid.uuid4().hex[:6]}" for n in range(tenant_count)]
    began = time.perf_counter()
    fill(engine, tenants, records)
    print(f"{engine.dialect.name}: {tenant_count * records:,} index rows over {tenant_count} "
          f"tenants written in {time.perf_counter() - began:.1f} s")  # fmt: skip
    scopes = {"one tenant": tenants[:1], "20 tenants": tenants[:20], "every tenant": None}
    print(f"{'query':<14} {'scope':<13} {'hits':>7} {'page of 20':>11} {'count':>11}")
    for text in QUERIES:
        query = SearchQuery.parse(text)
        for name, scoped in scopes.items():
            scope = Scope(None, scoped)
            total = count(engine, query, scope)
            page = _timed(calls, partial(hits, engine, query, scope, first=20))
            counting = _timed(calls, partial(count, engine, query, scope))
            print(f"{text:<12} {name:<13} {total:>7,} {_millis(page)} {_millis(counting)}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--calls", type=int, default=5, help="timed calls per query and scope")
    parser.add_argument("--url", help="a database to use (default: a fresh PostgreSQL one)")
    parser.add_argument("--sqlite", action="store_true", help="use a temporary SQLite file")
    args = parser.parse_args()
    if args.url or args.sqlite:
        with TemporaryDirectory() as folder:
            url = args.url or f"sqlite:///{Path(folder) / 'search.db'}"
            run(url, args.tenants, args.records, args.calls)
        return
    name = f"gongjian_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        run(f"{ADMIN.rsplit('/', 1)[0]}/{name}", args.tenants, args.records, args.calls)
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
