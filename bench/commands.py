"""Benchmark: HTTP command rate and latency of a real ``gongjian serve``.

For each server (SQLite and PostgreSQL, ``--workers 1`` and ``--workers 2``) a
fresh store gets a street, a community under it and a community secretary's token;
then ``gongjian serve`` runs as a subprocess and closed-loop clients (each sending
its next request as soon as the last is answered) send a simple command, admitting
a member unit (``POST /tenants/{id}/units``: one event, the tenant's record loaded
once), all to the same community. Beside it, as the baseline of the same server, an
answer that touches no database (``GET /.well-known/gongjian-keys``, also run in the
request thread pool): the most that HTTP, FastAPI and the load generator let
through on this machine.

SQLite servers project in-line before answering (as they always do); PostgreSQL
servers do not (``gongjian serve``'s default there: a deployment runs ``gongjian
project``, which this bench does not start). Every cell (server x request x
clients) runs once per round, rounds interleaved; a cell warms up for 1 s, then
measures requests/s and p50/p99 latency for ``--duration`` seconds. The load comes
from ``wrk`` (Debian package ``wrk``) when installed, else from an asyncio client
that needs far more CPU per request. Load generator, servers and database share the
machine's cores. Prints one table with min–max over rounds, and the target.

``--profile SECONDS`` instead counts one command's round trips to PostgreSQL
(``bench/command_round_trips.py``), then samples one ``--workers 1`` PostgreSQL
server with py-spy (in the dev extras) while 8 clients send commands, and
prints where the time goes by step of the command path (``bench/command_profile.py``);
add ``--inline-projection`` to profile a server projecting before it answers.

    python -m bench.commands [--duration 3] [--rounds 3] [--clients 1,8,32]
        [--servers sqlite-1,sqlite-2,postgres-1,postgres-2] [--load wrk|asyncio]
        [--url postgresql://postgres@127.0.0.1:5432/postgres]
    python -m bench.commands --profile 10 [--inline-projection] [--clients 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from api.platform import Platform, migrate
from bench.command_profile import profile_commands
from bench.command_round_trips import count as count_round_trips
from bench.graphql import (
    ROOT,
    UNITS,
    WARM_UP,
    Sample,
    _free_port,
    _percentile,
    _range,
    _script,
    _stop,
    _wait_healthy,
    bench_database,
)
from tenants.messages import COMMANDS
from tenants.pipeline.identity import SYSTEM
from tenants.store.database import DATABASE_URL_SETTING, make_engine

STREET, COMMUNITY = "bench-street", "bench-community"
COMMAND_PATH = f"/tenants/{COMMUNITY}/units"
COMMAND_BODY = json.dumps({"name": "测试共建单位", "kind": "enterprise"}).encode()
FLOOR_PATH = "/.well-known/gongjian-keys"
ADMIT, FLOOR = "admit unit", "no database"
REQUESTS = {ADMIT: (COMMAND_PATH, COMMAND_BODY), FLOOR: (FLOOR_PATH, None)}
# Issue 11's target: 1,000 commands/s at 32 clients with p99 under 50 ms on
# PostgreSQL; SQLite no worse than half that.
TARGET_RATE, TARGET_P99_MS, TARGET_CLIENTS = 1000.0, 50.0, 32


@dataclass(frozen=True)
class Server:
    """One ``gongjian serve`` configuration."""

    backend: str  # "sqlite" or "postgres"
    workers: int
    inline_projection: bool = False


SERVERS = {
    "sqlite-1": Server("sqlite", 1),
    "sqlite-2": Server("sqlite", 2),
    "postgres-1": Server("postgres", 1),
    "postgres-2": Server("postgres", 2),
    "postgres-1-inline": Server("postgres", 1, inline_projection=True),
    "postgres-2-inline": Server("postgres", 2, inline_projection=True),
}


@dataclass
class Cell:
    """One request at one client count on one server, measured once per round."""

    server: str
    request: str
    clients: int
    samples: list[Sample] = field(default_factory=list)


@dataclass(frozen=True)
class Running:
    """A started server: where it answers and its process id."""

    base: str
    pid: int


def prepare(url: str) -> str:
    """Migrate, register a street and a community; return the community secretary's
    token."""
    engine = make_engine(url, pool_size=2)
    try:
        migrate(engine)
        platform = Platform(engine, embedded=False)
        try:
            register = COMMANDS["register_tenant"]
            for tenant, kind, parent in (
                (STREET, "street", None),
                (COMMUNITY, "community", STREET),
            ):
                message = register.model_validate(
                    {"tenant_id": tenant, "kind": kind, "name": tenant, "parent_id": parent}
                )
                platform.pipeline.handle(SYSTEM, message)
            issue = COMMANDS["issue_token"].model_validate(
                {"role": "community_secretary", "user_id": "bench"}
            )
            return str(platform.pipeline.handle(SYSTEM, issue, COMMUNITY)["token"])
        finally:
            platform.close()
    finally:
        engine.dispose()


@contextmanager
def store(server: Server, admin_url: str, folder: str, name: str) -> Iterator[str]:
    """A fresh store for one server: a PostgreSQL database or a SQLite file."""
    if server.backend == "postgres":
        with bench_database(admin_url) as url:
            yield url
    else:
        yield f"sqlite:///{folder}/{name}.db"


@contextmanager
def serving(url: str, server: Server) -> Iterator[Running]:
    """``gongjian serve`` on a free port over ``url``, until the block ends."""
    port = _free_port()
    env = {**os.environ, DATABASE_URL_SETTING: url}
    for setting in ("GONGJIAN_DEV_TOKENS", "GONGJIAN_RATE_LIMIT_COMMANDS"):
        env.pop(setting, None)
    command = [_script("gongjian"), "serve", "--port", str(port), "--workers"]
    command += [str(server.workers), *(["--inline-projection"] * server.inline_projection)]
    log: IO[str] = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process, log)
        yield Running(base, process.pid)
    except BaseException:
        log.seek(0)
        print(f"server log (tail):\n{log.read()[-5000:]}", file=sys.stderr)
        raise
    finally:
        _stop(process)
        log.close()


def _check(base: str, token: str) -> None:
    """One command and one floor request, answered as they should be."""
    answer = httpx.post(
        base + COMMAND_PATH,
        content=COMMAND_BODY,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=60,
    )
    if answer.status_code != 201:
        raise RuntimeError(f"admit unit: {answer.status_code} {answer.text[:2000]}")
    floor = httpx.get(base + FLOOR_PATH, timeout=60)
    if floor.status_code != 200:
        raise RuntimeError(f"floor: {floor.status_code} {floor.text[:2000]}")


WRK_SCRIPT = """
local file = io.open(os.getenv("BENCH_BODY"), "rb")
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
"""


def wrk(
    base: str, path: str, body: bytes | None, token: str, clients: int, seconds: float
) -> tuple[Sample, str]:
    """``clients`` closed-loop connections for ``seconds`` (after 1 s of warm-up run
    and discarded); the sample and wrk's own report."""
    with tempfile.TemporaryDirectory() as folder:
        script, payload = Path(folder, "post.lua"), Path(folder, "body.json")
        script.write_text(WRK_SCRIPT)
        payload.write_bytes(body or b"")
        env = {**os.environ, "BENCH_BODY": str(payload), "BENCH_TOKEN": token}
        threads = str(min(clients, 2))

        def once(duration: float) -> str:
            # wrk takes whole seconds.
            command = [
                "wrk",
                "-t",
                threads,
                "-c",
                str(clients),
                "-d",
                f"{max(1, round(duration))}s",
            ]
            command += ["--timeout", "30s", "--latency", f"{base}{path}"]
            if body is not None:
                command += ["-s", str(script)]
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            return done.stdout

        once(WARM_UP)
        out = once(seconds)
    return parse_wrk(out), out


def parse_wrk(out: str) -> Sample:
    """Requests/s, p50 and p99 (ms) and failures from wrk's ``--latency`` report."""
    import re

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


async def closed_loop(
    base: str, path: str, body: bytes | None, token: str, clients: int, seconds: float
) -> Sample:
    """The same closed loop from asyncio and httpx (when wrk is not installed)."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    latencies: list[float] = []
    failures = 0
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:
        start = time.perf_counter()
        measure_from, stop_at = start + WARM_UP, start + WARM_UP + seconds

        async def worker() -> None:
            nonlocal failures
            while (sent := time.perf_counter()) < stop_at:
                if body is None:
                    response = await client.get(path)
                else:
                    response = await client.post(path, content=body, headers=headers)
                done = time.perf_counter()
                if measure_from <= sent and done <= stop_at:
                    latencies.append(done - sent)
                    failures += not response.is_success

        await asyncio.gather(*(worker() for _ in range(clients)))
    latencies.sort()
    return Sample(
        len(latencies) / seconds,
        _percentile(latencies, 0.50) * 1000,
        _percentile(latencies, 0.99) * 1000,
        failures,
    )


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def report(cells: list[Cell]) -> None:
    """Print the table (min–max over rounds) and the targets."""
    print()
    print(
        f"{'server':<18} {'request':<12} {'clients':>7} {'req/s':>15} {'p50 ms':>13} "
        f"{'p99 ms':>15} {'errors':>6}"
    )
    for c in cells:
        s = c.samples
        print(
            f"{c.server:<18} {c.request:<12} {c.clients:>7} {_range([x.rate for x in s], 0):>15}"
            f" {_range([x.p50_ms for x in s], 1):>13} {_range([x.p99_ms for x in s], 1):>15}"
            f" {sum(x.failures for x in s):>6}"
        )
    print()
    print(
        f"target: >= {TARGET_RATE:,.0f} commands/s with p99 < {TARGET_P99_MS:.0f} ms at "
        f"{TARGET_CLIENTS} clients on PostgreSQL; SQLite at least half the rate"
    )
    for c in cells:
        if c.request != ADMIT or c.clients != TARGET_CLIENTS:
            continue
        rate = TARGET_RATE if c.server.startswith("postgres") else TARGET_RATE / 2
        rates = [x.rate for x in c.samples]
        p99s = [x.p99_ms for x in c.samples]
        met = min(rates) >= rate and max(p99s) < TARGET_P99_MS
        print(
            f"  {c.server:<18} {_range(rates, 0)}/s (target {rate:,.0f}), p99 "
            f"{_range(p99s, 1)} ms: {'met' if met else 'NOT met'}"
        )


def run(
    admin_url: str,
    servers: list[str],
    clients: list[int],
    duration: float,
    rounds: int,
    load: str,
) -> None:
    """Start every server on its own fresh store, then measure the cells in rounds."""
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        running: dict[str, tuple[Running, str]] = {}
        for name in servers:
            url = stack.enter_context(store(SERVERS[name], admin_url, folder, name))
            token = prepare(url)
            running[name] = (stack.enter_context(serving(url, SERVERS[name])), token)
            _check(running[name][0].base, token)
        print(
            f"servers {', '.join(servers)}; {os.cpu_count()} CPUs; load from {load}; "
            f"{rounds} rounds of {WARM_UP:g} s warm-up + {duration:g} s per cell; "
            f"load average {_load_average()}"
        )
        cells = [Cell(s, r, n) for n in clients for r in REQUESTS for s in servers]
        for round_no in range(1, rounds + 1):
            for cell in cells:
                (server, token), (path, body) = running[cell.server], REQUESTS[cell.request]
                if load == "wrk":
                    sample, _ = wrk(server.base, path, body, token, cell.clients, duration)
                else:
                    sample = asyncio.run(
                        closed_loop(server.base, path, body, token, cell.clients, duration)
                    )
                cell.samples.append(sample)
                print(
                    f"round {round_no} {cell.server:<18} {cell.request:<12} {cell.clients:>3} "
                    f"clients: {sample.rate:8.1f} req/s  p50 {sample.p50_ms:8.1f} ms  "
                    f"p99 {sample.p99_ms:8.1f} ms  errors {sample.failures}",
                    flush=True,
                )
        report(cells)
        print(f"load average after: {_load_average()}")


def profile(admin_url: str, seconds: float, clients: int, inline: bool) -> None:
    """Sample a ``--workers 1`` PostgreSQL server under ``clients`` clients."""
    server = Server("postgres", 1, inline_projection=inline)
    with bench_database(admin_url) as url:
        token = prepare(url)
        engine = make_engine(url)
        platform = Platform(engine, embedded=inline)
        try:
            admit = COMMANDS["join_unit"].model_validate(json.loads(COMMAND_BODY))
            count_round_trips(platform, token, COMMUNITY, admit)
            count_round_trips(platform, token, COMMUNITY, admit, keyed=True)
        finally:
            platform.close()
            engine.dispose()
        with serving(url, server) as running:
            _check(running.base, token)

            def load(duration: float) -> Sample:
                sample, _ = wrk(running.base, COMMAND_PATH, COMMAND_BODY, token, clients, duration)
                return sample

            print(
                f"profiling a --workers 1 PostgreSQL server{' projecting in-line' * inline} "
                f"at {clients} clients for {seconds:g} s; load average {_load_average()}"
            )
            profile_commands(running.pid, seconds, load)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--duration", type=float, default=2.0, help="seconds measured per cell")
    parser.add_argument("--rounds", type=int, default=1, help="times every cell is measured")
    parser.add_argument("--clients", default="1,8,32", help="concurrent clients, comma-separated")
    parser.add_argument(
        "--servers",
        default="sqlite-1,sqlite-2,postgres-1,postgres-2",
        help=f"servers, comma-separated, of: {', '.join(SERVERS)}",
    )
    parser.add_argument(
        "--load",
        choices=("wrk", "asyncio"),
        default="wrk" if shutil.which("wrk") else "asyncio",
        help="load generator (wrk when installed)",
    )
    parser.add_argument("--profile", type=float, metavar="SECONDS", help="profile instead")
    parser.add_argument("--inline-projection", action="store_true", help="with --profile")
    args = parser.parse_args()
    clients = [int(n) for n in args.clients.split(",") if n.strip()]
    servers = [s for s in args.servers.split(",") if s.strip()]
    if unknown := set(servers) - set(SERVERS):
        parser.error(f"unknown servers: {', '.join(sorted(unknown))}")
    if args.duration <= 0 or args.rounds < 1 or min(clients, default=0) < 1:
        parser.error("--duration, --rounds and every --clients count must be positive")
    if args.profile is not None:
        if shutil.which("wrk") is None:
            parser.error("--profile drives the server with wrk (Debian package wrk)")
        profile(args.url, args.profile, 8 if args.clients == "1,8,32" else clients[0],
                args.inline_projection)  # fmt: skip
        return
    run(args.url, servers, clients, args.duration, args.rounds, args.load)


if __name__ == "__main__":
    main()
