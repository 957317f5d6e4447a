"""Per-principal rate limits: off unless configured; over the limit, 429 with
Retry-After and nothing appended."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.platform import Platform
from api.problems import ApiProblem
from api.rate_limits import COMMANDS_SETTING, GRAPHQL_SETTING, RateLimit
from tenants.pipeline.identity import Principal, Role


def test_a_bucket_refills_evenly_and_is_kept_per_principal() -> None:
    limit = RateLimit.parse("3/minute")
    alice = Principal("alice", Role.INTEGRATOR, "t")
    for _ in range(3):
        limit.take(alice, now=0.0)
    with pytest.raises(ApiProblem) as refused:
        limit.take(alice, now=0.0)
    assert refused.value.status == 429 and refused.value.headers == {"Retry-After": "20"}
    limit.take(Principal("bob", Role.INTEGRATOR, "t"), now=0.0)  # bob has his own bucket
    limit.take(alice, now=20.0)  # one request back after 20 s
    with pytest.raises(ApiProblem):
        limit.take(alice, now=20.0)
    for text in ("", "3", "0/minute", "3/day", "x/minute"):
        with pytest.raises(ValueError, match="120/minute"):
            RateLimit.parse(text)


def test_commands_and_graphql_over_their_limits_answer_429(
    engine: Engine, tenant_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(COMMANDS_SETTING, "2/hour")
    monkeypatch.setenv(GRAPHQL_SETTING, "2/hour")
    client = TestClient(create_app(Platform(engine, embedded=True, dev_tokens=True)))
    admin = {"Authorization": "Bearer dev:op:platform_admin:-"}
    street = {"tenant_id": tenant_id, "kind": "street", "name": "街道"}
    assert client.post("/tenants", json=street, headers=admin).status_code == 201
    boss = {"Authorization": f"Bearer dev:boss:street_admin:{tenant_id}"}
    unit = {"name": "单位", "kind": "enterprise"}
    assert client.post(f"/tenants/{tenant_id}/units", json=unit, headers=boss).status_code == 201
    assert client.post(f"/tenants/{tenant_id}/units", json=unit, headers=boss).status_code == 201
    refused = client.post(f"/tenants/{tenant_id}/units", json=unit, headers=boss)
    assert refused.status_code == 429 and refused.json()["code"] == "rate-limited"
    assert int(refused.headers["Retry-After"]) == 1800
    assert refused.headers["content-type"] == "application/problem+json"
    query = {
        "query": f'{{ tenant(id: "{tenant_id}") {{ headPosition units {{ nodes {{ name }} }} }} }}'
    }
    first = client.post("/graphql", json=query, headers=boss).json()
    assert first["data"]["tenant"]["headPosition"] == 3, "the refused command appended nothing"
    assert client.post("/graphql", json=query, headers=boss).status_code == 200
    over = client.post("/graphql", json=query, headers=boss)
    assert over.status_code == 429 and over.json()["code"] == "rate-limited"
    # Another principal is not held back by the first one's use.
    assert client.post("/graphql", json=query, headers=admin).status_code == 200
