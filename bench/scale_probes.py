"""The scale benchmark's measurements, each taken the same way on the empty store and
on the full one: per-command and bulk append rates, the command rate, the verify rate,
the GraphQL tenant page's latency, and the disk a store takes."""

from __future__ import annotations

import math
import os
import threading
import time
import uuid
from collections.abc import Sequence

from eventsourcing.persistence import StoredEvent
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.graphql.answers import SIZE_SETTING
from api.platform import Platform
from bench.graphql import PAGE
from domain.stamp import Actor, Stamp
from domain.units import UnitKind
from projections.runner import ALL_TABLES
from tenants.store.bulk_append import bulk_append
from tenants.store.recorder import TenantRecorder
from tenants.store.verify import verify_store

Logs = dict[str, list[StoredEvent]]


def per_command_appends(engine: Engine, logs: Logs) -> float:
    """Append each tenant's drafted events one per transaction (the per-command path,
    ``gongjian_append``), a thread per tenant; return events/s."""
    barrier = threading.Barrier(len(logs) + 1)
    failures: list[BaseException] = []

    def write(tenant: str, drafted: list[StoredEvent]) -> None:
        recorder = TenantRecorder(engine, tenant)
        barrier.wait()
        try:
            for stored in drafted:
                recorder.insert_events([stored])
        except BaseException as error:  # reported by the caller, not lost in a thread
            failures.append(error)

    threads = [threading.Thread(target=write, args=item) for item in logs.items()]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise failures[0]
    return sum(map(len, logs.values())) / elapsed


def bulk_appends(engine: Engine, logs: Logs) -> float:
    """Bulk-append the drafted tenants in one transaction; return events/s."""
    started = time.perf_counter()
    bulk_append(engine, logs)
    return sum(map(len, logs.values())) / (time.perf_counter() - started)


def command_rate(platform: Platform, tenant_id: str, seconds: float) -> float:
    """Admit member units to a tenant through its ledger (load the tenant, make the
    unit, append) one after another in this thread for ``seconds``; return commands/s."""
    ledger = platform.ledger(tenant_id)
    stamp = Stamp(tenant_id, Actor("bench", "community_secretary"))
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        ledger.join_unit(stamp, uuid.uuid4(), f"压测单位{done}", UnitKind.ENTERPRISE)
        done += 1
    return done / (time.perf_counter() - started)


def verify_rate(engine: Engine, tenants: Sequence[str]) -> tuple[float, int]:
    """Verify the tenants' chains in this process; return events/s and how many
    tenants verified intact."""
    started = time.perf_counter()
    events = intact = 0
    for audit in verify_store(engine, list(tenants)):
        events += audit.length
        intact += audit.broken is None
    return events / (time.perf_counter() - started), intact


def page_latencies(engine: Engine, tenant_id: str, requests: int) -> list[float]:
    """Ask for the README tour's tenant page ``requests`` times, one after another,
    in-process (the app and GraphQL without HTTP sockets), the answer cache off so that
    every request executes; return the latencies in ms, ascending."""
    os.environ[SIZE_SETTING] = "0"
    platform = Platform(engine, embedded=False, dev_tokens=True)
    token = {"Authorization": f"Bearer dev:bench:community_secretary:{tenant_id}"}
    body = {"query": PAGE, "variables": {"tenant": tenant_id}}
    latencies = []
    with TestClient(create_app(platform)) as client:
        answer = client.post("/graphql", json=body, headers=token).json()
        if answer.get("errors") or not answer["data"]["tenant"]["meetings"]["nodes"]:
            raise RuntimeError(f"the tenant page of {tenant_id} failed: {answer}")
        for _ in range(requests):
            started = time.perf_counter()
            response = client.post("/graphql", json=body, headers=token)
            latencies.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
    platform.close()
    return sorted(latencies)


def percentile(ascending: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return ascending[max(0, math.ceil(q * len(ascending)) - 1)] if ascending else math.nan


def disk_bytes(engine: Engine) -> tuple[int, int]:
    """Bytes the event log (rows and indexes, every partition) and the read models take."""
    # A partitioned table's rows are in its partitions; a plain one has no tree.
    total = (
        "SELECT coalesce(sum(pg_total_relation_size(coalesce(tree.relid, name::regclass))), 0)"
        " FROM unnest(CAST(%s AS text[])) AS name"
        " LEFT JOIN LATERAL pg_partition_tree(name::regclass) AS tree ON true"
    )
    read_models = [table.name for table in ALL_TABLES]
    with engine.connect() as conn:
        log = conn.exec_driver_sql(total, (["es_events"],)).scalar_one()
        read = conn.exec_driver_sql(total, (read_models,)).scalar_one()
    return int(log), int(read)
