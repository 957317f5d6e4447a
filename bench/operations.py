"""Benchmark: what the operations layer adds to each request (docs/operations.md).

Times, in microseconds per request, a minimal ASGI app answering 200 (the baseline),
the same app with the line uvicorn's access log wrote (what the request log
replaces: ``serve`` turns uvicorn's off), the same app behind the request log
(request id, context, one JSON line written to /dev/null), and one observation of
the command histogram, in prometheus-client's single-process mode and in its
multiprocess mode (what ``serve --workers N`` uses: memory-mapped files, here in a
child process started with the setting). Cells are interleaved, their order turning
each round, and repeated; the table shows the minimum, median and maximum over the
rounds.

    python -m bench.operations [--requests 20000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from starlette.types import Receive, Scope, Send


async def _bare(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def _scope() -> Scope:
    headers = [(b"authorization", b"Bearer x"), (b"x-request-id", b"bench-1")]
    return {"type": "http", "method": "POST", "path": "/tenants/t/units", "headers": headers}


async def _requests(app: Callable[..., object], count: int) -> float:
    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_: object) -> None:
        return None

    start = time.perf_counter()
    for _ in range(count):
        await app(_scope(), receive, send)  # type: ignore[misc]
    return (time.perf_counter() - start) / count * 1e6


def _request_log_app() -> Callable[..., object]:
    from api import structured_logs
    from api.request_log import RequestLog

    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115
    handler.setFormatter(structured_logs.JsonFormatter())
    handler.addFilter(structured_logs.RequestContextFilter())
    requests = logging.getLogger("gongjian.requests")
    requests.handlers, requests.propagate = [handler], False
    requests.setLevel(logging.INFO)
    return RequestLog(_bare)


def _uvicorn_access_app() -> Callable[..., object]:
    """The bare app with the line uvicorn's access log wrote for it (what the request
    log replaces), formatted by uvicorn's own formatter."""
    from uvicorn.logging import AccessFormatter

    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s'))
    access = logging.getLogger("bench.uvicorn.access")
    access.handlers, access.propagate = [handler], False
    access.setLevel(logging.INFO)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await _bare(scope, receive, send)
        access.info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:50000", scope["method"], scope["path"], "1.1", 200
        )

    return app


def _observations(count: int) -> float:
    from api.metrics import COMMANDS

    child = COMMANDS.labels("join_unit", "201")
    start = time.perf_counter()
    for n in range(count):
        child.observe(0.001 * (n % 50))
    return (time.perf_counter() - start) / count * 1e6


def _in_multiprocess_mode(count: int) -> float:
    with tempfile.TemporaryDirectory(prefix="gongjian-bench-metrics-") as folder:
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": folder}
        code = f"from bench.operations import _observations; print(_observations({count}))"
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    logged, uvicorn_logged = _request_log_app(), _uvicorn_access_app()
    cells: dict[str, Callable[[], float]] = {
        "bare ASGI app (baseline)": lambda: asyncio.run(_requests(_bare, args.requests)),
        "with uvicorn's access line": lambda: asyncio.run(_requests(uvicorn_logged, args.requests)),
        "behind the request log": lambda: asyncio.run(_requests(logged, args.requests)),
        "histogram observe, one process": lambda: _observations(args.requests),
        "histogram observe, multiprocess": lambda: _in_multiprocess_mode(args.requests),
    }
    times: dict[str, list[float]] = {name: [] for name in cells}
    names = list(cells)
    for round_ in range(args.rounds):
        turned = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in turned:
            times[name].append(cells[name]())
    print(f"{args.requests} requests per cell, {args.rounds} rounds; microseconds per request")
    print(f"| {'cell':<32} | {'min':>7} | {'median':>7} | {'max':>7} |")
    print(f"| {'-' * 32} | {'-' * 7}: | {'-' * 7}: | {'-' * 7}: |")
    for name in names:
        got = times[name]
        low, mid, high = min(got), statistics.median(got), max(got)
        print(f"| {name:<32} | {low:7.1f} | {mid:7.1f} | {high:7.1f} |")
    base, replaced, logged_us = (statistics.median(times[n]) for n in names[:3])
    added = {
        "over_bare_us": round(logged_us - base, 1),
        "over_uvicorn_us": round(logged_us - replaced, 1),
    }
    print(json.dumps({"request_log_median": added}))


if __name__ == "__main__":
    main()
