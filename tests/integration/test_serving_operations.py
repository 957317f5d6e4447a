"""A real `gongjian serve --workers 2`, as operators run it: every line it logs is a
JSON object, and a scrape of /metrics answered by either worker counts the commands
both workers ran (prometheus-client's multiprocess mode)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from api import metrics
from api.platform import migrate
from tenants.store.database import make_engine
from tests.integration.servers import running_server

TOKEN = "a-scraper-token-of-this-test"
COMMANDS = 12


def _count(url: str, command: str) -> float:
    answer = httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200, answer.text
    return sum(
        sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
        if sample.name == "gongjian_command_duration_seconds_count"
        and sample.labels["command"] == command
    )


def test_workers_share_their_metrics_and_log_json_lines(tmp_path: Path) -> None:
    env = {**os.environ, "GONGJIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}"}
    env.update({metrics.TOKEN_SETTING: TOKEN, "GONGJIAN_DEV_TOKENS": "1"})
    env.pop(metrics.MULTIPROCESS_SETTING, None)
    env.pop("GONGJIAN_LOG_FORMAT", None)
    engine = make_engine(env["GONGJIAN_DATABASE_URL"])
    migrate(engine)
    engine.dispose()
    log = tmp_path / "server.log"
    with running_server(["--workers", "2"], env, log) as (url, _):
        admin = {"Authorization": "Bearer dev:ops:platform_admin:-"}
        body = {"tenant_id": "ops-street", "kind": "street", "name": "街道"}
        assert httpx.post(f"{url}/tenants", json=body, headers=admin).status_code == 201
        manager = {"Authorization": "Bearer dev:li:street_admin:ops-street"}
        for n in range(COMMANDS):
            # A new connection each: the kernel hands them to either worker.
            unit = {"name": f"单位{n}", "kind": "enterprise"}
            answer = httpx.post(f"{url}/tenants/ops-street/units", json=unit, headers=manager)
            assert answer.status_code == 201
        for _ in range(6):
            assert _count(url, "join_unit") == COMMANDS
        traced = httpx.get(f"{url}/livez", headers={"X-Request-ID": "trace-42"})
        assert traced.headers["X-Request-ID"] == "trace-42"

    lines = [json.loads(line) for line in log.read_text().splitlines()]
    requests = [line for line in lines if line["logger"] == "gongjian.requests"]
    units = [line for line in requests if line["route"] == "/tenants/{tenant_id}/units"]
    assert len(units) == COMMANDS
    assert {(u["user"], u["role"], u["tenant"], u["status"]) for u in units} == {
        ("li", "street_admin", "ops-street", 201)
    }
    # The supervisor and both workers log their start the same way.
    assert len({line["process"] for line in lines if line["logger"] == "uvicorn.error"}) == 3
    assert any(line["request_id"] == "trace-42" for line in requests)
    assert "单位" not in log.read_text(), "no request body in the log"
