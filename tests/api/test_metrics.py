"""/metrics: only for a scraper holding the configured token; commands by name and
status, GraphQL by bounded operation name, projection lag and parked tenants read
from the database, and the connection pool in use."""

from __future__ import annotations

from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from api import metrics
from api.app import create_app
from api.platform import Platform
from tenants.store.verify import all_tenant_ids

TOKEN = "s3cret-metrics-token-for-tests"
SCRAPER = {"Authorization": f"Bearer {TOKEN}"}
ADMIN = {"Authorization": "Bearer dev:ops:platform_admin:-"}


def _client(engine: Engine, monkeypatch: pytest.MonkeyPatch, embedded: bool = True) -> TestClient:
    monkeypatch.setenv(metrics.TOKEN_SETTING, TOKEN)
    return TestClient(create_app(Platform(engine, embedded=embedded, dev_tokens=True)))


def _samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics", headers=SCRAPER)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def _value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
           **labels: str) -> float:  # fmt: skip
    return samples.get((name, frozenset(labels.items())), 0.0)


def _street(client: TestClient, tenant: str) -> None:
    body = {"tenant_id": tenant, "kind": "street", "name": "枫林街道"}
    assert client.post("/tenants", json=body, headers=ADMIN).status_code == 201


def test_metrics_are_off_unless_a_token_is_set_and_need_it(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(metrics.TOKEN_SETTING, raising=False)
    off = TestClient(create_app(Platform(sqlite_engine, embedded=True)))
    assert off.get("/metrics", headers=SCRAPER).status_code == 404
    client = _client(sqlite_engine, monkeypatch)
    assert client.get("/metrics").status_code == 401
    wrong = {"Authorization": f"Bearer {TOKEN}x"}
    assert client.get("/metrics", headers=wrong).status_code == 401
    assert client.get("/metrics", headers=SCRAPER).status_code == 200
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]
    monkeypatch.setenv(metrics.TOKEN_SETTING, "short")
    with pytest.raises(ValueError, match="at least 16 characters"):
        create_app(Platform(sqlite_engine, embedded=True))


def test_commands_are_timed_by_name_and_answered_status(
    engine: Engine, tenant_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client(engine, monkeypatch)
    before = _samples(client)
    _street(client, tenant_id)
    manager = {"Authorization": f"Bearer dev:li:street_admin:{tenant_id}"}
    unit = {"name": "光明乳业", "kind": "enterprise"}
    for _ in range(3):
        answer = client.post(f"/tenants/{tenant_id}/units", json=unit, headers=manager)
        assert answer.status_code == 201
    refused = client.post(f"/tenants/{tenant_id}/units", json=unit, headers=ADMIN)
    assert refused.status_code == 403
    after = _samples(client)

    def counted(command: str, status: str) -> float:
        name = "gongjian_command_duration_seconds_count"
        return _value(after, name, command=command, status=status) - _value(
            before, name, command=command, status=status
        )

    assert counted("register_tenant", "201") == 1
    assert counted("join_unit", "201") == 3
    assert counted("join_unit", "403") == 1
    assert "光明乳业" not in client.get("/metrics", headers=SCRAPER).text


def test_graphql_is_timed_by_operation_name_unnamed_as_anonymous(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client(sqlite_engine, monkeypatch)
    before = _samples(client)
    for query, name in [
        ("query TenantList { tenants { nodes { id } } }", None),
        ("{ tenants { nodes { id } } }", None),
        ("query A { tenants { nodes { id } } } query B { viewer { role } }", "B"),
    ]:
        body = {"query": query, "operationName": name}
        assert client.post("/graphql", json=body, headers=ADMIN).status_code == 200
    assert client.post("/graphql", json={"query": "{ tenants }"}).status_code == 401
    after = _samples(client)
    name = "gongjian_graphql_duration_seconds_count"
    for operation, status in [("TenantList", "200"), ("anonymous", "200"), ("B", "200"),
                              ("anonymous", "401")]:  # fmt: skip
        labels = {"operation": operation, "status": status}
        assert _value(after, name, **labels) - _value(before, name, **labels) == 1, labels


def test_operation_names_are_bounded() -> None:
    names = metrics.OperationNames(limit=2)
    assert names.label(None, b"{ tenants { id } }") == "anonymous"
    assert names.label("", b"query First { a }") == "First"
    assert names.label("Second", b"") == "Second"
    assert names.label("Third", b"") == "other", "past the limit"
    assert names.label("First", b"") == "First", "a name already seen keeps its series"
    assert names.label("not a name!", b"") == "other"
    fields = b'{"query": "{ webhooks { subscription id } search(query: \\"x\\") { id } }"}'
    assert names.label(None, fields) == "anonymous", "fields and arguments are no names"
    assert names.label(None, b'{"query": "query\\nFirst($t: ID!) { a }"}') == "First"


def test_projection_lag_and_parked_tenants_come_from_the_database(
    private_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A deployment's API does not project: its commands leave the log ahead.
    client = _client(private_engine, monkeypatch, embedded=False)
    platform: Platform = client.app.state.platform  # type: ignore[attr-defined]
    for tenant in ("lag-a", "lag-b"):
        _street(client, tenant)
    manager = {"Authorization": "Bearer dev:li:street_admin:lag-a"}
    for n in range(3):
        body = {"name": f"单位{n}", "kind": "enterprise"}
        assert client.post("/tenants/lag-a/units", json=body, headers=manager).status_code == 201
    behind = _samples(client)
    heads = {t: platform.ledgers[t].head_position() for t in all_tenant_ids(private_engine)}
    assert heads["lag-a"] == 4 and heads["lag-b"] == 1
    assert _value(behind, "gongjian_database_up") == 1
    assert _value(behind, "gongjian_tenants") == len(heads)
    assert _value(behind, "gongjian_projection_tenants_behind") == len(heads)
    assert _value(behind, "gongjian_projection_lag_events_max") == max(heads.values())
    assert _value(behind, "gongjian_projection_lag_events") == sum(heads.values())
    assert _value(behind, "gongjian_projection_parked_tenants") == 0

    stored = StoredEvent(uuid4(), 1, "gongjian.Unknown.FromANewerRelease", b"{}")
    platform.ledgers["lag-b"].recorder.insert_events([stored])
    platform.projector.catch_up_all()
    parked = _samples(client)
    assert _value(parked, "gongjian_projection_tenants_behind") == 1
    assert _value(parked, "gongjian_projection_lag_events_max") == 1
    assert _value(parked, "gongjian_projection_parked_tenants") == 1
    assert _value(parked, "gongjian_projection_parked_lag_events", tenant="lag-b") == 1
    listed = {labels for name, labels in parked if name == "gongjian_projection_parked_lag_events"}
    assert listed == {frozenset({("tenant", "lag-b")})}, "only parked tenants are listed"


def test_pool_use_is_reported(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    client = _client(sqlite_engine, monkeypatch)
    samples = _samples(client)
    size = sqlite_engine.pool.size()  # type: ignore[attr-defined]
    assert _value(samples, "gongjian_db_pool_size", pool="primary") == size
    assert _value(samples, "gongjian_db_pool_limit", pool="primary") > size
    with sqlite_engine.connect(), sqlite_engine.connect():
        held = _samples(client)
        assert _value(held, "gongjian_db_pool_checked_out", pool="primary") == 2
    assert _value(_samples(client), "gongjian_db_pool_checked_out", pool="primary") == 0
