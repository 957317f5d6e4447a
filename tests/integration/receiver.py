"""A real webhook receiver for tests: an HTTP server on 127.0.0.1 in a thread of the
test, which records every request and answers as told (fail, hang, succeed)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tenants import webhook_targets


@dataclass
class Received:
    """One request the receiver got."""

    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        content: dict[str, Any] = json.loads(self.body)
        return content


@dataclass
class Receiver:
    """What the receiver got, and how it answers next."""

    url: str
    received: list[Received] = field(default_factory=list)
    failures: int = 0  # answer 500 to this many requests first
    hang: bool = False  # hold every request until ``release`` is set
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    held: int = 0  # requests held right now
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.received.append(Received(headers, body))
            failing = self.failures > 0
            self.failures -= failing
            self.held += self.hang
        self.arrived.set()
        if self.hang:
            # Bounded so that a failing test cannot leave the server thread behind.
            self.release.wait(120)
            with self.lock:
                self.held -= 1
        return 500 if failing else 204

    def positions(self) -> list[int]:
        return [r.json["position"] for r in self.received]


@contextmanager
def running_receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """A receiver on a free port of 127.0.0.1; deliveries to this machine allowed."""
    monkeypatch.setenv(webhook_targets.PRIVATE_TARGETS_SETTING, "1")
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            status = receiver.answer(dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = Receiver(f"http://127.0.0.1:{server.server_address[1]}/gongjian")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
