"""Benchmark: does pgbouncer (transaction pooling) in front of PostgreSQL make HTTP
commands faster?

Three servers run side by side, each ``gongjian serve --workers 2`` over a fresh store
of its own on the local cluster, as ``bench/commands.py`` sets it up (a street, a
community, a secretary's token; the command admits a unit, one event):

- ``direct``: straight to PostgreSQL, as deployed today (psycopg prepares a statement
  it has run five times on a connection).
- ``direct, unprepared``: the same with psycopg's prepared statements off, the only
  way psycopg runs behind pgbouncer 1.18's transaction pooling (Debian 12's: it has no
  prepared-statement support), so that the pooler's own effect shows apart. The store
  asks for two statements prepared explicitly (``prepare=True``: the append and the
  log read); this arm runs them unprepared too (a patch loaded in every server
  interpreter), which is what running behind that pgbouncer would take.
- ``pgbouncer``: through a pgbouncer in transaction mode (``default_pool_size``
  server connections per database), prepared statements off.

The servers connect as the superuser (row-level security does not apply to it: a
deployment's application role would also need its tenant-scope setting made a role
default, since a session ``SET`` does not survive transaction pooling). Cells
(server x clients) are interleaved: each round starts each server in turn (one at a
time, to stay within the shared cluster's connections) and measures every client
count; load comes from ``wrk``. Prints min–max over rounds.

    python -m bench.pooling [--rounds 3] [--duration 3] [--clients 8,16] [--pool 20]
"""

from __future__ import annotations

import argparse
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

from bench.commands import COMMAND_BODY, COMMAND_PATH, Running, Server, prepare, serving, wrk
from bench.graphql import Sample, _free_port, _range, bench_database

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# Loaded by every interpreter of a server (its workers are spawned, not forked): turns
# psycopg's automatic prepared statements off.
UNPREPARED = """
import psycopg

_connect = psycopg.Connection.connect.__func__


def connect(cls, *args, **kwargs):
    kwargs["prepare_threshold"] = None
    return _connect(cls, *args, **kwargs)


psycopg.Connection.connect = classmethod(connect)


def unprepared(execute):
    def run(self, query, params=None, *, prepare=None, **kwargs):
        return execute(self, query, params, prepare=False, **kwargs)

    return run


# The store asks for some statements prepared (prepare=True), whatever the threshold.
psycopg.Cursor.execute = unprepared(psycopg.Cursor.execute)
psycopg.Connection.execute = unprepared(psycopg.Connection.execute)
"""


@dataclass
class Arm:
    """One way of reaching PostgreSQL."""

    name: str
    pooled: bool
    prepared: bool
    samples: dict[int, list[Sample]] = field(default_factory=dict)


@contextmanager
def pgbouncer(folder: Path, pool: int) -> Iterator[int]:
    """A pgbouncer in transaction mode in front of 127.0.0.1:5432; its port."""
    port = _free_port()
    folder.mkdir()
    (folder / "users.txt").write_text('"postgres" ""\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n* = host=127.0.0.1 port=5432\n[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder / 'users.txt'}\n"
        f"pool_mode = transaction\ndefault_pool_size = {pool}\nmax_client_conn = 1000\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
        f"logfile = {folder / 'pgbouncer.log'}\npidfile = {folder / 'pgbouncer.pid'}\n"
    )
    shutil.chown(folder, "postgres")
    for name in ("users.txt", "pgbouncer.ini"):
        shutil.chown(folder / name, "postgres")
    # pgbouncer will not run as root.
    process = subprocess.Popen(
        ["runuser", "-u", "postgres", "--", "pgbouncer", "--quiet", str(folder / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(port), "-q"]).returncode:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("pgbouncer did not start")
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(15)


@contextmanager
def serving_arm(arm: Arm, url: str, pooled_port: int, folder: Path) -> Iterator[Running]:
    """The arm's server over the store at ``url`` (direct), until the block ends."""
    served = url.replace(":5432/", f":{pooled_port}/") if arm.pooled else url
    saved = os.environ.get("PYTHONPATH")
    if not arm.prepared:
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), saved]))
    try:
        with serving(served, Server("postgres", 2)) as running:
            yield running
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per cell")
    parser.add_argument("--clients", default="8,16")
    parser.add_argument("--pool", type=int, default=20, help="pgbouncer's default_pool_size")
    args = parser.parse_args()
    clients = [int(n) for n in args.clients.split(",")]
    arms = [
        Arm("direct", pooled=False, prepared=True),
        Arm("direct, unprepared", pooled=False, prepared=False),
        Arm("pgbouncer (transaction)", pooled=True, prepared=False),
    ]
    with tempfile.TemporaryDirectory() as temporary, ExitStack() as stack:
        folder = Path(temporary)
        folder.chmod(0o755)  # pgbouncer (as postgres) reads its files in a folder below
        (folder / "sitecustomize.py").write_text(UNPREPARED)
        pooled = stack.enter_context(pgbouncer(folder / "pgbouncer", args.pool))
        stores = [stack.enter_context(bench_database(ADMIN_URL)) for _ in arms]
        tokens = [prepare(url) for url in stores]
        # One server at a time: three at once keep more connections open than the
        # shared cluster's max_connections (100) allows.
        for _ in range(args.rounds):
            for arm, url, token in zip(arms, stores, tokens, strict=True):
                with serving_arm(arm, url, pooled, folder) as running:
                    for n in clients:
                        sample, _ = wrk(
                            running.base, COMMAND_PATH, COMMAND_BODY, token, n, args.duration
                        )
                        arm.samples.setdefault(n, []).append(sample)
    print(
        f"\nHTTP commands (admit unit), serve --workers 2, {args.rounds} rounds x "
        f"{args.duration:g} s, min–max over rounds; load {os.getloadavg()[0]:.2f}"
    )
    print(
        f"{'server':<26} {'clients':>7} {'req/s':>13} {'p50 ms':>13} {'p99 ms':>13} {'failed':>6}"
    )
    for n in clients:
        for arm in arms:
            samples = arm.samples[n]
            print(
                f"{arm.name:<26} {n:>7} {_range([s.rate for s in samples], 0):>13} "
                f"{_range([s.p50_ms for s in samples], 1):>13} "
                f"{_range([s.p99_ms for s in samples], 1):>13} "
                f"{sum(s.failures for s in samples):>6}"
            )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
