"""A community's public page reads with no token, shows only what residents may see,
and nothing else is readable as the public role."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.graphql.loaders import Context
from api.graphql.public_page import public_reader
from api.graphql.schema import schema
from api.platform import Platform
from tenants.demo.access import issue_demo_tokens
from tenants.demo.affairs import RESIDENTS
from tenants.demo.meetings import COMMUNITIES, STREET, load_demo
from tenants.store import row_security
from tests.conftest import BACKENDS, private_database

COMMUNITY = COMMUNITIES[0][0]


# One demo per backend for the module: its tests only read (a refused command
# appends nothing), and the demo takes the better part of a minute to load.
@pytest.fixture(scope="module", params=BACKENDS)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Platform]:
    with private_database(request, tmp_path_factory.mktemp("public-page")) as engine:
        platform = Platform(engine, embedded=True)
        load_demo(platform.ledgers, platform.report_figures)
        platform.projector.catch_up_all()
        yield platform
        platform.close()


@pytest.fixture
def client(demo: Platform) -> TestClient:
    return TestClient(create_app(demo))


def _staff_view(client: TestClient, demo: Platform) -> dict[str, Any]:
    """The community as its auditor sees it: personal data in full."""
    tokens = {t.role: t.token for t in issue_demo_tokens(demo.pipeline)}
    query = """query($t: ID!) { tenant(id: $t) {
      affairs(first: 50) { nodes { status resident { name phone } } }
      commitments(first: 50) { nodes { status ratings { residentId } } } } }"""
    response = client.post(
        "/graphql",
        json={"query": query, "variables": {"t": COMMUNITY}},
        headers={"Authorization": f"Bearer {tokens['auditor']}"},
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]["tenant"]
    return data


def test_the_public_page_shows_published_commitments_resolutions_and_closed_affairs(
    client: TestClient, demo: Platform
) -> None:
    response = client.get(f"/public/communities/{COMMUNITY}")
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["communityId"] == COMMUNITY and page["name"] == COMMUNITIES[0][1]
    staff = _staff_view(client, demo)
    published = [
        c for c in staff["commitments"]["nodes"] if c["status"] in ("published", "fulfilled")
    ]
    assert len(page["commitments"]) == len(published) > 0
    assert {c["status"] for c in page["commitments"]} <= {"published", "fulfilled"}
    rated = [c for c in page["commitments"] if c["satisfaction"]["denominator"] > 0]
    assert rated and all(c["milestones"] is not None for c in page["commitments"])
    assert page["resolutions"] and all("overdue" in r for r in page["resolutions"])
    closed = [a for a in staff["affairs"]["nodes"] if a["status"] == "closed"]
    assert len(page["closedAffairs"]) == len(closed) == 2
    assert all(a["daysToClose"] is not None and a["satisfied"] for a in page["closedAffairs"])


def test_the_public_page_holds_no_personal_data(client: TestClient, demo: Platform) -> None:
    staff = _staff_view(client, demo)
    people = [a["resident"] for a in staff["affairs"]["nodes"]]
    secrets = {p["name"] for p in people} | {p["phone"] for p in people if p["phone"]}
    secrets |= {r["residentId"] for c in staff["commitments"]["nodes"] for r in c["ratings"]}
    assert set(RESIDENTS) <= secrets  # the staff's view holds them: the scan can find them
    body = client.get(f"/public/communities/{COMMUNITY}").content.decode()
    found = [s for s in secrets if s and s in body]
    assert found == []
    assert "resident" not in body


@pytest.mark.parametrize("tenant", [STREET[0], "no-such-community"])
def test_a_street_and_an_unknown_community_answer_404_alike(
    client: TestClient, tenant: str
) -> None:
    response = client.get(f"/public/communities/{tenant}")
    assert response.status_code == 404
    assert response.json()["code"] == "not-found"
    assert tenant in response.json()["detail"]


def test_a_malformed_community_id_is_refused_precisely(client: TestClient) -> None:
    response = client.get("/public/communities/NOT_AN_ID")
    assert response.status_code in (400, 422)
    assert "code" in response.json()


def _as_public(demo: Platform, query: str, **variables: Any) -> dict[str, Any] | None:
    """Run a document on the staff's schema as the public reader of the community."""

    async def run() -> dict[str, Any] | None:
        context = Context(demo, public_reader(COMMUNITY, "testclient"))
        try:
            with row_security.reading_only([COMMUNITY]):
                result = await schema.execute(
                    query, variable_values=variables, context_value=context
                )
        finally:
            context.reads.close()
        assert not result.errors, result.errors
        return result.data

    return asyncio.run(run())


ROOT_READS = [
    ("tenant", f'{{ tenant(id: "{COMMUNITY}") {{ id name }} }}'),
    ("tenants", "{ tenants { totalCount nodes { id } } }"),
    ("search", '{ search(query: "路灯") { totalCount nodes { kind } } }'),
]


@pytest.mark.parametrize(("field", "query"), ROOT_READS, ids=[f for f, _ in ROOT_READS])
def test_the_public_role_reads_nothing_through_the_staff_schema(
    demo: Platform, field: str, query: str
) -> None:
    value = (_as_public(demo, query) or {}).get(field)
    assert value is None or value.get("totalCount") == 0, json.dumps(value)


def test_every_node_id_reads_as_unknown_to_the_public_role(
    client: TestClient, demo: Platform
) -> None:
    tokens = {t.role: t.token for t in issue_demo_tokens(demo.pipeline)}
    ids = client.post(
        "/graphql",
        json={"query": f'{{ tenant(id: "{COMMUNITY}") {{ nodeId '
                       "commitments(first: 5) { nodes { nodeId } } } }"},
        headers={"Authorization": f"Bearer {tokens['auditor']}"},
    ).json()["data"]["tenant"]  # fmt: skip
    node_ids = [ids["nodeId"], *(c["nodeId"] for c in ids["commitments"]["nodes"])]
    assert len(node_ids) > 1
    for node_id in node_ids:
        found = _as_public(demo, "query($id: ID!) { node(id: $id) { __typename } }", id=node_id)
        assert found == {"node": None}, node_id


def test_the_public_role_cannot_send_a_command(client: TestClient) -> None:
    response = client.post(f"/tenants/{COMMUNITY}/affairs", json={})
    assert response.status_code == 401
