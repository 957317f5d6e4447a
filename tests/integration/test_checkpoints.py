"""Signed checkpoints and proofs, on SQLite and PostgreSQL: proofs built from the
stored tree equal those of an in-memory tree over the same leaves, and every tamper
that a checkpoint covers is named by `gongjian verify`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from sqlalchemy import Engine, delete, insert, select, update

from api.cli import main
from tenants.store import keys, merkle, tree
from tenants.store.chain import GENESIS, canonical_bytes, link
from tenants.store.checkpoints import of_tenant, take_checkpoint
from tenants.store.recorder import TenantRecorder
from tenants.store.schema import checkpoints, events, merkle_nodes, tenant_heads
from tenants.store.verify import audit_tenant
from tests.integration.test_stricter_store import _damage


def _append(engine: Engine, tenant_id: str, count: int) -> None:
    recorder = TenantRecorder(engine, tenant_id)
    for n in range(count):
        recorder.insert_events([StoredEvent(uuid4(), 1, "gongjian.Test.Happened", b'{"n":%d}' % n)])


def _leaves(engine: Engine, tenant_id: str) -> list[bytes]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(events).where(events.c.tenant_id == tenant_id).order_by(events.c.position)
        )
        return [tree.leaf_of(tenant_id, row) for row in rows]


def test_proofs_from_the_database_equal_those_of_the_whole_tree(
    engine: Engine, tenant_id: str, key: keys.SigningKey
) -> None:
    sizes = [1, 2, 5, 16, 17, 31, 32, 33, 48, 64, 65, 100, 129]
    previous = 0
    for size in sizes:
        _append(engine, tenant_id, size - previous)
        taken = take_checkpoint(engine, key, tenant_id)
        assert taken is not None and taken.size == size
        previous = size
    assert take_checkpoint(engine, key, tenant_id) is None, "nothing new: nothing signed"
    memory = merkle.in_memory(_leaves(engine, tenant_id))
    with engine.connect() as conn:
        signed = of_tenant(conn, tenant_id)
        assert [c.size for c in signed] == sizes
        for checkpoint in signed:
            n = checkpoint.size
            assert checkpoint.root == merkle.root(memory, n) == tree.root(conn, tenant_id, n)
            assert key.public.verifies(checkpoint.message(), checkpoint.signature)
            for index in {i for i in (0, 1, n // 3, n // 2, n - 2, n - 1) if 0 <= i < n}:
                path = tree.inclusion_proof(conn, tenant_id, index + 1, n)
                assert path == merkle.inclusion_proof(memory, index, n)
                assert len(path) <= max(n - 1, 0).bit_length()
            for old in sizes:
                if old <= n:
                    proof = tree.consistency_proof(conn, tenant_id, old, n)
                    assert proof == merkle.consistency_proof(memory, old, n)
        stored = conn.execute(
            select(merkle_nodes.c.level, merkle_nodes.c.idx).where(
                merkle_nodes.c.tenant_id == tenant_id
            )
        ).all()
    # Every perfect subtree of 16 leaves or more within the newest checkpoint, once.
    expected = {(lv, i) for lv in range(4, 8) for i in range(129 >> lv)}
    assert sorted(stored) == sorted(expected)
    audit = audit_tenant(engine, tenant_id, [key.public])
    assert audit.broken is None and audit.checkpoints == len(sizes) and audit.uncovered == 0


def _rows(engine: Engine, tenant_id: str) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(events).where(events.c.tenant_id == tenant_id).order_by(events.c.position)
            )
        )


def _rewritten(tenant_id: str, payloads: list[Any]) -> tuple[list[dict[str, Any]], bytes]:
    """Rows for ``payloads`` at positions 1..n with a chain recomputed over them."""
    chain, rows = GENESIS, []
    for position, p in enumerate(payloads, start=1):
        state = bytes(p.state)
        data = canonical_bytes(
            tenant_id, position, p.originator_id, p.originator_version, p.topic, state
        )
        chain = link(chain, data)
        rows.append({"tenant_id": tenant_id, "position": position, "originator_id": p.originator_id,
                     "originator_version": p.originator_version, "topic": p.topic,
                     "state": state, "hash": chain})  # fmt: skip
    return rows, chain


def _replace_log(tenant_id: str, payloads: list[Any]) -> list[Any]:
    """Statements that replace a tenant's log by ``payloads`` with a valid chain and
    head, as someone with the owner's rights (and no key) could."""
    rows, chain = _rewritten(tenant_id, payloads)
    statements: list[Any] = [
        delete(events).where(events.c.tenant_id == tenant_id),
        update(tenant_heads)
        .where(tenant_heads.c.tenant_id == tenant_id)
        .values(position=len(rows), hash=chain),
    ]
    if rows:
        statements.append(insert(events).values(rows))
    return statements


class _Payload:
    def __init__(self, row: Any, state: bytes | None = None) -> None:
        self.originator_id, self.originator_version = row.originator_id, row.originator_version
        self.topic, self.state = row.topic, state if state is not None else bytes(row.state)


def test_verify_names_every_tamper_a_checkpoint_covers(
    private_engine: Engine,
    tenant_id: str,
    key: keys.SigningKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine = private_engine
    names = ["sound", "last", "whole", "headless", "from", "to", "tail", "altered",
             "stranger", "node", "truncated"]  # fmt: skip
    t = {name: f"{tenant_id}-{name}" for name in names}
    for tenant in t.values():
        _append(engine, tenant, 12)
        assert take_checkpoint(engine, key, tenant) is not None
        _append(engine, tenant, 8)
        if tenant not in (t["stranger"],):
            assert take_checkpoint(engine, key, tenant) is not None
    stranger = keys.create(tmp_path / "stranger.pem")
    assert take_checkpoint(engine, stranger, t["stranger"]) is not None
    _append(engine, t["sound"], 3)  # appended after the newest checkpoint
    payloads = {name: [_Payload(r) for r in _rows(engine, t[name])] for name in names}

    # The last event deleted and the head moved back.
    _damage(engine, *_replace_log(t["last"], payloads["last"][:-1]))
    # A whole tenant truncated and its head reset; another's head deleted too.
    _damage(engine, *_replace_log(t["whole"], []))
    _damage(
        engine,
        delete(events).where(events.c.tenant_id == t["headless"]),
        delete(tenant_heads).where(tenant_heads.c.tenant_id == t["headless"]),
    )
    # An event moved to another tenant, both chains recomputed.
    moved = payloads["from"][4]
    _damage(engine, *_replace_log(t["from"], payloads["from"][:4] + payloads["from"][5:]))
    _damage(engine, *_replace_log(t["to"], [*payloads["to"][:2], moved, *payloads["to"][2:]]))
    # A tail rewritten with recomputed hashes.
    tail = payloads["tail"][:15] + [_Payload(p, b'{"n":"forged"}') for p in payloads["tail"][15:]]
    _damage(engine, *_replace_log(t["tail"], tail))
    # A checkpoint row altered (its root), keeping its signature.
    _damage(
        engine,
        update(checkpoints)
        .where(checkpoints.c.tenant_id == t["altered"], checkpoints.c.size == 12)
        .values(root=b"\x01" * 32),
    )
    # A stored Merkle node altered (proofs would be served from it).
    _damage(
        engine,
        update(merkle_nodes)
        .where(merkle_nodes.c.tenant_id == t["node"], merkle_nodes.c.level == 4)
        .values(hash=b"\x02" * 32),
    )
    # A truncated log presented as complete: the tail after the first checkpoint gone.
    _damage(engine, *_replace_log(t["truncated"], payloads["truncated"][:12]))

    monkeypatch.setenv("GONGJIAN_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["verify"]) == 1
    out = capsys.readouterr().out
    kid = key.kid
    expected = {
        "last": "position 20: log shorter than its checkpoint at 20",
        "whole": "position 1: log shorter than its checkpoint at 12",
        "headless": "position 1: log shorter than its checkpoint at 12",
        "from": "position 12: checkpoint 12: the chain hash at 12 is not the signed head hash",
        "to": "position 12: checkpoint 12: the chain hash at 12 is not the signed head hash",
        "tail": "position 20: checkpoint 20: the chain hash at 20 is not the signed head hash",
        "altered": f"position 12: checkpoint 12: signature does not verify under key {kid}",
        "stranger": f"position 20: checkpoint 20: signed by key {stranger.kid}, which is "
        "not a published key",
        "node": "position 16: stored Merkle node (level 4, index 0) differs from the events",
        "truncated": "position 13: log shorter than its checkpoint at 20",
    }
    for name, problem in expected.items():
        assert f"FAIL {t[name]}: {problem}" in out, (name, out)
    assert f"ok   {t['sound']}: 23 event(s), 2 checkpoint(s), 3 not yet covered" in out
    assert "3 event(s) not yet covered by any checkpoint" in out
    assert f"{len(expected)} of {len(names)} tenant log(s) failed verification" in out
    # Nothing more is signed over a rewritten history.
    _append(engine, t["tail"], 1)
    assert main(["checkpoint", "--tenant", t["tail"]]) == 1
    refused = capsys.readouterr().out
    assert (
        f"FAIL {t['tail']}: not signed: the log no longer matches its checkpoint at 20" in refused
    )
    # A row before the last checkpoint changed without its hash (in the block a new
    # node is built from) is refused too, rather than signed into a root.
    _append(engine, t["sound"], 10)
    _damage(
        engine,
        update(events)
        .where(events.c.tenant_id == t["sound"], events.c.position == 18)
        .values(state=b'{"n":"changed"}'),
    )
    assert main(["checkpoint", "--tenant", t["sound"]]) == 1
    assert "not signed: the chain breaks at position 18" in capsys.readouterr().out


def test_verify_checks_signatures_against_the_keys_given(
    engine: Engine,
    tenant_id: str,
    key: keys.SigningKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _append(engine, tenant_id, 3)
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["checkpoint", "--tenant", tenant_id]) == 0
    assert f"ok   {tenant_id}: checkpoint 3 root " in capsys.readouterr().out
    assert main(["checkpoint", "--tenant", tenant_id]) == 0
    assert "no event since its last checkpoint" in capsys.readouterr().out
    published = tmp_path / "keys.json"
    published.write_text('{"keys": []}')
    assert main(["verify", "--tenant", tenant_id, "--keys", str(published)]) == 1
    assert f"signed by key {key.kid}, which is not a published key" in capsys.readouterr().out
    assert main(["verify", "--tenant", tenant_id]) == 0
    monkeypatch.delenv(keys.KEY_FILE_SETTING)
    assert main(["checkpoint"]) == 1
    assert "gongjian: error: no signing key: set GONGJIAN_SIGNING_KEY_FILE" in (
        capsys.readouterr().err
    )


def test_keys_create_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "k.pem"
    monkeypatch.delenv(keys.KEY_FILE_SETTING, raising=False)
    assert main(["keys", "create", "--to", str(path)]) == 0
    first = capsys.readouterr().out
    assert f"wrote signing key {keys.load(path).kid} to {path}" in first
    before = path.read_bytes()
    assert main(["keys", "create", "--to", str(path)]) == 1
    err = capsys.readouterr().err
    assert err == f"gongjian: error: {path} exists: a key file is never overwritten\n"
    assert path.read_bytes() == before


def test_the_demo_keeps_its_key_next_to_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from api.cli import _demo_signing_key
    from tenants.store.database import make_engine

    monkeypatch.delenv(keys.KEY_FILE_SETTING, raising=False)
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    path = tmp_path / "demo.db.signing-key.pem"
    try:
        made = _demo_signing_key(engine)
        assert made is not None and path.exists()
        assert os.environ[keys.KEY_FILE_SETTING] == str(path)
        del os.environ[keys.KEY_FILE_SETTING]
        again = _demo_signing_key(engine)
        assert again is not None and again.public == made.public, "made once, then reused"
        assert f"demo signing key {made.kid}: {path}" in capsys.readouterr().out
    finally:
        os.environ.pop(keys.KEY_FILE_SETTING, None)
        engine.dispose()
