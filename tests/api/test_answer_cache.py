"""Repeated GraphQL requests are answered from the answer cache exactly while what
they read is unchanged; every request reads through one connection; a query over
its time limit is stopped with QUERY_TIMED_OUT."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from api.app import create_app
from api.graphql import answers
from api.graphql.errors import CACHE_HEADER, CONCURRENCY_SETTING, TIME_LIMIT_SETTING
from api.platform import Platform

ADMIN = {"Authorization": "Bearer dev:op:platform_admin:-"}


def _street(engine: Engine, tenant_id: str) -> tuple[TestClient, dict[str, str]]:
    client = TestClient(create_app(Platform(engine, embedded=True, dev_tokens=True)))
    street = {"tenant_id": tenant_id, "kind": "street", "name": "街道"}
    assert client.post("/tenants", json=street, headers=ADMIN).status_code == 201
    return client, {"Authorization": f"Bearer dev:boss:street_admin:{tenant_id}"}


def _unit(client: TestClient, tenant_id: str, boss: dict[str, str], name: str) -> None:
    unit = {"name": name, "kind": "enterprise"}
    assert client.post(f"/tenants/{tenant_id}/units", json=unit, headers=boss).status_code == 201


def test_a_repeated_request_is_answered_from_the_cache_until_its_tenant_moves(
    engine: Engine, tenant_id: str
) -> None:
    client, boss = _street(engine, tenant_id)
    _unit(client, tenant_id, boss, "第一单位")
    query = {
        "query": f'{{ tenant(id: "{tenant_id}") {{ headPosition units {{ nodes {{ name }} }} }} }}'
    }
    first = client.post("/graphql", json=query, headers=boss)
    again = client.post("/graphql", json=query, headers=boss)
    assert first.headers[CACHE_HEADER] == "miss" and again.headers[CACHE_HEADER] == "hit"
    assert again.json() == first.json()
    assert again.headers["content-type"] == "application/json"

    _unit(client, tenant_id, boss, "第二单位")
    moved = client.post("/graphql", json=query, headers=boss)
    assert moved.headers[CACHE_HEADER] == "miss"
    tenant = moved.json()["data"]["tenant"]
    assert tenant["headPosition"] == first.json()["data"]["tenant"]["headPosition"] + 1
    assert {"name": "第二单位"} in tenant["units"]["nodes"]


def test_each_principal_has_its_own_answers(engine: Engine, tenant_id: str) -> None:
    client, boss = _street(engine, tenant_id)
    integrator = {"Authorization": f"Bearer dev:robot:integrator:{tenant_id}"}
    query = {
        "query": f'{{ tenant(id: "{tenant_id}") {{ events {{ nodes {{ actor {{ userId }} }} }} }} }}'
    }

    def actors(headers: dict[str, str]) -> set[str]:
        nodes = client.post("/graphql", json=query, headers=headers).json()["data"]["tenant"]
        return {node["actor"]["userId"] for node in nodes["events"]["nodes"]}

    assert actors(boss) == {"op"}
    assert actors(integrator) == {"***"}, "the integrator must not get the street admin's answer"
    assert actors(boss) == {"op"}


def test_a_new_quarter_hour_is_a_new_answer(
    engine: Engine, tenant_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Overdue and lapsed are judged against each tenant's today, and some zone's day
    # may begin on any quarter hour: an answer from the last one may be wrong.
    client, boss = _street(engine, tenant_id)
    query = {"query": f'{{ tenant(id: "{tenant_id}") {{ name }} }}'}
    assert client.post("/graphql", json=query, headers=boss).headers[CACHE_HEADER] == "miss"
    assert client.post("/graphql", json=query, headers=boss).headers[CACHE_HEADER] == "hit"
    monkeypatch.setattr(answers, "_quarter_hour", lambda: "2999-01-01T00:15")
    assert client.post("/graphql", json=query, headers=boss).headers[CACHE_HEADER] == "miss"


def test_waiting_requests_and_a_disabled_cache_are_never_answered_from_it(
    engine: Engine, tenant_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, boss = _street(engine, tenant_id)
    waits = {"query": f'{{ tenant(id: "{tenant_id}", waitForPosition: 1) {{ name }} }}'}
    for _ in range(2):
        answer = client.post("/graphql", json=waits, headers=boss)
        assert answer.status_code == 200 and CACHE_HEADER not in answer.headers

    monkeypatch.setenv(answers.SIZE_SETTING, "0")
    uncached = TestClient(create_app(Platform(engine, embedded=True, dev_tokens=True)))
    query = {"query": f'{{ tenant(id: "{tenant_id}") {{ name }} }}'}
    for _ in range(2):
        answer = uncached.post("/graphql", json=query, headers=boss)
        assert answer.json()["data"]["tenant"]["name"] == "街道"
        assert CACHE_HEADER not in answer.headers
    for wrong in ("-1", "lots"):
        monkeypatch.setenv(answers.SIZE_SETTING, wrong)
        with pytest.raises(ValueError, match=answers.SIZE_SETTING):
            answers.configured()


def test_the_cache_keeps_to_its_size() -> None:
    from api.graphql.answers import Answer, AnswerCache
    from tenants.pipeline.identity import Principal, Role

    cache = AnswerCache(capacity=1000)
    reader = Principal("a", Role.AUDITOR, "t")
    for n in range(10):
        cache.put(cache.key(reader, b"%d" % n), Answer(("s",), 200, b"x" * 100, "application/json"))
    kept = [n for n in range(10) if cache.get(cache.key(reader, b"%d" % n), ("s",))]
    assert kept == list(range(10))
    cache.put(cache.key(reader, b"big"), Answer(("s",), 200, b"x" * 200, "application/json"))
    assert cache.get(cache.key(reader, b"big"), ("s",)) is None, "over 1/8 of the cache"
    cache.put(cache.key(reader, b"10"), Answer(("s",), 200, b"x" * 100, "application/json"))
    assert cache.get(cache.key(reader, b"0"), ("s",)) is None, "the least recent went out"
    assert cache.get(cache.key(reader, b"10"), ("other state",)) is None


def test_a_page_reads_through_one_connection(engine: Engine, tenant_id: str) -> None:
    client, boss = _street(engine, tenant_id)
    for n in range(3):
        _unit(client, tenant_id, boss, f"单位{n}")
    checkouts: list[Any] = []

    def count(*args: Any) -> None:
        checkouts.append(args)

    def checked_out(query: str) -> int:
        checkouts.clear()
        event.listen(engine, "checkout", count)
        try:
            body = {"query": query}
            assert client.post("/graphql", json=body, headers=boss).status_code == 200
        finally:
            event.remove(engine, "checkout", count)
        return len(checkouts)

    small = checked_out(f'{{ tenant(id: "{tenant_id}") {{ name }} }}')
    page = checked_out(
        f'{{ tenant(id: "{tenant_id}") {{ name units {{ totalCount nodes {{ name history {{ type }} }} }} '
        "meetings { nodes { title agenda { title } attendance { status } } } "
        "events { totalCount nodes { type } } } }"
    )
    # Who may read what is answered before the reads (its own checkout); every read
    # of the page, however many loaders and counts, shares the request's connection.
    assert page == small


def test_a_query_over_its_time_limit_is_stopped(
    engine: Engine, tenant_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TIME_LIMIT_SETTING, "0.000001")
    client, boss = _street(engine, tenant_id)
    query = {"query": f'{{ tenant(id: "{tenant_id}") {{ name units {{ nodes {{ name }} }} }} }}'}
    answer = client.post("/graphql", json=query, headers=boss)
    assert answer.status_code == 400
    error = answer.json()["errors"][0]
    assert error["extensions"] == {"code": "QUERY_TIMED_OUT", "limit": 0.000001}
    monkeypatch.setenv(TIME_LIMIT_SETTING, "0")
    with pytest.raises(ValueError, match=TIME_LIMIT_SETTING):
        create_app(Platform(engine, embedded=True, dev_tokens=True))
    monkeypatch.setenv(TIME_LIMIT_SETTING, "10")
    monkeypatch.setenv(CONCURRENCY_SETTING, "0")
    with pytest.raises(ValueError, match=CONCURRENCY_SETTING):
        create_app(Platform(engine, embedded=True, dev_tokens=True))


def test_a_revoked_token_is_refused_even_for_a_kept_answer(engine: Engine, tenant_id: str) -> None:
    from tenants.messages import COMMANDS
    from tenants.pipeline.identity import SYSTEM

    platform = Platform(engine, embedded=True, dev_tokens=True)
    client, boss = _street(engine, tenant_id)
    client = TestClient(create_app(platform))
    issue = COMMANDS["issue_token"].model_validate({"role": "auditor", "user_id": "auditor-1"})
    issued = platform.pipeline.handle(SYSTEM, issue, tenant_id)
    reader = {"Authorization": f"Bearer {issued['token']}"}
    query = {"query": f'{{ tenant(id: "{tenant_id}") {{ name }} }}'}
    assert client.post("/graphql", json=query, headers=reader).headers[CACHE_HEADER] == "miss"
    assert client.post("/graphql", json=query, headers=reader).headers[CACHE_HEADER] == "hit"
    revoke = f"/tenants/{tenant_id}/tokens/{issued['token_id']}/revocation"
    assert client.post(revoke, json={}, headers=boss).status_code == 200
    refused = client.post("/graphql", json=query, headers=reader)
    assert refused.status_code == 401, "a kept answer must not outlive its token"


def test_a_hit_costs_one_statement_for_a_community_and_two_for_a_street(
    engine: Engine, tenant_id: str
) -> None:
    client, boss = _street(engine, tenant_id)
    community = f"{tenant_id}-c"
    body = {"tenant_id": community, "kind": "community", "name": "社区", "parent_id": tenant_id}
    assert client.post("/tenants", json=body, headers=boss).status_code == 201
    secretary = {"Authorization": f"Bearer dev:sec:community_secretary:{community}"}
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    def hit_statements(tenant: str, headers: dict[str, str]) -> int:
        query = {"query": f'{{ tenant(id: "{tenant}") {{ headPosition }} }}'}
        client.post("/graphql", json=query, headers=headers)
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            again = client.post("/graphql", json=query, headers=headers)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert again.headers[CACHE_HEADER] == "hit"
        return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))

    # The state, with the platform log's head in it; a street's reader also reads its
    # communities, found first.
    assert hit_statements(community, secretary) == 1
    assert hit_statements(tenant_id, boss) == 2
