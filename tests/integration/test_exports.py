"""Tenant exports on SQLite and PostgreSQL: a file written from the store verifies
offline and every tamper is named with its position (in one pass and in runs by
worker processes); the trust rule holds; a whole-store verify in runs names what one
pass names."""

from __future__ import annotations

import itertools
import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Engine, update

from api.cli import main
from tenants.store import keys, log_pass
from tenants.store.chain import GENESIS, canonical_bytes, link
from tenants.store.checkpoints import take_checkpoint
from tenants.store.export_file import MAGIC, decode_event, read_header, records, tenant_prefix
from tenants.store.export_verifier import _can_fork, verify_export
from tenants.store.log_pass import bounds
from tenants.store.schema import checkpoints, merkle_nodes
from tenants.store.signed_checkpoint import signed_message
from tenants.store.verify import verify_store
from tests.integration.test_checkpoints import _append, _Payload, _replace_log, _rows
from tests.integration.test_stricter_store import _damage


@dataclass
class Export:
    """An export file taken apart: its header (JSON) and records (hash, data)."""

    header: dict[str, Any]
    records: list[tuple[bytes, bytes]]

    @classmethod
    def read(cls, path: Path) -> Export:
        with path.open("rb") as stream:
            assert stream.read(len(MAGIC)) == MAGIC
            (length,) = struct.unpack(">I", stream.read(4))
            header = json.loads(stream.read(length))
            return cls(header, list(records(stream)))

    def write(self, path: Path) -> Path:
        data = json.dumps(self.header).encode()
        body = b"".join(struct.pack(">I", len(d)) + h + d for h, d in self.records)
        path.write_bytes(MAGIC + struct.pack(">I", len(data)) + data + body)
        return path

    def copy(self) -> Export:
        return Export(json.loads(json.dumps(self.header)), list(self.records))

    def recomputed(self, tenant_id: str, datas: list[bytes]) -> Export:
        """The same header with these events, re-encoded at positions 1..n for the
        tenant and chained anew, the head moved to match: what a forger can do."""
        prefix, chain, out = tenant_prefix(tenant_id), GENESIS, []
        for position, data in enumerate(datas, start=1):
            e = decode_event(data, data[: 8 + struct.unpack(">Q", data[:8])[0]])
            fresh = canonical_bytes(
                tenant_id, position, UUID(bytes=e.originator_id), e.originator_version,
                e.topic, e.state,
            )  # fmt: skip
            assert fresh.startswith(prefix)
            chain = link(chain, fresh)
            out.append((chain, fresh))
        header = {**self.header, "events": len(out), "head_hash": chain.hex()}
        return Export(header, out)


def _state_changed(data: bytes) -> bytes:
    return data[:-2] + bytes([data[-2] ^ 1]) + data[-1:]


def _forged_state(data: bytes) -> bytes:
    e = decode_event(data, data[: 8 + struct.unpack(">Q", data[:8])[0]])
    return data[: len(data) - len(e.state) - 8] + struct.pack(">Q", 8) + b'"forged"'


@pytest.fixture
def exported(
    engine: Engine,
    tenant_id: str,
    key: keys.SigningKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[Path, Path]:
    """A tenant of 25 events checkpointed at 12 and 20, exported by the command line
    (which signs 25), and another tenant's export."""
    other = f"{tenant_id}-other"
    for tenant in (tenant_id, other):
        _append(engine, tenant, 12)
        assert take_checkpoint(engine, key, tenant) is not None
        _append(engine, tenant, 8)
        assert take_checkpoint(engine, key, tenant) is not None
        _append(engine, tenant, 5)
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    path, other_path = tmp_path / "t.gongjian-export", tmp_path / "other.gongjian-export"
    assert main(["export", "--tenant", tenant_id, "--to", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"exported {tenant_id}: 25 event(s), 3 checkpoint(s)" in out
    assert "signed checkpoint 25 for this export" in out
    assert main(["export", "--tenant", other, "--to", str(other_path)]) == 0
    assert main(["export", "--tenant", tenant_id, "--to", str(path)]) == 1
    assert f"{path} exists: an export is never overwritten" in capsys.readouterr().err
    assert main(["export", "--tenant", f"{tenant_id}-none", "--to", str(tmp_path / "x")]) == 1
    assert capsys.readouterr().err == f"gongjian: error: no tenant {tenant_id}-none\n"
    assert not (tmp_path / "x").exists()
    return path, other_path


def test_an_export_verifies_offline_with_no_database(
    exported: tuple[Path, Path],
    tenant_id: str,
    key: keys.SigningKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, _ = exported
    published = tmp_path / "keys.json"
    published.write_text(json.dumps(keys.published([key.public])))
    # No database is configured, and none is needed.
    monkeypatch.setenv("GONGJIAN_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["verify-export", str(path), "--keys", str(published)]) == 0
    out = capsys.readouterr().out
    assert f"ok   {tenant_id}: 25 event(s), 3 checkpoint(s), 0 not covered" in out
    assert f"signed by key(s) {key.kid}, each one of the keys given" in out
    assert main(["verify-export", str(path)]) == 0
    assert "checked under the keys the file lists" in capsys.readouterr().out
    with path.open("rb") as stream:
        header = read_header(stream)
    assert [c.size for c in header.checkpoints] == [12, 20, 25]
    assert all(key.public.verifies(c.message(), c.signature) for c in header.checkpoints)
    assert header.checkpoints[-1].message() == signed_message(
        tenant_id, 25, header.head_hash, header.checkpoints[-1].root,
        header.checkpoints[-1].taken_at,
    )  # fmt: skip
    not_export = tmp_path / "not-an-export"
    not_export.write_bytes(b"PK\x03\x04 a zip file")
    assert main(["verify-export", str(not_export)]) == 2
    assert f"not checked: {not_export}: not a gongjian-export/v1 file" in capsys.readouterr().out
    assert main(["verify-export", str(tmp_path / "absent")]) == 2
    assert "not checked: cannot read" in capsys.readouterr().out


def _tampers(
    export: Export, other: Export, tenant_id: str, forger: keys.SigningKey
) -> dict[str, Any]:
    """Each tamper: the file it makes and the line verify-export must print."""
    datas = [d for _, d in export.records]
    tampers: dict[str, tuple[Export, str]] = {}

    changed = export.copy()
    changed.records[6] = (changed.records[6][0], _state_changed(changed.records[6][1]))
    tampers["changed byte in a state"] = (changed, "position 7: hash mismatch")

    dropped = export.copy()
    del dropped.records[6]
    tampers["dropped event"] = (dropped, "position 7: the record holds the event at position 8")

    reordered = export.copy()
    reordered.records[6], reordered.records[7] = reordered.records[7], reordered.records[6]
    tampers["reordered events"] = (
        reordered, "position 7: the record holds the event at position 8"
    )  # fmt: skip
    swapped = [*datas[:6], datas[7], datas[6], *datas[8:]]
    tampers["reordered events, chain recomputed"] = (
        export.recomputed(tenant_id, swapped),
        "position 12: checkpoint 12: the chain hash at 12 is not the signed head hash",
    )

    forged_signature = export.copy()
    signature = bytearray.fromhex(forged_signature.header["checkpoints"][0]["signature"])
    signature[5] ^= 1
    forged_signature.header["checkpoints"][0]["signature"] = signature.hex()
    tampers["changed signature"] = (
        forged_signature,
        f"position 12: checkpoint 12: signature does not verify under key {export.header['checkpoints'][0]['key_id']}",
    )

    truncated = export.copy()
    truncated.records = truncated.records[:20]
    truncated.header.update(events=20, head_hash=truncated.records[-1][0].hex())
    tampers["truncated log presented as complete"] = (
        truncated, "position 21: log shorter than its checkpoint at 25"
    )  # fmt: skip

    stranger = other.records[2]
    moved = export.copy()
    moved.records.insert(4, stranger)
    moved.header["events"] = 26
    tampers["event moved from another tenant"] = (
        moved, f"position 5: the event belongs to tenant '{tenant_id}-other'"
    )  # fmt: skip
    tampers["event moved from another tenant, re-encoded, chain recomputed"] = (
        export.recomputed(tenant_id, [*datas[:4], stranger[1], *datas[4:]]),
        "position 12: checkpoint 12: the chain hash at 12 is not the signed head hash",
    )

    tail = export.recomputed(tenant_id, datas[:14] + [_forged_state(d) for d in datas[14:]])
    tampers["rewritten tail with recomputed chain"] = (
        tail, "position 20: checkpoint 20: the chain hash at 20 is not the signed head hash"
    )  # fmt: skip

    head = export.copy()
    head.header["head_hash"] = "00" * 32
    tampers["header's head hash"] = (head, "position 25: head hash mismatch")

    extra = export.recomputed(tenant_id, [*datas, datas[0]])
    extra.header.update(events=25, head_hash=export.header["head_hash"])
    tampers["a record beyond the header's count"] = (
        extra, "position 26: a record after the 25 events listed"
    )  # fmt: skip

    # The whole tail re-signed by a forger who lists their own key in the file.
    resigned = tail.copy()
    frontier_roots = _roots(resigned)
    resigned.header["keys"] = keys.published([forger.public])["keys"]
    for entry in resigned.header["checkpoints"]:
        size = entry["size"]
        entry["head_hash"] = resigned.records[size - 1][0].hex()
        entry["root"] = frontier_roots[size].hex()
        entry["key_id"] = forger.kid
        message = signed_message(
            tenant_id, size, resigned.records[size - 1][0], frontier_roots[size],
            read_header_time(entry["taken_at"]),
        )  # fmt: skip
        entry["signature"] = forger.sign(message).hex()
    tampers["re-signed by another key"] = (
        resigned,
        f"position 12: checkpoint 12: signed by key {forger.kid}, which is not a published key",
    )
    return tampers


def read_header_time(text: str) -> Any:
    from tenants.store.signed_checkpoint import parse_rfc3339

    return parse_rfc3339(text)


def _roots(export: Export) -> dict[int, bytes]:
    from tenants.store.merkle import in_memory, leaf_hash, root

    leaves = [leaf_hash(d) for _, d in export.records]
    tree = in_memory(leaves)
    return {n: root(tree, n) for n in range(1, len(leaves) + 1)}


def test_verify_export_names_every_tamper_in_one_pass_and_in_runs(
    exported: tuple[Path, Path],
    tenant_id: str,
    key: keys.SigningKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, other_path = exported
    forger = keys.create(tmp_path / "forger.pem")
    tampers = _tampers(Export.read(path), Export.read(other_path), tenant_id, forger)
    # Runs of 4 events: 25 events are walked by 7 runs in worker processes.
    monkeypatch.setattr(log_pass, "RUN_LEVEL", 2)
    assert _can_fork() and len(bounds(25, 2)) == 7
    published = tmp_path / "keys.json"
    published.write_text(json.dumps(keys.published([key.public])))
    for n, (name, (tampered, expected)) in enumerate(tampers.items()):
        file = tampered.write(tmp_path / f"tampered-{n}")
        for workers in (1, 2):
            audit = verify_export(str(file), [key.public], workers=workers)
            assert str(audit.broken) == expected, (name, workers, audit)
        assert main(["verify-export", str(file), "--keys", str(published)]) == 1
        assert capsys.readouterr().out == f"FAIL {tenant_id}: {expected}\n", name
    # Without trusted keys, the forger's file is whole under the key it lists: why the
    # keys inside a file prove nothing on their own.
    resigned = tmp_path / f"tampered-{list(tampers).index('re-signed by another key')}"
    assert main(["verify-export", str(resigned)]) == 0
    out = capsys.readouterr().out
    assert f"signed by key(s) {forger.kid}, checked under the keys the file lists" in out
    # A file cut inside a record.
    whole = path.read_bytes()
    cut = tmp_path / "cut"
    offsets = list(itertools.accumulate(len(d) + 36 for _, d in Export.read(path).records))
    start = len(whole) - offsets[-1]
    cut.write_bytes(whole[: start + offsets[8] + 10])
    for workers in (1, 2):
        audit = verify_export(str(cut), [key.public], workers=workers)
        assert str(audit.broken) == "position 10: the file ends inside this event's record"
    # The untampered file, in runs.
    audit = verify_export(str(path), [key.public], workers=2)
    assert audit.broken is None and audit.events == 25 and audit.unsigned == 0


def test_the_offline_verifier_needs_no_database_layer(
    exported: tuple[Path, Path], tmp_path: Path, key: keys.SigningKey
) -> None:
    import subprocess
    import sys

    path, _ = exported
    published = tmp_path / "keys.json"
    published.write_text(json.dumps(keys.published([key.public])))
    # The database layers (and the event library) cannot be imported at all here.
    script = (
        "import sys\n"
        "class Refuse:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('sqlalchemy', 'psycopg', 'eventsourcing', 'fastapi'):\n"
        "            raise ImportError(f'{name} is not available here')\n"
        "sys.meta_path.insert(0, Refuse())\n"
        "from tenants.store import export_verifier\n"
        "sys.exit(export_verifier.main(sys.argv[1:]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path), "--keys", str(published)],
        capture_output=True, text=True, cwd=Path(__file__).parents[2], check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ok   " in done.stdout and "each one of the keys given" in done.stdout


def test_verify_in_runs_names_what_one_pass_names(
    private_engine: Engine,
    tenant_id: str,
    key: keys.SigningKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = private_engine
    names = ["sound", "small", "tail", "node", "altered", "middle", "gap", "shorter"]
    t = {name: f"{tenant_id}-{name}" for name in names}
    for name, tenant in t.items():
        _append(engine, tenant, 3 if name == "small" else 12)
        assert take_checkpoint(engine, key, tenant) is not None
        if name != "small":  # a log of 3 is audited whole, by a worker
            _append(engine, tenant, 9)
            assert take_checkpoint(engine, key, tenant) is not None
    payloads = {name: [_Payload(r) for r in _rows(engine, t[name])] for name in names}
    tail = payloads["tail"][:15] + [_Payload(p, b'{"n":"forged"}') for p in payloads["tail"][15:]]
    _damage(engine, *_replace_log(t["tail"], tail))
    _damage(engine, update(merkle_nodes).where(merkle_nodes.c.tenant_id == t["node"],
                                               merkle_nodes.c.level == 4).values(hash=b"\x02" * 32))  # fmt: skip
    _damage(engine, update(checkpoints).where(checkpoints.c.tenant_id == t["altered"],
                                              checkpoints.c.size == 21).values(root=b"\x01" * 32))  # fmt: skip
    middle = payloads["middle"]
    middle[9] = _Payload(middle[9], b'{"n":"changed"}')
    _damage(engine, *_replace_log(t["middle"], middle))
    _damage(engine, *_replace_log(t["gap"], payloads["gap"][:6]))
    from sqlalchemy import insert

    from tenants.store.schema import events

    rows = _rows(engine, t["sound"])  # a row of the sound tenant, put in the gap's log at 9
    _damage(engine, insert(events).values(
        tenant_id=t["gap"], position=9, originator_id=rows[0].originator_id,
        originator_version=rows[0].originator_version, topic=rows[0].topic,
        state=rows[0].state, hash=rows[0].hash))  # fmt: skip
    _damage(engine, *_replace_log(t["shorter"], payloads["shorter"][:18]))
    kid = key.kid
    expected = {
        "sound": None,
        "small": None,
        "tail": "position 21: checkpoint 21: the chain hash at 21 is not the signed head hash",
        "node": "position 16: stored Merkle node (level 4, index 0) differs from the events",
        "altered": f"position 21: checkpoint 21: signature does not verify under key {kid}",
        "middle": "position 12: checkpoint 12: the chain hash at 12 is not the signed head hash",
        "gap": "position 7: position missing",
        "shorter": "position 19: log shorter than its checkpoint at 21",
    }
    ids = [t[name] for name in names]
    one = [a.broken for a in verify_store(engine, ids, [key.public], workers=1)]
    monkeypatch.setattr(log_pass, "RUN_LEVEL", 2)
    assert len(bounds(21, 2)) == 6
    runs = [a.broken for a in verify_store(engine, ids, [key.public], workers=2)]
    assert runs == one
    for name, broken in zip(names, one, strict=True):
        found = None if broken is None else f"position {broken.position}: {broken.problem}"
        assert found == expected[name], name
