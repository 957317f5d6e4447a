"""Signed checkpoints: (tenant, size, head hash, Merkle root, time), signed with the
platform's Ed25519 key, taken and read here; what is signed, and how a signature is
checked, is ``tenants.store.signed_checkpoint``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.dialects import postgresql, sqlite

from tenants.store import merkle, tree
from tenants.store.chain import GENESIS, canonical_bytes, link
from tenants.store.database import write_transaction
from tenants.store.keys import SigningKey
from tenants.store.schema import checkpoints, events, tenant_heads
from tenants.store.signed_checkpoint import VERSION, Checkpoint, rfc3339, signed_message, utc

__all__ = [
    "VERSION",
    "Checkpoint",
    "CheckpointRefused",
    "at_size",
    "covering",
    "due",
    "latest",
    "of_tenant",
    "rfc3339",
    "signed_message",
    "take_checkpoint",
    "utc",
]


class CheckpointRefused(Exception):
    """The log does not extend its last checkpoint: it is not signed."""


def latest(conn: Connection, tenant_id: str, at: int | None = None) -> Checkpoint | None:
    """The tenant's newest checkpoint (of at most ``at`` events, if given)."""
    upto = [] if at is None else [checkpoints.c.size <= at]
    row = conn.execute(
        select(checkpoints)
        .where(checkpoints.c.tenant_id == tenant_id, *upto)
        .order_by(checkpoints.c.size.desc())
        .limit(1)
    ).first()
    return None if row is None else Checkpoint.of(row)


def covering(
    conn: Connection, tenant_id: str, position: int, at: int | None = None
) -> Checkpoint | None:
    """The tenant's first checkpoint that covers ``position`` (of at most ``at`` events,
    if given): the one taken when the event was recorded, or the first after."""
    upto = [] if at is None else [checkpoints.c.size <= at]
    row = conn.execute(
        select(checkpoints)
        .where(checkpoints.c.tenant_id == tenant_id, checkpoints.c.size >= position, *upto)
        .order_by(checkpoints.c.size)
        .limit(1)
    ).first()
    return None if row is None else Checkpoint.of(row)


def of_tenant(conn: Connection, tenant_id: str) -> list[Checkpoint]:
    """Every checkpoint of the tenant, oldest first."""
    rows = conn.execute(
        select(checkpoints).where(checkpoints.c.tenant_id == tenant_id).order_by(checkpoints.c.size)
    )
    return [Checkpoint.of(row) for row in rows]


def at_size(conn: Connection, tenant_id: str, size: int) -> Checkpoint | None:
    """The tenant's checkpoint of exactly ``size`` events."""
    row = conn.execute(
        select(checkpoints).where(checkpoints.c.tenant_id == tenant_id, checkpoints.c.size == size)
    ).first()
    return None if row is None else Checkpoint.of(row)


def due(engine: Engine) -> list[str]:
    """Tenants whose head moved past their newest checkpoint (or that have none)."""
    newest = (
        select(checkpoints.c.tenant_id, func.max(checkpoints.c.size).label("size"))
        .group_by(checkpoints.c.tenant_id)
        .subquery()
    )
    query = (
        select(tenant_heads.c.tenant_id)
        .select_from(tenant_heads.outerjoin(newest, newest.c.tenant_id == tenant_heads.c.tenant_id))
        .where(tenant_heads.c.position > func.coalesce(newest.c.size, 0))
        .order_by(tenant_heads.c.tenant_id)
    )
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


def take_checkpoint(
    engine: Engine, key: SigningKey, tenant_id: str, now: datetime | None = None
) -> Checkpoint | None:
    """Sign the tenant's log as it is now, if its head moved since its last checkpoint
    (None if it did not). Refuses (``CheckpointRefused``) a log that does not extend
    its last checkpoint: a checkpoint must never vouch for a rewritten history."""
    with write_transaction(engine) as conn:
        head = conn.execute(
            select(tenant_heads.c.position, tenant_heads.c.hash).where(
                tenant_heads.c.tenant_id == tenant_id
            )
        ).first()
        size = 0 if head is None else int(head.position)
        previous = latest(conn, tenant_id)
        old = 0 if previous is None else previous.size
        if size < old:
            raise CheckpointRefused(f"log shorter than its checkpoint at {old}")
        if size == old:
            return None
        leaves = _extension(conn, tenant_id, old, size, previous)
        if head is None or leaves[size - 1][1] != bytes(head.hash):
            raise CheckpointRefused(f"the head's hash does not match the chain at {size}")
        tree.extend(conn, tenant_id, old, size, {i: leaf for i, (leaf, _) in leaves.items()})
        taken_at = utc(now or datetime.now(UTC))
        root = tree.root(conn, tenant_id, size)
        head_hash = bytes(head.hash)
        signature = key.sign(signed_message(tenant_id, size, head_hash, root, taken_at))
        checkpoint = Checkpoint(tenant_id, size, head_hash, root, taken_at, key.kid, signature)
        row = {
            "tenant_id": tenant_id,
            "size": size,
            "head_hash": head_hash,
            "root": root,
            "taken_at": taken_at,
            "key_id": key.kid,
            "signature": signature,
        }
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        stored = conn.execute(dialect.insert(checkpoints).on_conflict_do_nothing(), row)
        # Another process checkpointed the same size first: that one stands.
        return checkpoint if stored.rowcount else None


def _extension(
    conn: Connection, tenant_id: str, old: int, size: int, previous: Checkpoint | None
) -> dict[int, tuple[bytes, bytes]]:
    """Leaf and chain hashes, by leaf index, from the block holding leaf ``old`` to
    ``size``, after checking that the chain through them links on from the last
    signed head (the leaves before ``old`` feed a new node, so they are checked too)."""
    base = (old >> tree.BLOCK_LEVEL) << tree.BLOCK_LEVEL
    rows = conn.execute(
        select(events)
        .where(events.c.tenant_id == tenant_id, events.c.position >= max(base, 1))
        .where(events.c.position <= size)
        .order_by(events.c.position)
    )
    # The chain is recomputed from the row before the block; reaching the signed head
    # hash at ``old`` binds every row of the block before it to the checkpoint.
    chain, expected = GENESIS, base + 1
    found: dict[int, tuple[bytes, bytes]] = {}
    for row in rows:
        if row.position == base:
            chain = bytes(row.hash)
            if previous is not None and base == old and chain != previous.head_hash:
                raise CheckpointRefused(f"the log no longer matches its checkpoint at {old}")
            continue
        if row.position != expected:
            raise CheckpointRefused(f"position {expected} is missing")
        data = canonical_bytes(
            tenant_id, row.position, row.originator_id, row.originator_version, row.topic,
            bytes(row.state),
        )  # fmt: skip
        chain = link(chain, data)
        if chain != bytes(row.hash):
            raise CheckpointRefused(f"the chain breaks at position {row.position}")
        if previous is not None and row.position == old and chain != previous.head_hash:
            raise CheckpointRefused(f"the log no longer matches its checkpoint at {old}")
        found[row.position - 1] = (merkle.leaf_hash(data), chain)
        expected += 1
    if expected != size + 1:
        raise CheckpointRefused(f"position {expected} is missing")
    return found
