"""scripts/deploy-local brings up docker-compose.yml's topology on this machine: a
primary and a streaming replica (PostgreSQL clusters of its own), a migration run
once, `gongjian serve --workers 2` reading from the replica, and two `gongjian
project` workers. The test drives it as a client would, and looks underneath."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import REQUIRE_POSTGRES
from tests.integration.replica import psql, unavailable
from tests.integration.servers import free_port, script

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).parents[2]
WAITED = (
    "query($t: ID!, $p: Int) { tenant(id: $t, waitForPosition: $p) { name projectedPosition } }"
)


@dataclass
class Deployment:
    state: dict[str, Any]
    token: dict[str, str]

    @property
    def url(self) -> str:
        return str(self.state["url"])

    @property
    def primary(self) -> int:
        return int(self.state["primary"]["port"])

    @property
    def replica(self) -> int:
        return int(self.state["replica"]["port"])

    def street(self) -> tuple[str, int]:
        """A new street, registered through the API; its id and the position returned."""
        tenant = f"s-{uuid.uuid4().hex[:10]}"
        body = {"tenant_id": tenant, "kind": "street", "name": "街道"}
        answer = httpx.post(f"{self.url}/tenants", json=body, headers=self.token, timeout=60)
        assert answer.status_code == 201, answer.text
        return tenant, int(answer.json()["position"])

    def waited(self, tenant: str, position: int) -> dict[str, Any]:
        query = {"query": WAITED, "variables": {"t": tenant, "p": position}}
        answer = httpx.post(f"{self.url}/graphql", json=query, headers=self.token, timeout=60)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result


@contextmanager
def deployed(folder: Path) -> Iterator[Deployment]:
    port = free_port()
    command = ["bash", str(ROOT / "scripts" / "deploy-local"), "--dir", str(folder)]
    started = subprocess.run(
        [*command, "--port", str(port)], capture_output=True, text=True, check=False
    )
    try:
        assert started.returncode == 0, started.stderr[-3000:]
        assert f"http://127.0.0.1:{port}" in started.stdout
        state = json.loads((folder / "deployment.json").read_text())
        owner = {
            **os.environ,
            "GONGJIAN_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{state['primary']['port']}/"
            f"{state['database']}",
        }
        created = subprocess.run(
            [script("gongjian"), "token", "create", "--role", "platform_admin"],
            env=owner, check=True, capture_output=True, text=True,
        )  # fmt: skip
        token = {"Authorization": f"Bearer {created.stdout.strip().splitlines()[-1]}"}
        yield Deployment(state, token)
    finally:
        subprocess.run([*command[:2], "stop", "--dir", str(folder)], check=False)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    reason = unavailable(primary_port=None)
    if reason is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"scripts/deploy-local cannot run here: {reason}")
        pytest.skip(reason)
    with deployed(tmp_path_factory.mktemp("deploy-local") / "deployment") as running:
        yield running


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def test_the_topology_runs_migrated_with_two_api_workers_and_a_streaming_replica(
    deployment: Deployment,
) -> None:
    assert httpx.get(f"{deployment.url}/readyz", timeout=30).status_code == 200  # migrated
    server, *projectors = deployment.state["processes"]
    assert len(projectors) == 2
    assert len(_children(server)) >= 2  # uvicorn's supervisor and its two workers
    streaming = psql(deployment.primary, "SELECT count(*) FROM pg_stat_replication")
    assert streaming == "1"
    assert psql(deployment.replica, "SELECT pg_is_in_recovery()") == "t"


def test_commands_are_projected_and_read_back_from_the_replica(deployment: Deployment) -> None:
    tenants = [deployment.street() for _ in range(4)]
    for tenant, position in tenants:
        answer = deployment.waited(tenant, position)
        assert answer["data"]["tenant"] == {"name": "街道", "projectedPosition": position}
    # Every read came from the replica: frozen, it holds the next command back.
    psql(deployment.replica, "SELECT pg_wal_replay_pause()")
    try:
        tenant, position = deployment.street()
        held = deployment.waited(tenant, position)
        assert held["errors"][0]["extensions"]["code"] == "NOT_YET_PROJECTED", held
    finally:
        psql(deployment.replica, "SELECT pg_wal_replay_resume()")
    assert deployment.waited(tenant, position)["data"]["tenant"]["name"] == "街道"


def test_each_projector_projects_while_the_other_is_stopped(deployment: Deployment) -> None:
    projectors = deployment.state["processes"][1:]
    for stopped, running in (projectors, reversed(projectors)):
        # A tenant made while one worker is frozen: only the other can have claimed it.
        os.kill(stopped, signal.SIGSTOP)
        try:
            assert Path(f"/proc/{running}").exists()
            tenant, position = deployment.street()
            answer = deployment.waited(tenant, position)
        finally:
            os.kill(stopped, signal.SIGCONT)
        assert answer["data"]["tenant"] == {"name": "街道", "projectedPosition": position}
