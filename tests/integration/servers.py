"""Running a real `gongjian serve` in a test: a free port, the installed scripts,
and a server process that is up (its /healthz answers) until the test ends; and the
demo store, loaded once per test run and copied for each test that serves it."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest


def script(name: str) -> str:
    """A console script installed beside this interpreter."""
    return str(Path(sys.executable).with_name(name))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(
    arguments: list[str], env: dict[str, str], log: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`gongjian serve <arguments>` on a free port; yields its URL and process."""
    port = free_port()
    with log.open("wb") as output:
        server = subprocess.Popen(
            [script("gongjian"), "serve", "--port", str(port), *arguments],
            env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            # Up to two minutes: `serve --demo` loads and signs the demo year first.
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{url}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                pytest.fail(f"the server did not start: {log.read_text()}")
            yield url, server
        finally:
            server.terminate()
            server.wait(15)


def printed_tokens(log: str) -> dict[str, str]:
    """The `role tenant token` lines `serve --demo` prints, by role."""
    found = re.findall(r"^\s+(\w+)\s+\S+\s+(gj_\S+)$", log, re.MULTILINE)
    return dict(found)


@dataclass(frozen=True)
class DemoStore:
    """A loaded demo, stopped: its folder (the SQLite file, the demo's signing key and
    its evidence files, all beside each other) and the tokens it printed, by role."""

    folder: Path
    tokens: dict[str, str]

    def copy_to(self, folder: Path) -> dict[str, str]:
        """A copy of the demo in ``folder``; the settings that serve the copy."""
        shutil.copytree(self.folder, folder, dirs_exist_ok=True)
        return demo_settings(folder)


def demo_settings(folder: Path) -> dict[str, str]:
    """Settings for a server on the demo store in ``folder``."""
    env = {**os.environ, "GONGJIAN_DATABASE_URL": f"sqlite:///{folder / 'demo.db'}"}
    env["GONGJIAN_EVIDENCE_DIR"] = str(folder / "evidence")
    env["PYTHONUNBUFFERED"] = "1"  # the printed tokens reach the log before serving
    env.pop("GONGJIAN_SIGNING_KEY_FILE", None)  # the demo keeps its key beside the file
    return env


def load_demo_store(folder: Path) -> DemoStore:
    """Load the demo once, with `gongjian serve --demo`, as a user does, then stop."""
    env = demo_settings(folder)
    subprocess.run([script("gongjian"), "migrate"], env=env, check=True, capture_output=True)
    log = folder.parent / f"{folder.name}.log"  # not copied with the store
    with running_server(["--demo"], env, log):
        tokens = printed_tokens(log.read_text())
    assert "community_secretary" in tokens, log.read_text()
    return DemoStore(folder, tokens)


def shared_demo_store(root: Path) -> DemoStore:
    """The demo store of this test run, loaded by whichever test process asks first
    (the demo takes half a minute or more to load; a copy takes a moment). ``root``
    is a folder every process of the run shares."""
    folder = root / "demo-store"
    with (root / "demo-store.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other processes wait for the one loading
        try:
            done = root / "demo-store.tokens.json"
            if not done.exists():
                folder.mkdir(exist_ok=True)
                store = load_demo_store(folder)
                done.write_text(json.dumps(store.tokens))
            tokens = json.loads(done.read_text())
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return DemoStore(folder, tokens)
