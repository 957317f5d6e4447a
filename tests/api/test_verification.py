"""Verifiable history over HTTP: the published key, checkpoints, and proofs that
verify against the signed roots with nothing but the RFC's algorithms."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from api.app import create_app
from api.platform import Platform
from tenants.store import keys, merkle, tree
from tenants.store.checkpoints import signed_message, take_checkpoint
from tenants.store.schema import events
from tests.api.conftest import READER, Street

CHECKPOINTS = """query($t: ID!) { tenant(id: $t) { headPosition
  checkpoints(first: 5) { totalCount nodes { size headHash root takenAt keyId signature signedMessage } }
  events(first: 100) { nodes { position proof { leafIndex treeSize leafHash root path checkpoint { size } } } } } }"""
CONSISTENCY = """query($t: ID!, $a: Int!, $b: Int!) { tenant(id: $t) {
  consistency(from: $a, to: $b) { fromSize toSize fromRoot toRoot proof } } }"""


def test_the_public_key_is_published_without_a_token(engine: Engine, key: keys.SigningKey) -> None:
    client = TestClient(create_app(Platform(engine)))
    answer = client.get("/.well-known/gongjian-keys")
    assert answer.status_code == 200
    published = keys.parse_published(answer.json())
    assert published == [key.public]
    assert answer.json()["keys"][0]["public_key"] == base64.b64encode(key.public.raw).decode()
    assert "/.well-known/gongjian-keys" in client.get("/openapi.json").json()["paths"]


def test_without_a_key_none_is_published(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(keys.KEY_FILE_SETTING, raising=False)
    monkeypatch.delenv(keys.PUBLIC_KEYS_SETTING, raising=False)
    client = TestClient(create_app(Platform(engine)))
    assert client.get("/.well-known/gongjian-keys").json() == {"keys": []}


def _leaf(engine: Engine, tenant_id: str, position: int) -> bytes:
    with engine.connect() as conn:
        row = conn.execute(
            select(events).where(events.c.tenant_id == tenant_id, events.c.position == position)
        ).one()
    return tree.leaf_of(tenant_id, row)


def test_graphql_proofs_verify_against_the_signed_roots(
    street: Street, engine: Engine, key: keys.SigningKey
) -> None:
    api, tenant = street.api, street.api.tenant
    before = api.gql(CHECKPOINTS, t=tenant)["data"]["tenant"]
    assert before["checkpoints"]["totalCount"] == 0
    assert all(e["proof"] is None for e in before["events"]["nodes"]), "nothing covered yet"
    first = take_checkpoint(engine, key, tenant)
    assert first is not None
    api.t("/units", {"name": "新华书店", "kind": "enterprise"}, 201)
    second = take_checkpoint(engine, key, tenant)
    assert second is not None and second.size > first.size
    api.t("/units", {"name": "社区医院", "kind": "enterprise"}, 201)  # not yet covered

    data = api.gql(CHECKPOINTS, t=tenant)["data"]["tenant"]
    listed = data["checkpoints"]["nodes"]
    assert [c["size"] for c in listed] == [second.size, first.size], "newest first"
    newest = listed[0]
    message = newest["signedMessage"].encode()
    assert message == signed_message(
        tenant, second.size, bytes.fromhex(newest["headHash"]), bytes.fromhex(newest["root"]),
        second.taken_at,
    )  # fmt: skip
    assert key.public.verifies(message, bytes.fromhex(newest["signature"]))
    assert newest["keyId"] == key.kid
    for event in data["events"]["nodes"]:
        position, proof = event["position"], event["proof"]
        if position > second.size:
            assert proof is None
            continue
        assert proof["checkpoint"]["size"] == proof["treeSize"] == second.size
        assert proof["leafIndex"] == position - 1
        assert bytes.fromhex(proof["leafHash"]) == _leaf(engine, tenant, position)
        assert len(proof["path"]) <= (second.size - 1).bit_length()
        assert merkle.verify_inclusion(
            proof["leafIndex"], proof["treeSize"], bytes.fromhex(proof["leafHash"]),
            [bytes.fromhex(h) for h in proof["path"]], bytes.fromhex(newest["root"]),
        )  # fmt: skip

    proof = api.gql(
        "query($t: ID!, $c: Int) { tenant(id: $t) { events(first: 1) { nodes { proof(checkpoint: $c) "
        "{ treeSize root path leafHash leafIndex } } } } }",
        t=tenant,
        c=first.size,
    )["data"]["tenant"]["events"]["nodes"][0]["proof"]
    assert proof["treeSize"] == first.size and proof["root"] == first.root.hex()
    assert merkle.verify_inclusion(
        0, first.size, bytes.fromhex(proof["leafHash"]),
        [bytes.fromhex(h) for h in proof["path"]], first.root,
    )  # fmt: skip

    found = api.gql(CONSISTENCY, t=tenant, a=first.size, b=second.size)["data"]["tenant"]
    consistency = found["consistency"]
    assert consistency["fromRoot"] == first.root.hex()
    assert consistency["toRoot"] == second.root.hex()
    assert merkle.verify_consistency(
        first.size, second.size, first.root, second.root,
        [bytes.fromhex(h) for h in consistency["proof"]],
    )  # fmt: skip
    variables = {"t": tenant, "a": second.size, "b": second.size + 1}  # no checkpoint
    refused = api.client.post(
        "/graphql", json={"query": CONSISTENCY, "variables": variables}, headers=READER
    ).json()
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    # A new checkpoint is seen at once, though no event was added (answers are cached
    # while what they read is unchanged).
    assert take_checkpoint(engine, key, tenant) is not None
    again = api.gql(CHECKPOINTS, t=tenant)["data"]["tenant"]
    assert again["checkpoints"]["totalCount"] == 3
    assert all(e["proof"] is not None for e in again["events"]["nodes"])
