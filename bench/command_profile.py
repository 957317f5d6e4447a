"""Where a command's time goes in a serving process, from py-spy's samples.

Two passes over the same server under the same load, each of ``seconds``:

* GIL: only the thread holding the GIL is sampled, so the samples split the
  process's Python CPU time (the resource a ``--workers 1`` server runs out of);
* wall: every thread is sampled, waiting ones too, and only the stacks of request
  threads running a command are kept, so the samples split a command's elapsed
  time, waits on PostgreSQL, on the pool and on locks included.

Each sample is put in one step of the command path: the first step in ``STEPS``
whose marker frame is on its stack (authentication loads the token's record, but
that counts as authentication, not aggregate loading), else HTTP/FastAPI when the
stack is in the server's frameworks, else other. Beside each step: how much of it
is spent inside SQLAlchemy's pool (checking connections out and back in) and, in
the wall pass, in psycopg (waiting on the database) and waiting for the lock a
ledger takes around loading a record (``tenants/ledger.py``'s ``_LOAD_LOCKS``).
``BENCH_PROFILE_KEEP=FOLDER`` keeps py-spy's raw samples there (``raw--gil.txt``,
``raw--idle.txt``) for a closer look.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

RATE = 200  # samples per second
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


class Sampled(Protocol):
    """What the load reports: commands answered per second."""

    @property
    def rate(self) -> float: ...


# (step, markers): a marker is (function, file ending); the first step that has a
# marker on a stack takes the sample.
STEPS: list[tuple[str, list[tuple[str, str]]]] = [
    ("in-line projection", [("after_command", "api/platform.py")]),
    ("authentication", [("current_principal", "api/rest/routes.py")]),
    (
        "policy",
        [("authorise", "tenants/pipeline/policy.py"), ("require", "tenants/registry.py")],
    ),
    (
        "idempotency look-up",
        [("replay", "tenants/pipeline/idempotency.py"), ("_replay", "pipeline/handling.py")],
    ),
    ("aggregate loading", [("load", "tenants/ledger.py")]),
    ("append: SQL", [("insert_events", "tenants/store/recorder.py")]),
    ("append: encode events", [("commit", "tenants/ledger.py")]),
    ("command handler, other", [("endpoint", "api/rest/routes.py")]),
]
FRAMEWORKS = ("uvicorn/", "starlette/", "fastapi/", "h11/", "httptools/", "anyio/", "asyncio/")
IN_REQUEST = (("endpoint", "api/rest/routes.py"), ("current_principal", "api/rest/routes.py"))
HTTP, OTHER = "HTTP/FastAPI", "other"


def _frames(stack: str) -> list[tuple[str, str]]:
    frames = []
    for part in stack.split(";"):
        match = FRAME.match(part.strip())
        if match:
            frames.append((match["function"], match["file"]))
    return frames


def _has(frames: list[tuple[str, str]], marker: tuple[str, str]) -> bool:
    function, ending = marker
    # py-spy qualifies methods and closures: ``LedgerBase.load``, ``_endpoint.<locals>.endpoint``.
    return any(
        (f == function or f.endswith("." + function)) and file.endswith(ending)
        for f, file in frames
    )


def step_of(frames: list[tuple[str, str]]) -> str:
    """The step of the command path a sampled stack (root first) belongs to."""
    for step, markers in STEPS:
        if any(_has(frames, m) for m in markers):
            return step
    if any(any(fw in file for fw in FRAMEWORKS) for _, file in frames):
        return HTTP
    return OTHER


def read_samples(raw: str) -> list[tuple[list[tuple[str, str]], int]]:
    """py-spy's raw (collapsed) output: one ``frame;frame;... count`` line a stack."""
    samples = []
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            samples.append((_frames(stack), int(count)))
    return samples


def _record(pid: int, seconds: float, mode: str) -> str:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder, "raw.txt")
        command = [spy, "record", "--pid", str(pid), "--rate", str(RATE), "--format", "raw"]
        command += ["--duration", f"{seconds:g}", "--output", str(out), mode]
        subprocess.run(command, check=True, capture_output=True, text=True)
        raw = out.read_text()
        if keep := os.environ.get("BENCH_PROFILE_KEEP"):
            Path(keep, f"raw{mode}.txt").write_text(raw)
        return raw


def _under_load(
    pid: int, seconds: float, mode: str, load: Callable[[float], Sampled]
) -> tuple[str, float]:
    """Sample while the load runs; py-spy's output and the commands answered."""
    result: list[Sampled] = []
    # The load's own 1 s warm-up passes first; it then runs a second past the sampling.
    driver = threading.Thread(target=lambda: result.append(load(seconds + 1.5)))
    driver.start()
    time.sleep(1.5)
    raw = _record(pid, seconds, mode)
    driver.join()
    return raw, result[0].rate * seconds


LOAD_LOCK = ("load", "tenants/ledger.py")  # a waiting thread's last frame: the record's lock


def _tally(
    samples: list[tuple[list[tuple[str, str]], int]], keep: Callable[[list[tuple[str, str]]], bool]
) -> tuple[Counter[str], Counter[str], Counter[str], Counter[str]]:
    steps: Counter[str] = Counter()
    pooled: Counter[str] = Counter()
    in_driver: Counter[str] = Counter()
    locked: Counter[str] = Counter()
    for frames, count in samples:
        if not keep(frames):
            continue
        step = step_of(frames)
        steps[step] += count
        if any("sqlalchemy/pool/" in file for _, file in frames):
            pooled[step] += count
        if frames and "psycopg" in frames[-1][1]:
            in_driver[step] += count
        if frames and _has(frames[-1:], LOAD_LOCK):
            locked[step] += count
    return steps, pooled, in_driver, locked


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its threads so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_per_command(pid: int, seconds: float, load: Callable[[float], Sampled]) -> None:
    """Print the serving process's CPU time per command under ``load``, unprofiled."""
    result: list[Sampled] = []
    driver = threading.Thread(target=lambda: result.append(load(seconds)))
    driver.start()
    time.sleep(1.0)  # the load's warm-up
    before, started = _cpu_seconds(pid), time.perf_counter()
    driver.join()
    used, elapsed = _cpu_seconds(pid) - before, time.perf_counter() - started
    commands = result[0].rate * seconds
    print(
        f"unprofiled: {result[0].rate:,.0f} commands/s; the server process used "
        f"{used / elapsed:.0%} of one core, {used / max(commands, 1) * 1000:.2f} ms of CPU "
        f"per command (Python and C, every thread)"
    )


def profile_commands(pid: int, seconds: float, load: Callable[[float], Sampled]) -> None:
    """Profile the serving process ``pid`` under ``load`` and print the split."""
    cpu_per_command(pid, seconds, load)
    gil_raw, gil_commands = _under_load(pid, seconds, "--gil", load)
    wall_raw, wall_commands = _under_load(pid, seconds, "--idle", load)
    gil, gil_pool, _, _ = _tally(read_samples(gil_raw), lambda frames: True)
    wall, wall_pool, wall_db, wall_lock = _tally(
        read_samples(wall_raw), lambda frames: any(_has(frames, m) for m in IN_REQUEST)
    )
    gil_total, wall_total = sum(gil.values()), sum(wall.values())
    print(
        f"GIL pass: {gil_commands:,.0f} commands, {gil_total} samples "
        f"({gil_total / RATE / seconds:.0%} of the time a thread held the GIL); wall pass: "
        f"{wall_commands:,.0f} commands, {wall_total} samples in request threads"
    )
    print()
    print(
        f"{'step':<24} {'GIL %':>6} {'GIL ms/cmd':>10} {'pool ms':>8} "
        f"{'wall %':>7} {'wall ms/cmd':>11} {'pool ms':>8} {'psycopg ms':>10} {'lock ms':>7}"
    )

    def ms(samples: int, commands: float) -> float:
        return samples / RATE / max(commands, 1.0) * 1000

    names = [step for step, _ in STEPS] + [HTTP, OTHER]
    for step in names:
        print(
            f"{step:<24} {gil[step] / max(gil_total, 1):>6.1%} {ms(gil[step], gil_commands):>10.2f}"
            f" {ms(gil_pool[step], gil_commands):>8.2f} {wall[step] / max(wall_total, 1):>7.1%}"
            f" {ms(wall[step], wall_commands):>11.2f} {ms(wall_pool[step], wall_commands):>8.2f}"
            f" {ms(wall_db[step], wall_commands):>10.2f} {ms(wall_lock[step], wall_commands):>7.2f}"
        )
    print(
        f"{'total':<24} {'':>6} {ms(gil_total, gil_commands):>10.2f} "
        f"{ms(sum(gil_pool.values()), gil_commands):>8.2f} {'':>7} "
        f"{ms(wall_total, wall_commands):>11.2f} {ms(sum(wall_pool.values()), wall_commands):>8.2f}"
        f" {ms(sum(wall_db.values()), wall_commands):>10.2f}"
        f" {ms(sum(wall_lock.values()), wall_commands):>7.2f}"
    )
    print()
    print("top functions by samples on the GIL (self, then inclusive):")
    _top(read_samples(gil_raw))


def _top(samples: list[tuple[list[tuple[str, str]], int]], n: int = 25) -> None:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for frames, count in samples:
        total += count
        if frames:
            own[_name(frames[-1])] += count
        for name in {_name(f) for f in frames}:
            inclusive[name] += count
    for name, count in inclusive.most_common(n):
        print(
            f"  {count / max(total, 1):>6.1%} incl {own[name] / max(total, 1):>6.1%} self  {name}"
        )
    print("  by self time:")
    for name, count in own.most_common(n // 2):
        print(f"  {count / max(total, 1):>6.1%} self  {name}")


def _name(frame: tuple[str, str]) -> str:
    function, file = frame
    parts = Path(file).parts
    return f"{function} ({'/'.join(parts[-2:])})"
