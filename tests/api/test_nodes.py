"""Global object identification: every record with an id refetches by its opaque
`nodeId` through `node(id:)`, within the reader's tenants and masked as anywhere."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.api.conftest import Community, manager_token

TYPES = [
    "Tenant",
    "MemberUnit",
    "Meeting",
    "AgendaItem",
    "Resolution",
    "Commitment",
    "Milestone",
    "PartyMember",
    "ServicePost",
    "ServiceLog",
    "CollectiveActivity",
    "Rubric",
    "Evaluation",
    "Rectification",
]
NODE = (
    "query($n: ID!) { node(id: $n) { __typename nodeId "
    + " ".join(f"... on {name} {{ id }}" for name in TYPES)
    + " ... on PartyMember { name } } }"
)
TREE = """query($t: ID!) { tenant(id: $t) { nodeId id
  units { nodes { nodeId id } }
  meetings { nodes { nodeId id agenda { nodeId id } } }
  commitments { nodes { nodeId id milestones { nodeId id } } }
  members { nodes { nodeId id name serviceLogs { nodeId id } } }
  posts { nodes { nodeId id } }
} }"""


def _seed(community: Community) -> None:
    api = community.api
    member = community.member("张伟")
    meeting = api.t("/meetings", {"kind": "regular", "title": "例会", "location": "会议室",
                                  "scheduled_for": "2025-09-01T09:00:00+00:00"}, 201)["record_id"]  # fmt: skip
    api.t(f"/meetings/{meeting}/agenda-items", {"title": "加装电梯", "item_id": "lift"}, 201)
    api.t("/commitments", {"maker_kind": "party_member", "maker_id": member, "text": "义诊",
                           "category": "服务", "due": "2030-12-31",
                           "milestones": [{"id": "m1", "title": "筹备", "due": "2030-06-30"}]},
          201)  # fmt: skip
    post = api.t("/posts", {"title": "楼道长", "category": "environment", "capacity": 2,
                            "description": "巡查楼道"}, 201)["record_id"]  # fmt: skip
    api.t(f"/members/{member}/claims", {"post_id": post})
    api.t(f"/members/{member}/service-logs", {"post_id": post,
                                              "served_on": "2025-09-02", "hours": "2.5",
                                              "what": "巡查"}, 201)  # fmt: skip


def _query(community: Community, query: str, headers: dict[str, str], **variables: Any) -> Any:
    response = community.api.client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def _nodes(value: Any) -> list[dict[str, Any]]:
    """Every object in a response that has a nodeId."""
    if isinstance(value, list):
        return [found for item in value for found in _nodes(item)]
    if not isinstance(value, dict):
        return []
    here = [value] if "nodeId" in value else []
    return here + [found for item in value.values() for found in _nodes(item)]


def test_every_record_refetches_by_its_node_id(community: Community) -> None:
    _seed(community)
    api = community.api
    reader = manager_token(api.tenant, api.streets)
    tree = _query(community, TREE, reader, t=api.tenant)["data"]["tenant"]
    found = _nodes(tree)
    kinds = set()
    for record in found:
        node = _query(community, NODE, reader, n=record["nodeId"])["data"]["node"]
        assert node["nodeId"] == record["nodeId"]
        assert node["id"] == record["id"]
        kinds.add(node["__typename"])
    assert kinds >= {"Tenant", "MemberUnit", "Meeting", "AgendaItem", "Commitment"}
    assert kinds >= {"Milestone", "PartyMember", "ServicePost", "ServiceLog"}
    assert len({record["nodeId"] for record in found}) == len(found)  # global: all differ


def test_a_node_id_is_opaque_and_its_records_id_keeps_its_meaning(community: Community) -> None:
    _seed(community)
    api = community.api
    reader = manager_token(api.tenant, api.streets)
    tree = _query(community, TREE, reader, t=api.tenant)["data"]["tenant"]
    assert tree["id"] == api.tenant
    assert tree["nodeId"] != tree["id"]
    meeting = tree["meetings"]["nodes"][0]
    assert meeting["id"] not in meeting["nodeId"]  # base64: not readable as the id
    item = meeting["agenda"][0]
    assert item["id"] == "lift"


def _node_id(type_name: str, tenant: str, *key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([type_name, tenant, *key]).encode()).decode()


def test_another_tenants_node_answers_as_an_unknown_one(community: Community) -> None:
    api = community.api
    street_admin = manager_token(community.street, api.streets)
    unit = api.post(f"/tenants/{community.street}/units",
                    {"name": "街道办", "kind": "public_institution"}, 201)["record_id"]  # fmt: skip
    street_tree = _query(community, TREE, street_admin, t=community.street)["data"]["tenant"]
    street_unit = next(u for u in street_tree["units"]["nodes"] if u["id"] == unit)["nodeId"]
    secretary = manager_token(api.tenant, api.streets)
    # The street's admin reads it; the community's secretary may not read the street.
    assert _query(community, NODE, street_admin, n=street_unit)["data"]["node"]["id"] == unit
    refused = _query(community, NODE, secretary, n=street_unit)
    unknown = _query(community, NODE, secretary, n=_node_id("MemberUnit", api.tenant, "nope"))
    guessed = _query(community, NODE, secretary, n=_node_id("MemberUnit", api.tenant, unit))
    assert refused == unknown == guessed == {"data": {"node": None}}
    assert _query(community, NODE, secretary, n=street_tree["nodeId"]) == {"data": {"node": None}}


def test_a_node_masks_personal_data_as_anywhere(community: Community) -> None:
    _seed(community)
    api = community.api
    reader = manager_token(api.tenant, api.streets)
    tree = _query(community, TREE, reader, t=api.tenant)["data"]["tenant"]
    member = tree["members"]["nodes"][0]
    assert _query(community, NODE, reader, n=member["nodeId"])["data"]["node"]["name"] == "张伟"
    integrator = {"Authorization": f"Bearer dev:int-1:integrator:{api.tenant}"}
    masked = _query(community, NODE, integrator, n=member["nodeId"])["data"]["node"]
    assert masked["name"] == "张*"


def test_a_malformed_node_id_is_bad_input(community: Community) -> None:
    reader = manager_token(community.api.tenant, community.api.streets)
    for garbage in ("not base64!", base64.b64encode(b"[1, 2]").decode(), ""):
        answer = _query(community, NODE, reader, n=garbage)
        assert answer["data"] == {"node": None}
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
