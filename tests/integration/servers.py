"""Running a real `gongjian serve` in a test: a free port, the installed scripts,
and a server process that is up (its /healthz answers) until the test ends."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
