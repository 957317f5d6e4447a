"""GraphQL reads: the tenant tree, lists with cursors, the event feed, read-your-writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.api.conftest import READER, Api, Street


def test_the_tenant_tree_shows_a_street_and_its_communities(api: Api) -> None:
    street = api.tenant
    api.post("/tenants", {"tenant_id": street, "kind": "street", "name": "枫林街道"}, 201)
    for n in (1, 2):
        api.post(
            "/tenants",
            {
                "tenant_id": f"{street}-c{n}",
                "kind": "community",
                "parent_id": street,
                "name": f"枫林{n}社区",
            },
            201,
        )
    data = api.gql(
        "query($t: ID!) { tenant(id: $t) { name kindLabel communities { nodes { id name kindLabel parent { id } } } } }",
        t=street,
    )["data"]["tenant"]
    assert data["kindLabel"] == "街道"
    communities = data["communities"]["nodes"]
    assert [c["name"] for c in communities] == ["枫林1社区", "枫林2社区"]
    assert {c["parent"]["id"] for c in communities} == {street}
    streets = api.gql("{ tenants(kind: STREET) { nodes { id } } }")["data"]["tenants"]["nodes"]
    assert {"id": street} in streets


def test_a_community_cannot_hang_under_a_community_or_nothing(api: Api) -> None:
    api.post("/tenants", {"tenant_id": api.tenant, "kind": "street", "name": "街道"}, 201)
    api.post(
        "/tenants",
        {
            "tenant_id": f"{api.tenant}-c",
            "kind": "community",
            "parent_id": api.tenant,
            "name": "社区",
        },
        201,
    )
    response = api.post(
        "/tenants",
        {
            "tenant_id": f"{api.tenant}-d",
            "kind": "community",
            "parent_id": f"{api.tenant}-c",
            "name": "x",
        },
        409,
        headers=READER,  # the platform admin: no policy stands before the domain rule
    )
    assert response["code"] == "parent-must-be-street"
    api.post("/tenants", {"tenant_id": f"{api.tenant}-e", "kind": "community", "name": "x"}, 409)


def test_the_event_feed_pages_by_position_without_gaps(street: Street) -> None:
    api = street.api
    head = api.head()
    seen: list[int] = []
    after = None
    while True:
        page = api.gql(
            "query($t: ID!, $a: String) { tenant(id: $t) { events(first: 2, after: $a) { edges { cursor node { position type recordType } } pageInfo { hasNextPage endCursor } } } }",
            t=api.tenant,
            a=after,
        )["data"]["tenant"]["events"]
        seen += [edge["node"]["position"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(range(1, head + 1))


def test_meetings_page_newest_first_with_cursors(street: Street) -> None:
    api = street.api
    for n in range(3):
        api.t(
            "/meetings",
            {
                "kind": "thematic",
                "title": f"专题{n}",
                "location": "室",
                "scheduled_for": "2025-12-01T09:00:00+08:00",
            },
            201,
        )
    first = api.gql(
        "query($t: ID!) { tenant(id: $t) { meetings(first: 2) { nodes { title } pageInfo { hasNextPage endCursor } } } }",
        t=api.tenant,
    )["data"]["tenant"]["meetings"]
    assert [n["title"] for n in first["nodes"]] == ["专题2", "专题1"]
    rest = api.gql(
        "query($t: ID!, $a: String) { tenant(id: $t) { meetings(first: 10, after: $a) { nodes { title } pageInfo { hasNextPage } } } }",
        t=api.tenant,
        a=first["pageInfo"]["endCursor"],
    )["data"]["tenant"]["meetings"]
    assert [n["title"] for n in rest["nodes"]] == ["专题0", "九月例会"]
    assert rest["pageInfo"]["hasNextPage"] is False


def test_bad_page_arguments_are_refused_with_a_code(street: Street) -> None:
    api = street.api
    for field in (
        "meetings(first: 1000) { nodes { id } }",
        'events(after: "@@") { nodes { position } }',
    ):
        query = "query($t: ID!) { tenant(id: $t) { " + field + " } }"
        result = api.client.post(
            "/graphql", json={"query": query, "variables": {"t": api.tenant}}, headers=READER
        )
        assert result.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_page_of_meetings_costs_a_bounded_number_of_queries(street: Street) -> None:
    api = street.api
    for n in range(6):
        m = api.t(
            "/meetings",
            {
                "kind": "regular",
                "title": f"会{n}",
                "location": "室",
                "scheduled_for": "2025-12-01T09:00:00+08:00",
            },
            201,
        )["record_id"]
        api.t(f"/meetings/{m}/agenda-items", {"title": "议题"}, 201)
    engine = api.client.app.state.platform.engine  # type: ignore[attr-defined]
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    query = "query($t: ID!, $n: Int!) { tenant(id: $t) { meetings(first: $n) { nodes { title agenda { title positions { unitId } opinions { text } } attendance { status unit { name } } history { type } } } } }"

    def selects(page_size: int) -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            api.gql(query, t=api.tenant, n=page_size)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        # Narrowing a transaction's tenants (row security) reads no rows: not counted.
        reads = [s for s in statements if "set_config" not in s]
        return sum(1 for s in reads if s.lstrip().upper().startswith("SELECT"))

    # One query per field, not per meeting: the reader's tenants, the answer cache's
    # fingerprint (two: the platform log's head with the reader's communities, then
    # their state, each reading only its tenants' partitions), tenant, page, agenda,
    # positions, opinions, attendance, units, history (N+1 would be dozens for 7
    # meetings).
    seven = selects(7)
    assert seven <= 11
    assert selects(2) <= seven


def test_wait_for_position_gives_read_your_writes(street: Street) -> None:
    api = street.api
    position = api.t("/units", {"name": "新单位", "kind": "military"}, 201)["position"]
    data = api.gql(
        "query($t: ID!, $p: Int) { tenant(id: $t, waitForPosition: $p) { projectedPosition units { nodes { name kindLabel } } } }",
        t=api.tenant,
        p=position,
    )["data"]["tenant"]
    assert data["projectedPosition"] >= position
    assert {"name": "新单位", "kindLabel": "驻区部队"} in data["units"]["nodes"]


def test_the_published_schema_file_matches_the_served_schema() -> None:
    from pathlib import Path

    from api.graphql.schema import schema

    published = Path(__file__).parents[2] / "docs" / "schema.graphql"
    assert published.read_text() == schema.as_str() + "\n", "regenerate docs/schema.graphql"


def test_waiting_for_a_position_not_yet_projected_is_refused_with_a_code(
    engine: Any, tenant_id: str
) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.platform import Platform

    # A deployment: the API does not project; no worker runs in this test.
    platform = Platform(engine, embedded=False, read_wait=0.2, dev_tokens=True)
    client = TestClient(create_app(platform))
    headers = READER
    written = client.post(
        "/tenants", json={"tenant_id": tenant_id, "kind": "street", "name": "街道"}, headers=headers
    ).json()
    query = "query($t: ID!, $p: Int) { tenant(id: $t, waitForPosition: $p) { name } }"
    refused = client.post(
        "/graphql",
        json={"query": query, "variables": {"t": tenant_id, "p": written["position"]}},
        headers=READER,
    ).json()
    assert refused["errors"][0]["extensions"]["code"] == "NOT_YET_PROJECTED"
    platform.projector.catch_up(tenant_id)
    served = client.post(
        "/graphql",
        json={"query": query, "variables": {"t": tenant_id, "p": written["position"]}},
        headers=READER,
    ).json()
    assert served["data"]["tenant"]["name"] == "街道"
