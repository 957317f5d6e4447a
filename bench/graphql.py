"""Benchmark: GraphQL read latency and throughput of a real ``gongjian serve``.

Loads the demo data set into a fresh PostgreSQL database, projects it, issues a
real token (secretary of ``fenglin-kangjian``) and starts ``gongjian serve`` as a
subprocess. Then a closed-loop load (C clients, each sending its next request as
soon as the previous one is answered) POSTs three queries to /graphql:

* tenant page: the README tour's page of one tenant (20 meetings with agenda,
  attendance and history, 20 resolutions, 20 events);
* single record: one meeting's title and status;
* as-of page: the tenant page read at about half the tenant's log position.

Two servers run side by side over the same database: one with the answer cache
(``api.graphql.answers``: a repeated request is answered without executing while
the tenant is unchanged, which is what a polling integrator sends), and one with
it off (``GONGJIAN_GRAPHQL_CACHE_MB=0``: every request executed), the baseline.

Every cell (server x query x clients) runs once per round, rounds interleaved,
because the machine is shared and noisy; a cell warms up for 1 s, then measures
requests per second and p50/p99 latency for ``--duration`` seconds. The load comes
from ``wrk`` (Debian package ``wrk``) when it is installed, else from an asyncio
client (which needs much more CPU per request: at high rates it, not the server,
is the limit). Prints one table with the range over rounds, the as-of/tenant page
ratio, and the targets beside the results. The servers are stopped and the
database dropped at the end, even on failure. The load generator runs on the same
machine as the server and the database, and competes with them for CPU.

    python -m bench.graphql [--url postgresql://postgres@127.0.0.1:5432/postgres]
        [--duration 5] [--rounds 3] [--clients 1,10,50] [--workers 1]
        [--load wrk|asyncio]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import psycopg
from sqlalchemy import func, select

from api.graphql.answers import SIZE_SETTING
from api.platform import Platform, migrate
from tenants.demo.meetings import load_demo
from tenants.messages import COMMANDS
from tenants.pipeline.identity import SYSTEM
from tenants.store.database import DATABASE_URL_SETTING, make_engine
from tenants.store.schema import events

ROOT = Path(__file__).parents[1]
TENANT = "fenglin-kangjian"
WARM_UP = 1.0

PAGE_BODY = """
    meetings(first: 20) { nodes { title statusLabel
      agenda { title outcomeLabel tally { present agree object abstain }
               resolution { action deadline statusLabel overdue } }
      attendance { unit { name } status attendee substitute leaveReason }
      history { position type recordedAt occurredAt actor { userId role } reason data } } }
    resolutions(first: 20) { nodes { title responsibleUnits { name } deadline } }
    events(first: 20) { edges { cursor node { position type recordId } } pageInfo { endCursor } }
"""
PAGE = "query Page($tenant: ID!) { tenant(id: $tenant) {" + PAGE_BODY + "} }"
AS_OF_PAGE = (
    "query AsOfPage($tenant: ID!, $at: Int!) { tenant(id: $tenant, atPosition: $at) {"
    + PAGE_BODY
    + "} }"
)
RECORD = "query Record($tenant: ID!, $meeting: ID!) { tenant(id: $tenant) { meeting(id: $meeting) { title statusLabel } } }"  # noqa: E501
PROBE = "query Probe($tenant: ID!) { tenant(id: $tenant) { headPosition meetings(first: 1) { nodes { id } } } }"  # noqa: E501

# Targets: p99 of the tenant page at 50 clients, p99 of a single record (any
# client count), and the as-of page's latency over the tenant page's.
PAGE_P99_TARGET_MS = 100.0
PAGE_TARGET_CLIENTS = 50
RECORD_P99_TARGET_MS = 20.0
AS_OF_RATIO_TARGET = 1.2


@dataclass(frozen=True)
class Sample:
    """One cell's measurement in one round."""

    rate: float
    p50_ms: float
    p99_ms: float
    failures: int


@dataclass
class Cell:
    """One query at one client count on one server, measured once per round."""

    server: str
    query: str
    clients: int
    samples: list[Sample] = field(default_factory=list)


CACHED, EXECUTED = "answer cache", "executed"
SERVERS = {CACHED: None, EXECUTED: "0"}  # GONGJIAN_GRAPHQL_CACHE_MB (None: default)


def _percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return math.nan
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _script(name: str) -> str:
    """A console script installed beside this interpreter."""
    return str(Path(sys.executable).with_name(name))


@contextmanager
def bench_database(admin_url: str) -> Iterator[str]:
    """A fresh, empty database on the server of ``admin_url``, dropped afterwards."""
    name = f"gongjian_bench_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(url: str) -> str:
    """Migrate, load and project the demo; return a secretary's token."""
    engine = make_engine(url, pool_size=2)
    try:
        migrate(engine)
        platform = Platform(engine, embedded=False)
        try:
            load_demo(platform.ledgers, platform.report_figures)
            platform.projector.catch_up_all()
            with engine.connect() as conn:
                total = conn.execute(select(func.count()).select_from(events)).scalar_one()
            print(f"demo loaded and projected: {total} events")
            issue = COMMANDS["issue_token"].model_validate(
                {"role": "community_secretary", "user_id": "bench"}
            )
            return str(platform.pipeline.handle(SYSTEM, issue, TENANT)["token"])
        finally:
            platform.close()
    finally:
        engine.dispose()


@contextmanager
def served(url: str, workers: int, cache_mb: str | None) -> Iterator[str]:
    """``gongjian serve`` on a free port over ``url``; its base URL once healthy."""
    port = _free_port()
    env = {**os.environ, DATABASE_URL_SETTING: url}
    for setting in ("GONGJIAN_DEV_TOKENS", "GONGJIAN_RATE_LIMIT_GRAPHQL", SIZE_SETTING):
        env.pop(setting, None)
    if cache_mb is not None:
        env[SIZE_SETTING] = cache_mb
    log: IO[str] = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed below
    command = [_script("gongjian"), "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, server, log)
        yield base
    except BaseException:
        log.seek(0)
        print(f"server log (tail):\n{log.read()[-5000:]}", file=sys.stderr)
        raise
    finally:
        _stop(server)
        log.close()


def _wait_healthy(base: str, server: subprocess.Popen[bytes], log: IO[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    log.seek(0)
    raise RuntimeError(f"the server did not start:\n{log.read()[-5000:]}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server (and its worker processes, in its own session)."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(15)
            return
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    server.wait(15)


def _graphql(base: str, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Send one query and return its data, refusing an answer with errors."""
    answer = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    body = answer.json()
    if answer.status_code != 200 or body.get("errors") or not body.get("data", {}).get("tenant"):
        raise RuntimeError(f"{answer.status_code} {json.dumps(body)[:2000]}")
    data: dict[str, Any] = body["data"]["tenant"]
    return data


def _is_failure(response: httpx.Response) -> bool:
    if response.status_code != 200:
        return True
    # A cheap look first: parse only if an errors key may be there.
    return b'"errors"' in response.content and bool(response.json().get("errors"))


async def _measure(base: str, token: str, body: bytes, clients: int, duration: float) -> Sample:
    """Closed loop: ``clients`` workers, each sending when its last request was answered.
    Counts the answers that arrive in [warm-up end, warm-up end + duration]."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    latencies: list[float] = []
    failures = 0
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:
        start = time.perf_counter()
        measure_from, stop_at = start + WARM_UP, start + WARM_UP + duration

        async def worker() -> None:
            nonlocal failures
            while True:
                sent = time.perf_counter()
                if sent >= stop_at:
                    return
                response = await client.post("/graphql", content=body, headers=headers)
                done = time.perf_counter()
                if measure_from <= sent and done <= stop_at:
                    latencies.append(done - sent)
                    failures += _is_failure(response)

        await asyncio.gather(*(worker() for _ in range(clients)))
    latencies.sort()
    return Sample(
        rate=len(latencies) / duration,
        p50_ms=_percentile(latencies, 0.50) * 1000,
        p99_ms=_percentile(latencies, 0.99) * 1000,
        failures=failures,
    )


WRK_SCRIPT = """
local file = io.open(os.getenv("BENCH_BODY"), "rb")
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
"""
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _wrk(base: str, token: str, body: bytes, clients: int, duration: float) -> Sample:
    """The same closed loop by ``wrk``: ``clients`` connections, each sending its next
    request when the last is answered; 1 s of warm-up run first and discarded."""
    with tempfile.TemporaryDirectory() as folder:
        script, payload = Path(folder, "post.lua"), Path(folder, "body.json")
        script.write_text(WRK_SCRIPT)
        payload.write_bytes(body)
        env = {**os.environ, "BENCH_BODY": str(payload), "BENCH_TOKEN": token}
        threads = str(min(clients, 2))

        def wrk(seconds: float) -> str:
            command = [
                *("wrk", "-t", threads, "-c", str(clients), "-d", f"{seconds:g}s"),
                *("--timeout", "30s", "--latency", "-s", str(script), f"{base}/graphql"),
            ]
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            return done.stdout

        wrk(WARM_UP)
        out = wrk(duration)
    percentiles = {
        m.group(1): float(m.group(2)) * UNITS[m.group(3)]
        for m in re.finditer(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    }
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if rate is None or set(percentiles) != {"50", "99"}:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    failed += sum(int(n) for n in re.findall(r"timeout (\d+)", out))
    return Sample(float(rate.group(1)), percentiles["50"], percentiles["99"], failed)


def _range(values: list[float], digits: int) -> str:
    low, high = min(values), max(values)
    return f"{low:.{digits}f}–{high:.{digits}f}"


def _verdict(values: list[float], limit: float) -> str:
    if max(values) <= limit:
        return "met"
    if min(values) <= limit:
        return "met in some rounds"
    return "NOT met"


def report(cells: list[Cell], queries: list[str], clients: list[int]) -> None:
    """Print the table, the as-of ratio and the targets, for each server."""
    by_key = {(c.server, c.query, c.clients): c for c in cells}
    print()
    print(
        f"{'server':<12} {'query':<14} {'clients':>7} {'req/s':>15} {'p50 ms':>13} "
        f"{'p99 ms':>15} {'errors':>6}"
    )
    for cell in cells:
        s = cell.samples
        print(
            f"{cell.server:<12} {cell.query:<14} {cell.clients:>7} "
            f"{_range([x.rate for x in s], 1):>15} {_range([x.p50_ms for x in s], 1):>13} "
            f"{_range([x.p99_ms for x in s], 1):>15} {sum(x.failures for x in s):>6}"
        )
    page, as_of, record = queries
    for server in SERVERS:
        print()
        print(f"{server}: as-of page / tenant page, paired by round (latency; >1 is slower)")
        print(f"{'clients':>7} {'p50 ratio':>13} {'p99 ratio':>13} {'req/s ratio':>13}")
        ratios: list[float] = []
        for n in clients:
            pairs = list(
                zip(by_key[(server, as_of, n)].samples, by_key[(server, page, n)].samples,
                    strict=True)
            )  # fmt: skip
            p50 = [a.p50_ms / p.p50_ms for a, p in pairs]
            p99 = [a.p99_ms / p.p99_ms for a, p in pairs]
            rate = [a.rate / p.rate for a, p in pairs]
            ratios += p50
            print(f"{n:>7} {_range(p50, 2):>13} {_range(p99, 2):>13} {_range(rate, 2):>13}")
        print()
        print(f"{server}: targets")
        if PAGE_TARGET_CLIENTS in clients:
            values = [s.p99_ms for s in by_key[(server, page, PAGE_TARGET_CLIENTS)].samples]
            print(
                f"  {page} p99 < {PAGE_P99_TARGET_MS:.0f} ms at {PAGE_TARGET_CLIENTS} clients: "
                f"{_range(values, 1)} ms, {_verdict(values, PAGE_P99_TARGET_MS)}"
            )
        else:
            print(f"  {page} p99 at {PAGE_TARGET_CLIENTS} clients: not measured (see --clients)")
        for n in clients:
            values = [s.p99_ms for s in by_key[(server, record, n)].samples]
            print(
                f"  {record} p99 < {RECORD_P99_TARGET_MS:.0f} ms at {n} clients: "
                f"{_range(values, 1)} ms, {_verdict(values, RECORD_P99_TARGET_MS)}"
            )
        print(
            f"  {as_of} <= {AS_OF_RATIO_TARGET}x {page} (p50 latency, every client count): "
            f"{_range(ratios, 2)}, {_verdict(ratios, AS_OF_RATIO_TARGET)}"
        )


def run(
    admin_url: str, duration: float, rounds: int, clients: list[int], workers: int, load: str
) -> None:
    with bench_database(admin_url) as url:
        token = prepare(url)
        with (
            served(url, workers, SERVERS[CACHED]) as cached,
            served(url, workers, SERVERS[EXECUTED]) as executed,
        ):
            bases = {CACHED: cached, EXECUTED: executed}
            probe = _graphql(cached, token, PROBE, {"tenant": TENANT})
            head = int(probe["headPosition"])
            meeting = str(probe["meetings"]["nodes"][0]["id"])
            at = max(1, head // 2)
            variables: dict[str, dict[str, Any]] = {
                "tenant page": {"tenant": TENANT},
                "as-of page": {"tenant": TENANT, "at": at},
                "single record": {"tenant": TENANT, "meeting": meeting},
            }
            documents = {"tenant page": PAGE, "as-of page": AS_OF_PAGE, "single record": RECORD}
            bodies: dict[str, bytes] = {}
            for name, query in documents.items():
                bodies[name] = json.dumps({"query": query, "variables": variables[name]}).encode()
                answers = {b: _graphql(bases[b], token, query, variables[name]) for b in bases}
                if answers[CACHED] != answers[EXECUTED]:
                    raise RuntimeError(f"{name}: the two servers answer differently")
                size = len(json.dumps(answers[CACHED]))
                print(f"{name}: answer of {size} bytes, {variables[name]}")
            print(
                f"{TENANT}: head position {head}, as-of page at {at}; server workers {workers}, "
                f"{os.cpu_count()} CPUs; load from {load}; {rounds} rounds of {WARM_UP:g} s "
                f"warm-up + {duration:g} s per cell"
            )
            queries = list(documents)
            cells = [Cell(b, q, n) for q in queries for n in clients for b in SERVERS]
            for round_no in range(1, rounds + 1):
                for cell in cells:
                    body, base = bodies[cell.query], bases[cell.server]
                    if load == "wrk":
                        sample = _wrk(base, token, body, cell.clients, duration)
                    else:
                        sample = asyncio.run(_measure(base, token, body, cell.clients, duration))
                    cell.samples.append(sample)
                    print(
                        f"round {round_no} {cell.server:<12} {cell.query:<14} "
                        f"{cell.clients:>3} clients: {sample.rate:8.1f} req/s  "
                        f"p50 {sample.p50_ms:8.1f} ms  p99 {sample.p99_ms:8.1f} ms  "
                        f"errors {sample.failures}",
                        flush=True,
                    )
            report(cells, queries, clients)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds measured per cell")
    parser.add_argument("--rounds", type=int, default=3, help="times every cell is measured")
    parser.add_argument("--clients", default="1,10,50", help="concurrent clients, comma-separated")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument(
        "--load",
        choices=("wrk", "asyncio"),
        default="wrk" if shutil.which("wrk") else "asyncio",
        help="load generator (wrk when installed)",
    )
    args = parser.parse_args()
    clients = [int(n) for n in args.clients.split(",") if n.strip()]
    if args.duration <= 0 or args.rounds < 1 or args.workers < 1 or min(clients, default=0) < 1:
        parser.error("--duration, --rounds, --workers and every --clients count must be positive")
    run(args.url, args.duration, args.rounds, clients, args.workers, args.load)


if __name__ == "__main__":
    main()
