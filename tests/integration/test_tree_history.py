"""The street's own log records each community joining it, so the street → community
tree has a history: read as of a position, a street lists only the communities it
had by then."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.platform import Platform
from tenants.commands.ledger import Ledger
from tenants.messages import COMMANDS
from tenants.pipeline.identity import SYSTEM, Principal, Role

TREE = "query($s: ID!, $p: Int) { tenant(id: $s, atPosition: $p) { communities { totalCount nodes { id } } } }"


def _register(platform: Platform, who: Principal, **body: str) -> None:
    platform.pipeline.handle(who, COMMANDS["register_tenant"].model_validate(body))


def test_the_tree_read_as_of_a_position_lists_the_communities_known_then(
    engine: Engine, tenant_id: str
) -> None:
    platform = Platform(engine, embedded=True, dev_tokens=True)
    street = f"{tenant_id}-s"
    boss = Principal("boss", Role.STREET_ADMIN, street)
    _register(platform, SYSTEM, tenant_id=street, kind="street", name="街道")
    heads = [platform.ledgers[street].head_position()]
    for name in ("a", "b"):
        _register(platform, boss, tenant_id=f"{street}-{name}", kind="community",
                  name=f"社区{name}", parent_id=street)  # fmt: skip
        heads.append(platform.ledgers[street].head_position())
    assert heads == [1, 2, 3], "each community's joining is an event in the street's log"
    client = TestClient(create_app(platform))
    token = {"Authorization": f"Bearer dev:boss:street_admin:{street}"}

    def tree(position: int | None) -> list[str]:
        body = {"query": TREE, "variables": {"s": street, "p": position}}
        answer = client.post("/graphql", json=body, headers=token).json()
        communities = answer["data"]["tenant"]["communities"]
        ids = [c["id"] for c in communities["nodes"]]
        assert communities["totalCount"] == len(ids)
        return ids

    assert tree(heads[0]) == []
    assert tree(heads[1]) == [f"{street}-a"]
    assert tree(heads[2]) == tree(None) == [f"{street}-a", f"{street}-b"]
    history = client.post(
        "/graphql",
        json={"query": "query($s: ID!) { tenant(id: $s) { history { type data } } }",
              "variables": {"s": street}},
        headers=token,
    ).json()["data"]["tenant"]["history"]  # fmt: skip
    joined = [e["data"]["community_id"] for e in history if e["type"] == "CommunityJoined"]
    assert joined == [f"{street}-a", f"{street}-b"]


def test_a_registration_retried_after_a_crash_records_the_joining_once(
    engine: Engine, tenant_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = Platform(engine, embedded=False)
    street = f"{tenant_id}-s"
    _register(platform, SYSTEM, tenant_id=street, kind="street", name="街道")
    body = {"tenant_id": f"{street}-a", "kind": "community", "name": "社区", "parent_id": street}
    boss = Principal("boss", Role.STREET_ADMIN, street)

    def crash(*_: object, **__: object) -> None:
        raise ConnectionError("the community's database went away")

    with monkeypatch.context() as patch:
        patch.setattr(Ledger, "register", crash)
        with pytest.raises(ConnectionError):
            _register(platform, boss, **body)
    assert platform.ledgers[street].head_position() == 2  # recorded before the crash
    _register(platform, boss, **body)  # the retry
    assert platform.ledgers[street].head_position() == 2, "not recorded twice"
    assert platform.ledgers[f"{street}-a"].head_position() == 1
    # A street cannot be recorded as joining a street, nor a community under a community.
    with pytest.raises(Exception, match="under a street"):
        _register(platform, SYSTEM, tenant_id=f"{street}-x", kind="community", name="x",
                  parent_id=f"{street}-a")  # fmt: skip
    assert platform.ledgers[f"{street}-a"].head_position() == 1
