"""Structured logs: one JSON object per line; each request logged once with its id,
route template, principal (id and role) and tenant, and never personal data."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api import request_log, structured_logs
from api.app import create_app
from api.platform import Platform


class Lines:
    """The JSON lines logged while a test runs, as the serving processes log them."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def all(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def requests(self) -> list[dict[str, Any]]:
        return [line for line in self.all() if line["logger"] == "gongjian.requests"]


@pytest.fixture
def lines() -> Iterator[Lines]:
    found = Lines()
    handler = logging.StreamHandler(found.stream)
    handler.setFormatter(structured_logs.JsonFormatter())
    handler.addFilter(structured_logs.RequestContextFilter())
    # The test client's own lines (httpx logs its URLs) are not the server's.
    handler.addFilter(lambda record: not record.name.startswith("httpx"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield found
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def client(sqlite_engine: Engine) -> TestClient:
    return TestClient(create_app(Platform(sqlite_engine, embedded=True, dev_tokens=True)))


def test_a_command_is_one_line_with_its_route_template_principal_and_tenant(
    client: TestClient, lines: Lines, tenant_id: str
) -> None:
    admin = {"Authorization": "Bearer dev:ops:platform_admin:-", "X-Request-ID": "req-1.a:b"}
    body = {"tenant_id": tenant_id, "kind": "street", "name": "枫林街道"}
    assert client.post("/tenants", json=body, headers=admin).status_code == 201
    manager = {"Authorization": f"Bearer dev:u-7:street_admin:{tenant_id}"}
    unit = {"name": "光明乳业", "kind": "enterprise"}
    answer = client.post(f"/tenants/{tenant_id}/units?note=王小明", json=unit, headers=manager)
    assert answer.status_code == 201
    made = answer.headers[request_log.HEADER]

    first, second = lines.requests()
    assert first["request_id"] == "req-1.a:b"
    assert first["user"] == "ops" and first["role"] == "platform_admin"
    assert first["route"] == "/tenants" and first["status"] == 201
    assert second == {
        **second,
        "request_id": made,
        "user": "u-7",
        "role": "street_admin",
        "tenant": tenant_id,
        "method": "POST",
        "route": "/tenants/{tenant_id}/units",
        "status": 201,
    }
    assert second["duration_ms"] > 0 and second["level"] == "INFO"
    everything = lines.stream.getvalue()
    assert "光明乳业" not in everything and "王小明" not in everything, "no body, no query"
    assert f"/tenants/{tenant_id}/units" not in everything, "the template, never the path"


def test_an_unacceptable_request_id_is_replaced(client: TestClient, lines: Lines) -> None:
    returned = []
    for sent in (b"with space", b"x" * 129, "名字".encode(), b"", b"a\tb"):
        answer = client.get("/livez", headers={"X-Request-ID": sent})
        returned.append(answer.headers[request_log.HEADER])
        assert returned[-1].encode() != sent and len(returned[-1]) == 32
    assert len(set(returned)) == len(returned), "a new one each time"
    assert [line["request_id"] for line in lines.requests()] == returned


def test_graphql_and_refused_requests_are_logged_too(client: TestClient, lines: Lines) -> None:
    auditor = {"Authorization": "Bearer dev:a-1:auditor:some-street"}
    graphql = client.post("/graphql", json={"query": "{ viewer { role } }"}, headers=auditor)
    assert graphql.status_code == 200, graphql.text
    assert client.get("/nowhere/王小明").status_code == 404
    assert client.post("/tenants", content=b"x" * 300_000).status_code == 413
    graphql, unknown, too_large = lines.requests()
    assert (graphql["route"], graphql["user"], graphql["role"]) == ("/graphql", "a-1", "auditor")
    assert graphql["tenant"] == "some-street"
    assert (unknown["route"], unknown["status"]) == (None, 404)
    assert "王小明" not in lines.stream.getvalue()
    assert too_large["status"] == 413 and too_large["user"] is None


def test_lines_logged_while_serving_carry_the_request_id(
    sqlite_engine: Engine, lines: Lines
) -> None:
    app = create_app(Platform(sqlite_engine, embedded=True))

    @app.get("/logs-something")
    def logs_something() -> dict[str, str]:
        logging.getLogger("gongjian.somewhere").warning("参会 %s", "单位", extra={"n": 1})
        return {}

    TestClient(app).get("/logs-something", headers={"X-Request-ID": "abc"})
    (line,) = [line for line in lines.all() if line["logger"] == "gongjian.somewhere"]
    assert line["request_id"] == "abc" and line["message"] == "参会 单位" and line["n"] == 1
    assert line["time"].endswith("+00:00") and line["level"] == "WARNING"


def test_exceptions_are_one_line_with_their_traceback(lines: Lines) -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("gongjian.t").exception("failed")
    (line,) = lines.all()
    assert line["message"] == "failed" and "RuntimeError: boom" in line["exception"]
    assert lines.stream.getvalue().count("\n") == 1


def test_the_log_format_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(structured_logs.FORMAT_SETTING, "xml")
    with pytest.raises(ValueError, match="json, text"):
        structured_logs.dict_config()
    monkeypatch.setenv(structured_logs.FORMAT_SETTING, "text")
    assert structured_logs.dict_config()["formatters"]["chosen"] == {"format": structured_logs.TEXT}
