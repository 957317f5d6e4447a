"""Recompute a tenant's hash chain and Merkle tree, check them against its head and its
signed checkpoints, and report the first position that breaks them.

One pass over the log: each event's canonical bytes feed both the chain hash and the
leaf hash; the Merkle tree is kept as its frontier (the perfect subtrees of the
binary decomposition of the size so far), which gives the root at any checkpoint's
size and every stored node (``es_merkle_nodes``) as it completes, to compare. Rows
come straight from the driver (``log_rows``). With worker processes, a long log is
walked in runs, one per process, joined as ``log_pass`` describes, and a whole store's
small tenants are audited whole, one per process.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import multiprocessing.pool
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select, union

from tenants.store import log_pass, log_rows, tree
from tenants.store.anchors import AnchorUnreadable, anchors_of
from tenants.store.chain import GENESIS, ChainBreak
from tenants.store.checkpoints import of_tenant
from tenants.store.keys import PublicKey
from tenants.store.log_pass import WHOLE, Finding, Run, bounds, checkpoint_finding, join
from tenants.store.log_rows import Canonical
from tenants.store.merkle import verify_consistency
from tenants.store.schema import checkpoints, events, tenant_heads
from tenants.store.signed_checkpoint import Checkpoint


@dataclass(frozen=True)
class TenantAudit:
    """What verifying one tenant found."""

    tenant_id: str
    broken: ChainBreak | None
    length: int  # events verified in order from position 1
    checkpoints: int
    uncovered: int  # events after the newest checkpoint: not yet signed


def verify_tenant(
    engine: Engine, tenant_id: str, keys: Sequence[PublicKey] = (), batch: int = log_rows.BATCH
) -> ChainBreak | None:
    """Replay the tenant's chain from position 1; return the first break, if any."""
    return audit_tenant(engine, tenant_id, keys, batch).broken


def audit_tenant(
    engine: Engine,
    tenant_id: str,
    keys: Sequence[PublicKey] = (),
    batch: int = log_rows.BATCH,
    pool: multiprocessing.pool.Pool | None = None,
    workers: int = 1,
) -> TenantAudit:
    """Verify the tenant's chain, head, checkpoints (each signed by one of ``keys``)
    and stored Merkle nodes; name the first failure. With a ``pool`` of ``workers``
    processes (``verify_store`` makes one), a long log is walked in runs."""
    with engine.connect() as conn:
        stored = of_tenant(conn, tenant_id)
        signed, broken = _with_anchors(conn, tenant_id, stored)
        walk = _Walk(conn, tenant_id, keys, signed, stored[-1].size if stored else 0)
        if broken is None:
            broken = walk.run(batch, pool, workers)
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

    def run(
        self, batch: int, pool: multiprocessing.pool.Pool | None = None, workers: int = 1
    ) -> ChainBreak | None:
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
        broken = self._chain(batch, pool, workers)
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

    def _chain(
        self, batch: int, pool: multiprocessing.pool.Pool | None, workers: int
    ) -> ChainBreak | None:
        """Walk the events in order, in one run or (with a pool) in runs, and join
        them: chain, leaves, checkpoints, stored nodes."""
        task = _RunTask(self.tenant_id, self.signed, self.keys, self.stored_to, batch)
        if pool is None or workers <= 1:
            runs = [task.walk(self.conn, 1, log_rows.LAST, WHOLE)]
            level = WHOLE
        else:
            size = self.conn.execute(
                select(func.max(events.c.position)).where(events.c.tenant_id == self.tenant_id)
            ).scalar()
            planned = bounds(int(size or 0), workers)
            level = WHOLE if len(planned) == 1 else log_pass.RUN_LEVEL
            if len(planned) == 1:
                runs = [task.walk(self.conn, 1, log_rows.LAST, WHOLE)]
            else:
                runs = pool.map(_walk_in_worker, [(task, f, t, level) for f, t in planned], 1)
            for run, (_, through) in zip(runs[:-1], planned, strict=False):
                if run.broken is None and run.last < through:
                    run.broken = Finding(run.last + 1, "position missing")
        roots = {c.size: c.root for c in self.signed}
        broken, nodes = join(runs, level, roots, self._high_node_problem)
        whole = next((r for r in runs if r.broken is not None), runs[-1])
        self.last, self.chain = whole.last, whole.chain
        if nodes is not None:
            self.node_break = self._break(nodes.position, nodes.problem)
        return None if broken is None else self._break(broken.position, broken.problem)

    def _high_node_problem(self, level: int, index: int, value: bytes) -> str | None:
        """A stored node above the runs' level, joined from their blocks."""
        if level < tree.BLOCK_LEVEL or (index + 1) << level > self.stored_to:
            return None
        stored = _stored_nodes(self.conn, self.tenant_id, [(level, index, index)])
        return _node_problem(stored, level, index, value)

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


@dataclass(frozen=True)
class _RunTask:
    """What walking a run of one tenant's log needs (sent to worker processes)."""

    tenant_id: str
    signed: list[Checkpoint]
    keys: Sequence[PublicKey]
    stored_to: int
    batch: int

    def walk(self, conn: Connection, first: int, last: int, level: int) -> Run:
        """Walk positions ``first..last`` (``last`` may be beyond the log): the chain from
        the stored hash before ``first``, subtrees below ``level``, the signature and
        head hash of each checkpoint in the run, and the stored nodes it completes."""
        sha256 = hashlib.sha256
        run = Run(first, first - 1, GENESIS)
        frontier, blocks = run.frontier, run.blocks
        pending = {c.size: c for c in self.signed if first <= c.size <= last}
        stored_to, lowest = self.stored_to, tree.BLOCK_LEVEL
        canonical = Canonical(self.tenant_id)
        chain, expected = GENESIS, first
        # The row before the run gives the chain hash to go on from (the run before
        # checks it).
        start = first - 1 if first > 1 else first
        for rows in log_rows.batches(conn, self.tenant_id, start, last, self.batch):
            if expected == first and start < first:
                if rows[0][0] != start:
                    run.broken = Finding(start, "position missing")
                    return run
                chain = run.chain = rows[0][5]
                rows = rows[1:]
            through = expected - 1 + len(rows)
            stored = _stored_nodes(
                conn, self.tenant_id, _completing(expected - 1, through, stored_to)
            )
            for row in rows:
                position = row[0]
                if position != expected:
                    run.broken = Finding(expected, "position missing")
                    return run
                data = canonical(row)
                linked = sha256(chain + data).digest()
                if linked != row[5]:
                    run.broken = Finding(position, "hash mismatch")
                    return run
                chain = run.chain = linked
                run.last = position
                value = sha256(b"\x00" + data).digest()
                height, rest = 0, position
                while not rest & 1 and height < level:
                    value = sha256(b"\x01" + frontier.pop() + value).digest()
                    height += 1
                    rest >>= 1
                    if height >= lowest and position <= stored_to and run.node_broken is None:
                        problem = _node_problem(stored, height, (position >> height) - 1, value)
                        if problem is not None:
                            run.node_broken = Finding(position, problem)
                if height == level:
                    blocks.append(value)
                else:
                    frontier.append(value)
                if position in pending:
                    finding = checkpoint_finding(pending[position], self.keys, chain)
                    if finding is not None:
                        run.broken = finding
                        return run
                    run.at[position] = list(frontier)
                expected += 1
        return run


def _completing(after: int, through: int, stored_to: int) -> list[tuple[int, int, int]]:
    """The (level, first index, last index) ranges of the stored nodes that complete at
    positions ``after+1 .. through``."""
    through = min(through, stored_to)
    ranges = []
    level = tree.BLOCK_LEVEL
    while (1 << level) <= through:
        low, high = after >> level, (through >> level) - 1
        if high >= low:
            ranges.append((level, low, high))
        level += 1
    return ranges


def _stored_nodes(
    conn: Connection, tenant_id: str, ranges: list[tuple[int, int, int]]
) -> dict[tuple[int, int], bytes]:
    """The stored nodes in the (level, first index, last index) ranges."""
    if not ranges:
        return {}
    mark = "%s" if conn.dialect.name == "postgresql" else "?"
    one = (
        f"SELECT level, idx, hash FROM es_merkle_nodes WHERE tenant_id = {mark} "
        f"AND level = {mark} AND idx BETWEEN {mark} AND {mark}"
    )
    params = [value for r in ranges for value in (tenant_id, *r)]
    raw: Any = conn.connection.driver_connection
    cursor = raw.cursor()
    try:
        cursor.execute(" UNION ALL ".join([one] * len(ranges)), params)
        return {(level, idx): bytes(value) for level, idx, value in cursor.fetchall()}
    finally:
        cursor.close()


# Worker processes are forked: they inherit the engine (and open connections of their
# own) and the tasks travel as plain data.
_engine: Engine | None = None
_inherited: list[object] = []  # the parent's connection pool, kept, never used


def _adopt() -> None:
    assert _engine is not None
    # The parent's pooled connections are the parent's: keep them referenced (never
    # finalized here) and open new ones.
    _inherited.append(_engine.pool)
    _engine.dispose(close=False)


def _walk_in_worker(args: tuple[_RunTask, int, int, int]) -> Run:
    task, first, last, level = args
    assert _engine is not None
    with _engine.connect() as conn:
        return task.walk(conn, first, last, level)


def _audit_in_worker(args: tuple[str, Sequence[PublicKey]]) -> TenantAudit:
    tenant_id, keys = args
    assert _engine is not None
    return audit_tenant(_engine, tenant_id, keys)


def can_fork() -> bool:
    """Whether worker processes may be forked from this one (no other threads)."""
    forkable = "fork" in multiprocessing.get_all_start_methods()
    return forkable and threading.active_count() == 1


def verify_store(
    engine: Engine, tenant_ids: Sequence[str], keys: Sequence[PublicKey] = (), workers: int = 1
) -> Iterator[TenantAudit]:
    """Audit each tenant, in order. With ``workers`` > 1 (and a process that may fork)
    the worker processes start now: tenants of at most a run's size are then audited
    whole, several at once, and longer ones in runs, each run in a worker."""
    if workers <= 1 or len(tenant_ids) == 0 or not can_fork():
        return (audit_tenant(engine, tenant_id, keys) for tenant_id in tenant_ids)
    global _engine
    _engine = engine  # inherited by the workers, forked now (and by any restarted)
    pool = multiprocessing.get_context("fork").Pool(workers, _adopt)
    return _audits(engine, pool, tenant_ids, keys, workers)


def _audits(
    engine: Engine,
    pool: multiprocessing.pool.Pool,
    tenant_ids: Sequence[str],
    keys: Sequence[PublicKey],
    workers: int,
) -> Iterator[TenantAudit]:
    global _engine
    try:
        with engine.connect() as conn:
            heads = conn.execute(select(tenant_heads.c.tenant_id, tenant_heads.c.position))
            sizes = {tenant_id: int(size) for tenant_id, size in heads}
        # Short logs go to the workers at once; long ones are walked in runs as their
        # turn comes, the runs queued behind.
        whole = {
            tenant_id: pool.apply_async(_audit_in_worker, ((tenant_id, keys),))
            for tenant_id in tenant_ids
            if sizes.get(tenant_id, 0) <= 1 << log_pass.RUN_LEVEL
        }
        for tenant_id in tenant_ids:
            found = whole.get(tenant_id)
            if found is not None:
                yield found.get()
            else:
                yield audit_tenant(engine, tenant_id, keys, pool=pool, workers=workers)
        pool.close()
        pool.join()
    finally:
        pool.terminate()
        _engine = None


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
