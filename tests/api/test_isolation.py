"""Tenant isolation over GraphQL, attacked with real bearer tokens.

Two streets: S1 with communities A and B, S2 with community C. Every refused read must
answer exactly as an unknown id would, so a caller cannot even learn that A exists.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pytest

from api.graphql.types import encode_cursor
from tenants.messages.access import IssueToken, RevokeToken
from tenants.pipeline.identity import SYSTEM
from tests.api.conftest import MEETING_AT, Api

Headers = dict[str, str]
EVENTS = "query($t: ID!, $after: String) { tenant(id: $t) { events(first: 100, after: $after) "
EVENTS += "{ nodes { position recordId data } pageInfo { endCursor } } } }"
MEETINGS = "query($t: ID!, $after: String) { tenant(id: $t) { meetings(first: 100, after: $after)"
MEETINGS += " { nodes { id title } } } }"


@dataclass
class World:
    api: Api
    s1: str
    s2: str
    a: str
    b: str
    c: str
    meetings: dict[str, str]  # community -> its meeting id
    members: dict[str, str]  # community -> its member id
    units: dict[str, str]  # community -> its unit id

    def token(self, role: str, tenant: str, user: str = "attacker") -> Headers:
        """A real gj_ bearer token issued through the pipeline."""
        return {"Authorization": f"Bearer {self.issue(role, tenant, user)['token']}"}

    def issue(self, role: str, tenant: str, user: str) -> dict[str, Any]:
        platform = self.api.client.app.state.platform  # type: ignore[attr-defined]
        message = IssueToken.model_validate({"role": role, "user_id": user})
        answer: dict[str, Any] = platform.pipeline.handle(SYSTEM, message, tenant)
        return answer

    def raw(self, headers: Headers, query: str, **variables: Any) -> Any:
        body = {"query": query, "variables": variables}
        return self.api.client.post("/graphql", json=body, headers=headers)

    def gql(self, headers: Headers, query: str, **variables: Any) -> dict[str, Any]:
        response = self.raw(headers, query, **variables)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        assert "errors" not in result, result
        return result

    def as_unknown(self, headers: Headers, query: str, forbidden: str, **variables: Any) -> None:
        """The query about a forbidden tenant answers byte for byte as about an unknown one."""
        unknown = self.gql(headers, query, t=f"nope-{uuid4().hex[:8]}", **variables)
        refused = self.gql(headers, query, t=forbidden, **variables)
        assert refused == unknown == {"data": {"tenant": None}}

    def ids(self, headers: Headers, kind: str | None = None) -> set[str]:
        query = "query($k: TenantKind) { tenants(kind: $k) { totalCount nodes { id } } }"
        tenants = self.gql(headers, query, k=kind)["data"]["tenants"]
        # The total counts what the reader may read, no more.
        assert tenants["totalCount"] == len(tenants["nodes"])
        return {t["id"] for t in tenants["nodes"]}


@pytest.fixture
def world(api: Api) -> World:
    t = api.tenant
    s1, s2, a, b, c = (f"{t}-{n}" for n in ("s1", "s2", "a", "b", "c"))
    for street in (s1, s2):
        api.post("/tenants", {"tenant_id": street, "kind": "street", "name": f"街道{street}"}, 201)
    for community, street in ((a, s1), (b, s1), (c, s2)):
        body = {"tenant_id": community, "kind": "community", "parent_id": street}
        api.post("/tenants", {**body, "name": f"社区{community}"}, 201)
    meetings, members, units = {}, {}, {}
    for community in (a, b, c):
        path = f"/tenants/{community}"
        units[community] = api.post(
            f"{path}/units", {"name": f"秘密单位{community}", "kind": "enterprise"}, 201
        )["record_id"]
        meetings[community] = api.post(
            f"{path}/meetings",
            {"kind": "regular", "title": f"机密会议{community}",
             "scheduled_for": MEETING_AT.isoformat(), "location": "党群服务中心"},
            201,
        )["record_id"]  # fmt: skip
        members[community] = api.post(
            f"{path}/members", {"name": f"张三{community}", "member_class": "retired"}, 201
        )["record_id"]
    return World(api, s1, s2, a, b, c, meetings, members, units)


def _refused_401(response: Any) -> None:
    assert response.status_code == 401, response.text
    problem = response.json()
    assert problem["code"] == "unauthenticated"
    assert problem["type"] == "urn:gongjian:problem:unauthenticated"
    assert "data" not in problem


def test_graphql_refuses_missing_garbage_unknown_tampered_and_revoked_tokens_with_401(
    world: World,
) -> None:
    query = "{ tenants { nodes { id name } } }"
    issued = world.issue("community_secretary", world.b, "sec-b")
    bearer = str(issued["token"])
    assert world.ids({"Authorization": f"Bearer {bearer}"}) == {world.b}  # it works at first
    unknown = f"gj_{uuid4().hex}_{'x' * 43}"
    tampered = bearer[:-1] + ("A" if bearer[-1] != "A" else "B")
    platform = world.api.client.app.state.platform  # type: ignore[attr-defined]
    revoke = RevokeToken.model_validate({"token_id": issued["token_id"]})
    platform.pipeline.handle(SYSTEM, revoke, world.b)
    attempts: list[Headers] = [
        {},
        {"Authorization": "Bearer garbage"},
        {"Authorization": f"Basic {bearer}"},
        {"Authorization": f"Bearer {unknown}"},
        {"Authorization": f"Bearer {tampered}"},
        {"Authorization": f"Bearer {bearer}"},  # revoked
    ]
    for headers in attempts:
        _refused_401(world.raw(headers, query))


def test_a_secretary_sees_a_sibling_community_exactly_as_an_unknown_id(world: World) -> None:
    sec_b = world.token("community_secretary", world.b, "sec-b")
    world.as_unknown(sec_b, "query($t: ID!) { tenant(id: $t) { id name } }", world.a)
    world.as_unknown(
        sec_b, "query($t: ID!) { tenant(id: $t) { units { nodes { id name } } } }", world.a
    )
    assert world.ids(sec_b) == world.ids(sec_b, "COMMUNITY") == {world.b}
    assert world.ids(sec_b, "STREET") == set()
    both = f'{{ a: tenant(id: "{world.a}") {{ name }} b: tenant(id: "{world.b}") {{ name }} }}'
    assert world.gql(sec_b, both)["data"] == {"a": None, "b": {"name": f"社区{world.b}"}}
    # A's record ids guessed under B answer like random ids.
    guessed = "query($t: ID!, $m: ID!, $p: ID!) { tenant(id: $t) "
    guessed += "{ meeting(id: $m) { title } member(id: $p) { id } } }"
    stolen = world.gql(
        sec_b, guessed, t=world.b, m=world.meetings[world.a], p=world.members[world.a]
    )
    random = world.gql(sec_b, guessed, t=world.b, m=str(uuid4()), p=str(uuid4()))
    assert stolen == random == {"data": {"tenant": {"meeting": None, "member": None}}}


def test_nested_fields_and_scoped_roles_never_cross_into_an_unreadable_tenant(
    world: World,
) -> None:
    sec_a = world.token("community_secretary", world.a, "sec-a")
    parent = "query($t: ID!) { tenant(id: $t) { id parent { id name } } }"
    assert world.gql(sec_a, parent, t=world.a)["data"]["tenant"] == {"id": world.a, "parent": None}
    world.as_unknown(sec_a, parent, world.s1)  # a community does not read its street
    world.as_unknown(sec_a, parent, world.b)  # nor its sibling
    communities = "query($t: ID!) { tenant(id: $t) { communities { nodes { id } } } }"
    admin_s1 = world.token("street_admin", world.s1)
    listed = world.gql(admin_s1, communities, t=world.s1)["data"]["tenant"]["communities"]["nodes"]
    assert {c["id"] for c in listed} == {world.a, world.b}
    assert world.ids(admin_s1) == {world.s1, world.a, world.b}
    admin_s2 = world.token("street_admin", world.s2)
    assert world.ids(admin_s2) == {world.s2, world.c}
    for forbidden in (world.a, world.s1):
        world.as_unknown(admin_s2, communities, forbidden)
    auditor = world.token("auditor", world.s1, "audit-s1")
    assert world.ids(auditor) == {world.s1, world.a, world.b}
    world.as_unknown(auditor, parent, world.c)
    world.as_unknown(auditor, parent, world.s2)


def test_the_event_feed_and_history_hold_only_the_callers_own_events(world: World) -> None:
    sec_b = world.token("community_secretary", world.b, "sec-b")
    world.as_unknown(sec_b, EVENTS, world.a, after=None)
    history = "query($t: ID!, $m: ID!) { tenant(id: $t) { history { recordId data } "
    history += "meeting(id: $m) { history { recordId } } } }"
    world.as_unknown(sec_b, history, world.a, m=world.meetings[world.a])
    feed = world.gql(sec_b, EVENTS, t=world.b, after=None)["data"]["tenant"]["events"]["nodes"]
    head = world.gql(sec_b, "query($t: ID!) { tenant(id: $t) { headPosition } }", t=world.b)
    assert [e["position"] for e in feed][-1] == head["data"]["tenant"]["headPosition"]
    own = world.gql(sec_b, history, t=world.b, m=world.meetings[world.b])["data"]["tenant"]
    assert {e["recordId"] for e in own["meeting"]["history"]} == {world.meetings[world.b]}
    text = json.dumps([feed, own], ensure_ascii=False)
    for other in (world.a, world.c):
        for secret in (other, world.meetings[other], world.members[other], world.units[other]):
            assert secret not in text, f"{secret} leaked into {world.b}'s feed or history"
    assert world.meetings[world.b] in text and world.members[world.b] in text


def test_forged_cursors_page_only_the_callers_own_rows(world: World) -> None:
    sec_b = world.token("community_secretary", world.b, "sec-b")
    first = "query($t: ID!) { tenant(id: $t) { events(first: 1) { pageInfo { endCursor } } } }"
    cursor = world.gql(sec_b, first, t=world.b)["data"]["tenant"]["events"]["pageInfo"]
    world.as_unknown(sec_b, EVENTS, world.a, after=cursor["endCursor"])  # B's cursor under A
    own_events = world.gql(sec_b, EVENTS, t=world.b, after=None)["data"]["tenant"]["events"]
    own_meetings = world.gql(sec_b, MEETINGS, t=world.b, after=None)["data"]["tenant"]
    for forged in (encode_cursor(0), encode_cursor(-(10**9)), encode_cursor(10**9)):
        world.as_unknown(sec_b, EVENTS, world.a, after=forged)
        events = world.gql(sec_b, EVENTS, t=world.b, after=forged)["data"]["tenant"]["events"]
        assert {e["recordId"] for e in events["nodes"]} <= {
            e["recordId"] for e in own_events["nodes"]
        }
        meetings = world.gql(sec_b, MEETINGS, t=world.b, after=forged)["data"]["tenant"]
        assert {m["id"] for m in meetings["meetings"]["nodes"]} <= {world.meetings[world.b]}
    assert meetings == own_meetings  # a cursor past every position still shows only B
    # A cursor that names another tenant is malformed input, and echoes nothing of A.
    naming = base64.urlsafe_b64encode(f"c:{world.a}:1".encode()).decode()
    response = world.raw(sec_b, EVENTS, t=world.b, after=naming)
    assert response.json()["data"] in (None, {"tenant": None}), response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert world.meetings[world.a] not in response.text and f"社区{world.a}" not in response.text


def test_time_travel_and_waiting_on_an_unreadable_tenant_answer_as_unknown(world: World) -> None:
    sec_b = world.token("community_secretary", world.b, "sec-b")
    meeting = "{ meeting(id: $m) { title } members { nodes { id } } headPosition asOfPosition }"
    cases = {
        "atPosition: 1": "",
        "atPosition: 1000000": "",
        "asOf: $when": ", $when: DateTime",
        "asOf: $when, atPosition: 1": ", $when: DateTime",  # even the 'not both' check
        "waitForPosition: 1000000": "",  # would wait 5 s and fail if it reached the projector
    }
    for arguments, declared in cases.items():
        query = f"query($t: ID!, $m: ID!{declared}) {{ tenant(id: $t, {arguments}) {meeting} }}"
        variables: dict[str, Any] = {"m": world.meetings[world.a]}
        if declared:
            variables["when"] = MEETING_AT.isoformat()
        world.as_unknown(sec_b, query, world.a, **variables)
        world.as_unknown(sec_b, query, world.c, **variables)
    # Time travel on B's own id with A's position window still yields only B.
    platform = world.api.client.app.state.platform  # type: ignore[attr-defined]
    head = platform.ledgers[world.b].head_position()
    travel = f"query($t: ID!, $m: ID!) {{ tenant(id: $t, atPosition: {head}) "
    travel += "{ meeting(id: $m) { title } } }"
    own = world.gql(sec_b, travel, t=world.b, m=world.meetings[world.a])
    assert own == {"data": {"tenant": {"meeting": None}}}
