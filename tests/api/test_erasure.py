"""Erasure keeps every proof: forgetting a person destroys their key, writes nothing
to the log, and leaves their data readable nowhere; a storage-only mark hides it
from every read while keeping it."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Engine, select

from api.cli import main
from api.platform import Platform
from domain.meetings import Meeting
from domain.personal_data import ERASED, RESTRICTED
from projections.erasure import ErasureRefused, forget, restrict
from projections.schema import read_model_tables
from tenants.store import keys, merkle, tree
from tenants.store.checkpoints import take_checkpoint
from tenants.store.schema import events, person_keys, store_metadata
from tenants.store.sealing import open_sealed
from tenants.store.verify import audit_tenant
from tests.api.conftest import Community, manager_token
from tests.api.test_personal_data import QUERY, _dev, _world

MEMBER_SECRETS = ["张伟", "区卫生院", "表现突出"]
OTHERS = ["王芳", "13800138000", "李强", "很满意", "赵六"]
PROOFS = """query($t: ID!, $c: Int) { tenant(id: $t) { events(first: 100) { nodes {
  position recordId type data proof(checkpoint: $c) { leafIndex treeSize leafHash root path } } } } }"""
CHANGES = """query($t: ID!) { tenant(id: $t) { changes(first: 100) { nodes {
  table fields { field before after } } } } }"""


def _platform(community: Community) -> Platform:
    platform: Platform = community.api.client.app.state.platform  # type: ignore[attr-defined]
    return platform


def _read(community: Community, ids: dict[str, str], headers: dict[str, str]) -> dict[str, Any]:
    variables = {k: ids[k] for k in ("t", "m", "mt", "c")}
    body = community.api.client.post(
        "/graphql", json={"query": QUERY, "variables": variables}, headers=headers
    ).json()
    assert "errors" not in body, body
    tenant: dict[str, Any] = body["data"]["tenant"]
    return tenant


def _stored_text(engine: Engine, tenant_id: str) -> str:
    """Every value of every row of the tenant in the store and the read models, as
    text (bytes decoded where they decode)."""
    found: list[str] = []
    with engine.connect() as conn:
        for table in [*store_metadata.tables.values(), *read_model_tables()]:
            query = select(table)
            if "tenant_id" in table.c:
                query = query.where(table.c.tenant_id == tenant_id)
            for row in conn.execute(query):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "ignore")
                    found.append(json.dumps(value, ensure_ascii=False, default=str))
    return "\n".join(found)


def _migrated_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_forgetting_a_member_keeps_every_proof_and_leaves_their_data_nowhere(
    community: Community,
    engine: Engine,
    key: keys.SigningKey,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ids = _world(community)
    tenant, manager = ids["t"], manager_token(ids["t"], community.api.streets)
    checkpoint = take_checkpoint(engine, key, tenant)
    assert checkpoint is not None
    before = _read(community, ids, manager)
    assert before["member"]["name"] == "张伟"
    stored = _stored_text(engine, tenant)
    assert all(secret in stored for secret in MEMBER_SECRETS), "read models hold it until now"
    with engine.connect() as conn:
        log = conn.execute(select(events.c.state).where(events.c.tenant_id == tenant)).all()
    assert not any("张伟" in bytes(row.state).decode() for row in log), "the log holds ciphertext"

    monkeypatch.setenv("GONGJIAN_DATABASE_URL", _migrated_url(engine))
    person = f"member:{ids['m']}"
    assert main(["forget", "--tenant", tenant, "--person", person, "--reason", "本人申请"]) == 0
    said = capsys.readouterr().out
    assert f"forgotten {person} in {tenant}: 3 field(s) in 2 event(s) now read as" in said

    # Nothing was written to the log: the same checkpoint still verifies it all.
    audit = audit_tenant(engine, tenant, [key.public])
    assert audit.broken is None and audit.checkpoints == 1 and audit.uncovered == 0
    nodes = community.api.gql(PROOFS, t=tenant, c=checkpoint.size)["data"]["tenant"]["events"]
    member_events = [e for e in nodes["nodes"] if e["recordId"] == ids["m"]]
    assert [e["type"] for e in member_events] == ["Registered", "YearReviewed"]
    for event in member_events:
        proof = event["proof"]
        with engine.connect() as conn:
            row = conn.execute(
                select(events).where(
                    events.c.tenant_id == tenant, events.c.position == event["position"]
                )
            ).one()
        assert bytes.fromhex(proof["leafHash"]) == tree.leaf_of(tenant, row)
        assert merkle.verify_inclusion(
            proof["leafIndex"], checkpoint.size, bytes.fromhex(proof["leafHash"]),
            [bytes.fromhex(h) for h in proof["path"]], checkpoint.root,
        )  # fmt: skip
    assert member_events[0]["data"]["name"] == ERASED
    assert member_events[1]["data"]["feedback"] == ERASED

    # Every reader, the same request as before (answers are cached): erased, in the
    # fields and in history; everyone else's data is as it was.
    after = _read(community, ids, manager)
    assert after["member"]["name"] == after["member"]["workUnit"] == ERASED
    assert after["member"]["yearReviews"] == [{"feedback": ERASED}]
    assert next(e["data"].get("name") for e in after["member"]["history"]) == ERASED
    text = json.dumps(after, ensure_ascii=False)
    assert [s for s in MEMBER_SECRETS if s in text] == []
    assert all(other in text for other in OTHERS)
    changed = json.dumps(community.api.gql(CHANGES, t=tenant), ensure_ascii=False)
    assert ERASED in changed and "张伟" not in changed
    for reader in (
        _dev("member-1", "party_member", tenant, ids["m"]),
        _dev("i", "integrator", tenant),
    ):
        seen = _read(community, ids, reader)
        assert seen["member"]["name"] == ERASED, "a redaction is shown as it is"

    # No plaintext of the person remains in any table; the key is gone, its row kept.
    stored = _stored_text(engine, tenant)
    assert [s for s in MEMBER_SECRETS if s in stored] == []
    assert all(other in stored for other in OTHERS)
    with engine.connect() as conn:
        row = conn.execute(
            select(person_keys).where(
                person_keys.c.tenant_id == tenant, person_keys.c.person_id == person
            )
        ).one()
    assert row.key is None and row.erased_at is not None and row.reason == "本人申请"

    # The record goes on: commands on it are accepted, and its new personal data is
    # stored so that it reads as erased too.
    review = {"year": 2026, "rating": "good", "feedback": "新评语"}
    community.api.t(f"/members/{ids['m']}/year-reviews", review)
    again = _read(community, ids, manager)
    assert again["member"]["yearReviews"] == [{"feedback": ERASED}, {"feedback": ERASED}]
    assert "新评语" not in _stored_text(engine, tenant)


def test_a_storage_only_mark_hides_a_person_from_every_read_and_keeps_their_data(
    community: Community, engine: Engine
) -> None:
    ids = _world(community)
    tenant, projector = ids["t"], _platform(community).projector
    units = community.api.gql(
        "query($t: ID!) { tenant(id: $t) { units { nodes { id history { version type } } } } }",
        t=tenant,
    )["data"]["tenant"]["units"]["nodes"]
    history = next(u["history"] for u in units if u["id"] == ids["unit"])
    version = next(e["version"] for e in history if e["type"] == "LiaisonAppointed")
    liaison = f"unit:{ids['unit']}:liaison:{version}"
    done = restrict(projector, tenant, liaison, "档案法: 保存十年")
    assert (done.events, done.fields, done.already) == (1, 1, False)

    for reader in (
        manager_token(tenant, community.api.streets),
        _dev("liaison-1", "unit_liaison", tenant, ids["unit"]),
        _dev("i", "integrator", tenant),
    ):
        seen = _read(community, ids, reader)
        unit = next(u for u in seen["units"]["nodes"] if u["id"] == ids["unit"])
        assert unit["liaison"] == {"name": RESTRICTED, "phone": None}
        text = json.dumps(seen, ensure_ascii=False)
        assert "王芳" not in text and "13800138000" not in text
    assert "王芳" not in _stored_text(engine, tenant)

    # Kept: the key is there, and the stored field still opens with it.
    with engine.connect() as conn:
        row = conn.execute(select(person_keys).where(person_keys.c.person_id == liaison)).one()
        state = conn.execute(
            select(events.c.state).where(
                events.c.tenant_id == tenant, events.c.topic.like("%LiaisonAppointed")
            )
        ).scalar_one()
    sealed = json.loads(bytes(state))["person"]
    assert open_sealed(bytes(row.key), tenant, "person", sealed) == {
        "name": "王芳",
        "phone": "+86 13800138000",
    }
    assert row.restricted_at is not None and row.reason == "档案法: 保存十年"

    assert restrict(projector, tenant, liaison, "again").already
    # The mark is never lifted; it ends when the person is forgotten.
    assert not forget(projector, tenant, liaison, None).already
    seen = _read(community, ids, manager_token(tenant, community.api.streets))
    unit = next(u for u in seen["units"]["nodes"] if u["id"] == ids["unit"])
    assert unit["liaison"] == {"name": ERASED, "phone": None}


def test_a_resident_and_an_attendee_are_forgotten_alone(community: Community) -> None:
    ids = _world(community)
    platform = _platform(community)
    tenant, meeting = ids["t"], UUID(ids["mt"])
    ledger = platform.ledger(tenant)
    assert ledger.load(Meeting, meeting).roll.present[ids["unit"]]["attendee"] == "李强"
    forget(platform.projector, tenant, "resident:r-1", None)
    forget(platform.projector, tenant, f"attendee:{ids['mt']}:{ids['unit']}", None)
    seen = _read(community, ids, manager_token(tenant, community.api.streets))
    # The resident id is the id their data is filed under: it stays.
    assert seen["commitment"]["ratings"] == [{"residentId": "r-1", "comment": ERASED}]
    assert {"unitId": ids["unit"], "attendee": ERASED} in seen["meeting"]["attendance"]
    assert seen["member"]["name"] == "张伟"
    # The ledger's cached meeting is dropped: commands see the attendee erased too.
    assert ledger.load(Meeting, meeting).roll.present[ids["unit"]]["attendee"] == ERASED


@pytest.mark.parametrize(
    ("tenant", "person", "refusal"),
    [
        ("{t}", "bob", "'bob' is not a person id (one of: member:<member id>"),
        ("{t}", "member:{m}x", "is not a person id"),
        ("no-such-tenant", "member:{m}", "no tenant no-such-tenant"),
        ("{t}", "resident:r-2", "tenant {t} holds no personal data of resident:r-2"),
        ("{t}", "member:00000000-0000-0000-0000-000000000000", "holds no personal data"),
    ],
)
def test_forgetting_someone_who_is_not_there_is_refused_precisely(
    community: Community,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tenant: str,
    person: str,
    refusal: str,
) -> None:
    ids = {"t": community.api.tenant, "m": community.member("张伟")}
    tenant, person, refusal = (s.format(**ids) for s in (tenant, person, refusal))
    with pytest.raises(ErasureRefused) as refused:
        forget(_platform(community).projector, tenant, person, None)
    assert refusal in str(refused.value)
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", _migrated_url(engine))
    assert main(["forget", "--tenant", tenant, "--person", person]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gongjian: error: ") and refusal in err and "Traceback" not in err
