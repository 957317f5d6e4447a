"""Minutes carry their checkpoint, communities' checkpoints are anchored in their
street's log, and a page of proofs costs no more reads than one proof."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, event, select, update

from api.platform import Platform
from tenants.notary import Notary, PeriodicSigning
from tenants.store import keys, merkle
from tenants.store.anchors import ANCHOR_TOPIC, anchored
from tenants.store.checkpoints import of_tenant, signed_message
from tenants.store.schema import checkpoints, events, merkle_nodes
from tenants.store.verify import audit_tenant
from tests.api.conftest import MEETING_AT, Community
from tests.integration.test_checkpoints import _Payload, _replace_log, _rows
from tests.integration.test_stricter_store import _damage

MEETING = """query($t: ID!, $m: ID!) { tenant(id: $t) { meeting(id: $m) { minutes
  minutesProof { leafIndex treeSize leafHash root path checkpoint { size root signature signedMessage } } } } }"""


def _held_meeting(community: Community) -> str:
    """A meeting of the community, held and closed, without minutes yet."""
    api = community.api
    m = api.t("/meetings", {"kind": "regular", "title": "十月例会", "location": "党群服务中心",
                            "scheduled_for": MEETING_AT.isoformat()}, 201)["record_id"]  # fmt: skip
    api.t(f"/meetings/{m}/agenda-items", {"title": "加装电梯", "item_id": "lift"}, 201)
    api.t(f"/meetings/{m}/notice", {"issued_at": (MEETING_AT - timedelta(days=5)).isoformat()})
    for unit in community.units:
        api.t(f"/meetings/{m}/sign-ins", {"unit_id": unit, "attendee": "代表"})
    api.t(f"/meetings/{m}/open", {"chair_unit_id": community.units[0]})
    api.t(f"/meetings/{m}/close")
    return str(m)


def _position_of(engine: Engine, tenant_id: str, topic: str) -> int:
    with engine.connect() as conn:
        found = conn.execute(
            select(events.c.position)
            .where(events.c.tenant_id == tenant_id, events.c.topic == topic)
            .order_by(events.c.position.desc())
        ).first()
    assert found is not None, topic
    return int(found.position)


def test_issued_minutes_carry_the_checkpoint_taken_when_they_were_issued(
    community: Community, engine: Engine, key: keys.SigningKey
) -> None:
    api, tenant = community.api, community.api.tenant
    m = _held_meeting(community)
    assert api.gql(MEETING, t=tenant, m=m)["data"]["tenant"]["meeting"]["minutesProof"] is None
    api.t(f"/meetings/{m}/minutes", {"text": "会议纪要"})
    issued = _position_of(engine, tenant, "gongjian.Meeting.MinutesIssued")
    with engine.connect() as conn:
        signed = of_tenant(conn, tenant)
    assert [c.size for c in signed] == [issued], "signed as the minutes were issued"

    meeting = api.gql(MEETING, t=tenant, m=m)["data"]["tenant"]["meeting"]
    proof = meeting["minutesProof"]
    assert proof["leafIndex"] == issued - 1 and proof["treeSize"] == issued
    checkpoint = proof["checkpoint"]
    assert key.public.verifies(
        checkpoint["signedMessage"].encode(), bytes.fromhex(checkpoint["signature"])
    )
    assert merkle.verify_inclusion(
        issued - 1, issued, bytes.fromhex(proof["leafHash"]),
        [bytes.fromhex(h) for h in proof["path"]], bytes.fromhex(checkpoint["root"]),
    )  # fmt: skip

    # More events, then a correction: the minutes now carry the correction's checkpoint.
    api.t("/units", {"name": "新华书店", "kind": "enterprise"}, 201)
    api.t(f"/meetings/{m}/minutes/corrections", {"text": "会议纪要（更正）", "reason": "错字"})
    corrected = _position_of(engine, tenant, "gongjian.Meeting.MinutesCorrected")
    proof = api.gql(MEETING, t=tenant, m=m)["data"]["tenant"]["meeting"]["minutesProof"]
    assert (proof["leafIndex"], proof["treeSize"]) == (corrected - 1, corrected)


def test_a_communitys_checkpoints_are_recorded_in_its_streets_log(
    community: Community, engine: Engine, key: keys.SigningKey
) -> None:
    api, tenant, street = community.api, community.api.tenant, community.street
    m = _held_meeting(community)
    api.t(f"/meetings/{m}/minutes", {"text": "会议纪要"})
    api.t("/units", {"name": "新华书店", "kind": "enterprise"}, 201)
    notary = Notary(Platform(engine).ledgers, key)
    signings = {s.tenant_id: s for s in notary.sign_due() if s.tenant_id in (tenant, street)}
    assert signings[tenant].checkpoint is not None and signings[tenant].anchored == 1
    with engine.connect() as conn:
        community_checkpoints = of_tenant(conn, tenant)
        recorded = anchored(conn, street, tenant)
        street_checkpoints = of_tenant(conn, street)
    assert len(community_checkpoints) == 2  # at the minutes, and now
    assert [a.checkpoint for a in recorded] == community_checkpoints
    # The street was signed after its anchors were recorded: its checkpoint covers them.
    assert street_checkpoints[-1].size >= max(a.position for a in recorded)
    assert _position_of(engine, street, ANCHOR_TOPIC) == recorded[-1].position
    for tenant_id in (tenant, street):
        assert audit_tenant(engine, tenant_id, [key.public]).broken is None
    # Nothing new: nothing signed, nothing recorded twice.
    assert all(s.checkpoint is None for s in notary.sign_due())
    with engine.connect() as conn:
        assert len(anchored(conn, street, tenant)) == 2


def test_periodic_signing_covers_every_tenant_that_moved(
    community: Community, engine: Engine, key: keys.SigningKey
) -> None:
    api, tenant, street = community.api, community.api.tenant, community.street
    api.t("/units", {"name": "新华书店", "kind": "enterprise"}, 201)
    periodic = PeriodicSigning(Notary(Platform(engine).ledgers, key), 0.05)
    periodic.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            audits = [audit_tenant(engine, t, [key.public]) for t in (tenant, street)]
            if all(a.checkpoints and not a.uncovered for a in audits):
                break
            time.sleep(0.05)
    finally:
        periodic.stop()
    for audit in audits:
        assert audit.broken is None and audit.checkpoints >= 1 and audit.uncovered == 0, audit


def test_a_rewritten_community_log_is_caught_by_its_streets_record(
    community: Community, engine: Engine, key: keys.SigningKey, tmp_path: Path
) -> None:
    api, tenant, street = community.api, community.api.tenant, community.street
    api.t("/units", {"name": "新华书店", "kind": "enterprise"}, 201)
    notary = Notary(Platform(engine).ledgers, key)
    notary.sign_due()
    with engine.connect() as conn:
        (signed,) = of_tenant(conn, tenant)
    # The stored checkpoint replaced by another of the same size (signed by someone
    # else's key, which a forger could publish): the street's record disagrees.
    stranger = keys.create(tmp_path / "stranger.pem")
    forged = signed_message(tenant, signed.size, signed.head_hash, signed.root, signed.taken_at)
    _damage(
        engine,
        update(checkpoints)
        .where(checkpoints.c.tenant_id == tenant)
        .values(key_id=stranger.kid, signature=stranger.sign(forged)),
    )
    broken = audit_tenant(engine, tenant, [key.public, stranger.public]).broken
    assert broken is not None
    assert broken.problem == (
        f"checkpoint {signed.size} differs from the one its street {street} recorded at "
        f"position {_position_of(engine, street, ANCHOR_TOPIC)}"
    )
    # The community's log rewritten from its last event on, with a valid chain and
    # head, and every checkpoint and stored node of it deleted: the log now agrees
    # with itself, but not with the checkpoint its street recorded.
    rows = _rows(engine, tenant)
    payloads = [_Payload(r) for r in rows[:-1]] + [_Payload(rows[-1], b'{"forged":1}')]
    _damage(
        engine,
        delete(checkpoints).where(checkpoints.c.tenant_id == tenant),
        delete(merkle_nodes).where(merkle_nodes.c.tenant_id == tenant),
        *_replace_log(tenant, payloads),
    )
    broken = audit_tenant(engine, tenant, [key.public]).broken
    assert broken is not None
    assert broken.problem == (
        f"checkpoint {signed.size}: the chain hash at {signed.size} is not the signed head hash"
    )
    assert audit_tenant(engine, street, [key.public]).broken is None


PAGE = """query($t: ID!, $n: Int!) { tenant(id: $t) { events(first: $n) { nodes { position
  proof { leafIndex treeSize leafHash root path } } } } }"""


@pytest.fixture
def statements(engine: Engine) -> Any:
    """Count the SQL statements the engine runs while the ``with`` block runs."""

    class Counter:
        count = 0

        def __enter__(self) -> Counter:
            self.count = 0
            event.listen(engine, "before_cursor_execute", self._seen)
            return self

        def __exit__(self, *_: object) -> None:
            event.remove(engine, "before_cursor_execute", self._seen)

        def _seen(self, *_: object) -> None:
            self.count += 1

    return Counter()


def test_a_page_of_proofs_is_read_together(
    community: Community, engine: Engine, key: keys.SigningKey, statements: Any
) -> None:
    api, tenant = community.api, community.api.tenant
    for n in range(40):
        api.t("/units", {"name": f"单位{n}", "kind": "enterprise"}, 201)
    assert Notary(Platform(engine).ledgers, key).sign(tenant).checkpoint is not None
    counts, roots = {}, set()
    for size in (2, 40):
        # A fresh query text each time, so no cached answer is served.
        query = PAGE + " " * size
        with statements:
            nodes = api.gql(query, t=tenant, n=size)["data"]["tenant"]["events"]["nodes"]
        counts[size] = statements.count
        assert len(nodes) == size
        for node in nodes:
            proof = node["proof"]
            roots.add(proof["root"])
            assert merkle.verify_inclusion(
                proof["leafIndex"], proof["treeSize"], bytes.fromhex(proof["leafHash"]),
                [bytes.fromhex(h) for h in proof["path"]], bytes.fromhex(proof["root"]),
            )  # fmt: skip
    assert len(roots) == 1
    assert counts[40] == counts[2], counts
