"""`gongjian serve --workers N` runs N server processes over one store."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx

from tests.integration.servers import running_server, script


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def test_several_workers_serve_one_store(tmp_path: Path) -> None:
    env = {**os.environ, "GONGJIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'workers.db'}"}
    subprocess.run([script("gongjian"), "migrate"], env=env, check=True, capture_output=True)
    created = subprocess.run(
        [script("gongjian"), "token", "create", "--role", "platform_admin"],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    token = {"Authorization": f"Bearer {created.stdout.strip().splitlines()[-1]}"}
    with running_server(["--workers", "2"], env, tmp_path / "server.log") as (url, server):
        workers = [c for c in _children(server.pid) if "spawn" in _cmdline(c)]
        assert len(workers) == 2, [_cmdline(c) for c in _children(server.pid)]
        body = {"tenant_id": "workers-street", "kind": "street", "name": "街道"}
        assert httpx.post(f"{url}/tenants", json=body, headers=token).status_code == 201
        query = {"query": '{ tenant(id: "workers-street") { name } }'}
        # Whichever worker answers, it reads what the other wrote.
        for _ in range(6):
            answer = httpx.post(f"{url}/graphql", json=query, headers=token).json()
            assert answer["data"]["tenant"] == {"name": "街道"}, answer


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""
