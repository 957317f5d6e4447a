"""Recompute a tenant's hash chain and Merkle tree, check them against its head and its
signed checkpoints, and report the first position that breaks them.

One pass over the log: each event's canonical bytes feed both the chain hash and the
leaf hash; the Merkle tree is kept as its frontier (the perfect subtrees of the
binary decomposition of the size so far), which gives the root at any checkpoint's
size and every stored node (``es_merkle_nodes``) as it completes, to compare.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, and_, func, or_, select, union

from tenants.store import tree
from tenants.store.anchors import AnchorUnreadable, anchors_of
from tenants.store.chain import GENESIS, ChainBreak, canonical_bytes
from tenants.store.checkpoints import Checkpoint, of_tenant
from tenants.store.keys import PublicKey
from tenants.store.merkle import node_hash, verify_consistency
from tenants.store.schema import checkpoints, events, merkle_nodes, tenant_heads


@dataclass(frozen=True)
class TenantAudit:
    """What verifying one tenant found."""

    tenant_id: str
    broken: ChainBreak | None
    length: int  # events verified in order from position 1
    checkpoints: int
    uncovered: int  # events after the newest checkpoint: not yet signed


def verify_tenant(
    engine: Engine, tenant_id: str, keys: Sequence[PublicKey] = (), batch: int = 1000
) -> ChainBreak | None:
    """Replay the tenant's chain from position 1; return the first break, if any."""
    return audit_tenant(engine, tenant_id, keys, batch).broken


def audit_tenant(
    engine: Engine, tenant_id: str, keys: Sequence[PublicKey] = (), batch: int = 1000
) -> TenantAudit:
    """Verify the tenant's chain, head, checkpoints (each signed by one of ``keys``)
    and stored Merkle nodes; name the first failure."""
    with engine.connect() as conn:
        stored = of_tenant(conn, tenant_id)
        signed, broken = _with_anchors(conn, tenant_id, stored)
        walk = _Walk(conn, tenant_id, keys, signed, stored[-1].size if stored else 0)
        if broken is None:
            broken = walk.run(batch)
    newest = signed[-1].size if signed else 0
    return TenantAudit(
        tenant_id, broken, walk.last, len(signed), max(walk.last - newest, 0) if not broken else 0
    )


def _with_anchors(
    conn: Connection, tenant_id: str, stored: list[Checkpoint]
) -> tuple[list[Checkpoint], ChainBreak | None]:
    """The tenant's checkpoints: its stored ones and those its street recorded for
    it. A recorded checkpoint missing from the stored ones is checked all the same
    (deleting checkpoint rows must not hide a rewrite); one that differs from the
    stored checkpoint of the same size is a finding."""
    try:
        recorded = anchors_of(conn, tenant_id)
    except AnchorUnreadable as error:
        return stored, ChainBreak(tenant_id, 0, str(error))
    by_size = {c.size: c for c in stored}
    for anchor in recorded:
        cp = anchor.checkpoint
        same = by_size.setdefault(cp.size, cp)
        if same != cp:
            problem = (
                f"checkpoint {cp.size} differs from the one its street {anchor.street_id} "
                f"recorded at position {anchor.position}"
            )
            return stored, ChainBreak(tenant_id, cp.size, problem)
    return [by_size[size] for size in sorted(by_size)], None


class _Walk:
    """One pass over a tenant's log."""

    def __init__(
        self,
        conn: Connection,
        tenant_id: str,
        keys: Sequence[PublicKey],
        signed: list[Checkpoint],
        stored_to: int,
    ) -> None:
        self.conn, self.tenant_id, self.keys, self.signed = conn, tenant_id, keys, signed
        self.last = 0
        self.chain = GENESIS
        # A stored node that differs from the events is named only if the chain and
        # the signed checkpoints hold: damage to the log itself is the finding then.
        self.node_break: ChainBreak | None = None
        # Stored nodes exist up to the newest stored checkpoint's size.
        self.stored_to = stored_to

    def run(self, batch: int) -> ChainBreak | None:
        conn, tenant_id = self.conn, self.tenant_id
        # A row below position 1 is covered by no chain, yet the write side would
        # load it: a database that predates the CHECK constraint may hold one.
        stray = conn.execute(
            select(func.min(events.c.position)).where(
                events.c.tenant_id == tenant_id, events.c.position < 1
            )
        ).scalar()
        if stray is not None:
            return self._break(int(stray), "event at a position below 1")
        if self.signed and self.signed[0].size < 1:
            return self._break(0, f"checkpoint at size {self.signed[0].size} covers no event")
        head = conn.execute(
            select(tenant_heads.c.position, tenant_heads.c.hash).where(
                tenant_heads.c.tenant_id == tenant_id
            )
        ).first()
        broken = self._chain(batch)
        if broken is not None:
            return broken
        last = self.last
        beyond = [c.size for c in self.signed if c.size > last]
        if beyond:
            return self._break(last + 1, f"log shorter than its checkpoint at {beyond[0]}")
        if self.node_break is not None:
            return self.node_break
        broken = self._consistency()
        if broken is not None:
            return broken
        if head is None:
            return None if last == 0 else self._break(last, "head missing")
        if head.position != last:
            return self._break(last + 1, f"head says {head.position}")
        if bytes(head.hash) != self.chain:
            return self._break(last, "head hash mismatch")
        return None

    def _break(self, position: int, problem: str) -> ChainBreak:
        return ChainBreak(self.tenant_id, position, problem)

    def _chain(self, batch: int) -> ChainBreak | None:
        """Walk the events in order: chain, leaves, frontier, checkpoints, stored nodes."""
        tenant_id, sha256 = self.tenant_id, hashlib.sha256
        chain = GENESIS
        # The tree's frontier: the perfect subtrees of the binary decomposition of the
        # size so far, largest first. Adding leaf number p merges as many of them as p
        # has trailing zero bits.
        frontier: list[bytes] = []
        pending = {c.size: c for c in self.signed}
        stored_to, lowest = self.stored_to, tree.BLOCK_LEVEL
        e = events.c
        columns = (e.position, e.originator_id, e.originator_version, e.topic, e.state, e.hash)
        expected = 1
        while True:
            rows = self.conn.execute(
                select(*columns)
                .where(e.tenant_id == tenant_id, e.position >= expected)
                .order_by(e.position)
                .limit(batch)
            ).all()
            stored = self._stored_nodes(expected - 1, expected - 1 + len(rows))
            for position, originator_id, version, topic, state, stored_hash in rows:
                if position != expected:
                    return self._break(expected, "position missing")
                data = canonical_bytes(
                    tenant_id, position, originator_id, version, topic, bytes(state)
                )
                chain = sha256(chain + data).digest()
                if chain != bytes(stored_hash):
                    return self._break(position, "hash mismatch")
                self.last, self.chain = position, chain
                value = sha256(b"\x00" + data).digest()
                level, rest = 0, position
                while not rest & 1:
                    value = sha256(b"\x01" + frontier.pop() + value).digest()
                    level += 1
                    rest >>= 1
                    if level >= lowest and position <= stored_to and self.node_break is None:
                        problem = _node_problem(stored, level, (position >> level) - 1, value)
                        if problem is not None:
                            self.node_break = self._break(position, problem)
                frontier.append(value)
                if position in pending:
                    problem = self._checkpoint_problem(pending[position], frontier)
                    if problem is not None:
                        return self._break(position, f"checkpoint {position}: {problem}")
                expected += 1
            if len(rows) < batch:
                return None

    def _checkpoint_problem(self, checkpoint: Checkpoint, frontier: list[bytes]) -> str | None:
        problem = checkpoint.signature_problem(self.keys)
        if problem is not None:
            return problem
        if checkpoint.head_hash != self.chain:
            return f"the chain hash at {checkpoint.size} is not the signed head hash"
        root = frontier[-1]
        for value in reversed(frontier[:-1]):
            root = node_hash(value, root)
        if root != checkpoint.root:
            return f"the Merkle root of positions 1..{checkpoint.size} is not the signed root"
        return None

    def _stored_nodes(self, after: int, through: int) -> dict[tuple[int, int], bytes]:
        """The stored nodes that complete at positions ``after+1 .. through``."""
        through = min(through, self.stored_to)
        ranges = []
        level = tree.BLOCK_LEVEL
        while (1 << level) <= through:
            low, high = after >> level, (through >> level) - 1
            if high >= low:
                n = merkle_nodes.c
                ranges.append(and_(n.level == level, n.idx.between(low, high)))
            level += 1
        if not ranges:
            return {}
        rows = self.conn.execute(
            select(merkle_nodes.c.level, merkle_nodes.c.idx, merkle_nodes.c.hash).where(
                merkle_nodes.c.tenant_id == self.tenant_id, or_(*ranges)
            )
        )
        return {(row.level, row.idx): bytes(row.hash) for row in rows}

    def _consistency(self) -> ChainBreak | None:
        """Each checkpoint extends the one before: its consistency proof, built from
        the stored tree as GraphQL serves it, verifies between the two signed roots."""
        for old, new in zip(self.signed, self.signed[1:], strict=False):
            try:
                proof = tree.consistency_proof(self.conn, self.tenant_id, old.size, new.size)
            except tree.TreeUnavailable as error:
                return self._break(new.size, f"checkpoint {new.size}: {error}")
            if not verify_consistency(old.size, new.size, old.root, new.root, proof):
                return self._break(
                    new.size, f"checkpoint {new.size} is not consistent with checkpoint {old.size}"
                )
        return None


def _node_problem(
    stored: dict[tuple[int, int], bytes], level: int, index: int, value: bytes
) -> str | None:
    found = stored.get((level, index))
    if found is None:
        return f"stored Merkle node (level {level}, index {index}) is missing"
    if found != value:
        return f"stored Merkle node (level {level}, index {index}) differs from the events"
    return None


def all_tenant_ids(engine: Engine) -> list[str]:
    """List every tenant that has a log: by its head, its events and its checkpoints,
    so that deleting a head row (or a whole log) cannot hide a tenant from verification."""
    tenants = union(
        select(tenant_heads.c.tenant_id),
        select(events.c.tenant_id).distinct(),
        select(checkpoints.c.tenant_id).distinct(),
    )
    with engine.connect() as conn:
        return sorted(conn.execute(tenants).scalars())
