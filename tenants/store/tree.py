"""A tenant's Merkle tree as the database holds it (``es_merkle_nodes``).

The perfect subtrees at levels 4 and above (16 leaves or more) are stored, each
once the first checkpoint covering it is taken (``extend``). Anything lower is
recomputed from the at most 16 event rows of one block. A root or proof needs
O(log n) subtrees: ``evaluate`` runs a function of ``merkle.py`` once against a
recorder to learn which subtrees it asks for (the recursions depend on sizes and
indexes only, never on hash values), fetches them in one query for the stored nodes
and one for the event blocks, and runs it again against what it fetched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import Connection, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from tenants.store import merkle
from tenants.store.chain import canonical_bytes
from tenants.store.schema import events, merkle_nodes

T = TypeVar("T")
Coordinate = tuple[int, int]  # (level, index) of a perfect subtree
BLOCK_LEVEL = 4  # stored nodes start at blocks of 2**4 = 16 leaves
_PLACEHOLDER = bytes(32)


class TreeUnavailable(Exception):
    """The rows a root or proof needs are not in the database."""


def leaf_of(tenant_id: str, row: Any) -> bytes:
    """The leaf hash of an event row: its canonical bytes, as the chain hashes them."""
    return merkle.leaf_hash(
        canonical_bytes(
            tenant_id,
            row.position,
            row.originator_id,
            row.originator_version,
            row.topic,
            bytes(row.state),
        )
    )


def _end(coordinate: Coordinate) -> int:
    level, index = coordinate
    return (index + 1) << level


def _perfect(leaves: dict[int, bytes], level: int, index: int) -> bytes:
    if level == 0:
        return leaves[index]
    return merkle.node_hash(
        _perfect(leaves, level - 1, 2 * index), _perfect(leaves, level - 1, 2 * index + 1)
    )


# On PostgreSQL one statement text whatever the number of subtrees (arrays, not
# expanded lists): psycopg prepares it after a few uses and the plan is kept, which
# is most of a proof's cost otherwise.
_PG_NODES = text(
    "SELECT n.level, n.idx, n.hash FROM es_merkle_nodes n "
    "JOIN unnest(CAST(:levels AS integer[]), CAST(:idxs AS bigint[])) AS w(level, idx) "
    "ON n.level = w.level AND n.idx = w.idx WHERE n.tenant_id = :tenant"
)
_PG_EVENTS = text(
    "SELECT position, originator_id, originator_version, topic, state FROM es_events "
    "WHERE tenant_id = :tenant AND position = ANY(CAST(:positions AS bigint[]))"
)


def _stored(
    conn: Connection, tenant_id: str, wanted: Iterable[Coordinate]
) -> dict[Coordinate, bytes]:
    coordinates = sorted(wanted)
    if not coordinates:
        return {}
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            _PG_NODES,
            {
                "tenant": tenant_id,
                "levels": [level for level, _ in coordinates],
                "idxs": [index for _, index in coordinates],
            },
        )
    else:
        n = merkle_nodes.c
        rows = conn.execute(
            select(n.level, n.idx, n.hash).where(
                n.tenant_id == tenant_id, tuple_(n.level, n.idx).in_(coordinates)
            )
        )
    return {(row.level, row.idx): bytes(row.hash) for row in rows}


def block_leaves(
    conn: Connection, tenant_id: str, ranges: Iterable[tuple[int, int]]
) -> dict[int, bytes]:
    """Leaf hashes by leaf index for the leaf ranges ``[start, end)``, in one query."""
    positions = sorted({p + 1 for start, end in ranges for p in range(start, end)})
    if not positions:
        return {}
    if conn.dialect.name == "postgresql":
        rows = conn.execute(_PG_EVENTS, {"tenant": tenant_id, "positions": positions})
    else:
        e = events.c
        rows = conn.execute(
            select(e.position, e.originator_id, e.originator_version, e.topic, e.state).where(
                e.tenant_id == tenant_id, e.position.in_(positions)
            )
        )
    return {row.position - 1: leaf_of(tenant_id, row) for row in rows}


def resolve(conn: Connection, tenant_id: str, wanted: set[Coordinate]) -> dict[Coordinate, bytes]:
    """The hashes of the perfect subtrees ``wanted``: stored ones read, lower ones
    (and any stored one missing) recomputed from their events."""
    high = {c for c in wanted if c[0] >= BLOCK_LEVEL}
    low = wanted - high
    if conn.dialect.name == "postgresql" and high and low:
        found, leaves = _pg_both(conn, tenant_id, high, _spans(low))
    else:
        found, leaves = _stored(conn, tenant_id, high), block_leaves(conn, tenant_id, _spans(low))
    missing = high - found.keys()
    if missing:  # not stored (never checkpointed this far): from the events
        leaves.update(block_leaves(conn, tenant_id, _spans(missing)))
    for level, index in low | missing:
        try:
            found[(level, index)] = _perfect(leaves, level, index)
        except KeyError as absent:
            position = int(absent.args[0]) + 1
            raise TreeUnavailable(f"event at position {position} is missing") from None
    return found


def _spans(coordinates: Iterable[Coordinate]) -> list[tuple[int, int]]:
    return [(index << level, (index + 1) << level) for level, index in coordinates]


# A proof's stored nodes and event rows in one round trip (PostgreSQL).
_PG_BOTH = text(
    "SELECT n.level, n.idx, n.hash, NULL::uuid AS originator_id, "
    "NULL::bigint AS originator_version, NULL::text AS topic, NULL::bytea AS state "
    "FROM es_merkle_nodes n "
    "JOIN unnest(CAST(:levels AS integer[]), CAST(:idxs AS bigint[])) AS w(level, idx) "
    "ON n.level = w.level AND n.idx = w.idx WHERE n.tenant_id = :tenant "
    "UNION ALL "
    "SELECT -1, position, NULL, originator_id, originator_version, topic, state "
    "FROM es_events WHERE tenant_id = :tenant AND position = ANY(CAST(:positions AS bigint[]))"
)


def _pg_both(
    conn: Connection, tenant_id: str, high: set[Coordinate], spans: list[tuple[int, int]]
) -> tuple[dict[Coordinate, bytes], dict[int, bytes]]:
    coordinates = sorted(high)
    positions = sorted({p + 1 for start, end in spans for p in range(start, end)})
    rows = conn.execute(
        _PG_BOTH,
        {
            "tenant": tenant_id,
            "levels": [level for level, _ in coordinates],
            "idxs": [index for _, index in coordinates],
            "positions": positions,
        },
    )
    found: dict[Coordinate, bytes] = {}
    leaves: dict[int, bytes] = {}
    for row in rows:
        if row.level >= 0:
            found[(row.level, row.idx)] = bytes(row.hash)
        else:
            leaves[row.idx - 1] = merkle.leaf_hash(
                canonical_bytes(
                    tenant_id, row.idx, row.originator_id, row.originator_version, row.topic,
                    bytes(row.state),
                )
            )  # fmt: skip
    return found, leaves


def evaluate(conn: Connection, tenant_id: str, compute: Callable[[merkle.Subtrees], T]) -> T:
    """Run ``compute`` (a root or proof of ``merkle.py``) over the tenant's stored tree."""
    asked: set[Coordinate] = set()

    def record(level: int, index: int) -> bytes:
        asked.add((level, index))
        return _PLACEHOLDER

    compute(record)
    known = resolve(conn, tenant_id, asked)
    return compute(lambda level, index: known[(level, index)])


def root(conn: Connection, tenant_id: str, size: int) -> bytes:
    """The tree head of the tenant's first ``size`` events."""
    return evaluate(conn, tenant_id, lambda s: merkle.root(s, size))


def inclusion_proof(conn: Connection, tenant_id: str, position: int, size: int) -> list[bytes]:
    """The audit path of the event at ``position`` in the tree of ``size`` events."""
    return evaluate(conn, tenant_id, lambda s: merkle.inclusion_proof(s, position - 1, size))


def inclusion_proofs(
    conn: Connection, tenant_id: str, positions: Iterable[int], size: int
) -> dict[int, tuple[bytes, list[bytes]]]:
    """Leaf hash and audit path of each event at ``positions`` in the tree of ``size``
    events, from one read of the nodes and rows they need (one round trip on
    PostgreSQL): a page of events is proved at the cost of one."""
    wanted = sorted(set(positions))
    asked: set[Coordinate] = {(0, p - 1) for p in wanted}

    def record(level: int, index: int) -> bytes:
        asked.add((level, index))
        return _PLACEHOLDER

    for position in wanted:
        merkle.inclusion_proof(record, position - 1, size)
    known = resolve(conn, tenant_id, asked)
    return {
        p: (
            known[(0, p - 1)],
            merkle.inclusion_proof(lambda level, index: known[(level, index)], p - 1, size),
        )
        for p in wanted
    }


def consistency_proof(conn: Connection, tenant_id: str, old: int, new: int) -> list[bytes]:
    """The proof that the tree of ``new`` events extends the tree of ``old``."""
    return evaluate(conn, tenant_id, lambda s: merkle.consistency_proof(s, old, new))


def extend(conn: Connection, tenant_id: str, old: int, new: int, leaves: dict[int, bytes]) -> int:
    """Store the nodes at levels >= 4 that end after ``old`` and by ``new``, computed
    from ``leaves`` (every leaf from the block holding leaf ``old`` up to ``new``)
    and the nodes stored before; return how many were stored."""
    # A new node's right child is new too; its left child may end by ``old``, and
    # is then read from the nodes stored before (at most one per level).
    older: set[Coordinate] = set()
    level = BLOCK_LEVEL + 1
    while (1 << level) <= new:
        first = old >> level
        left = (level - 1, 2 * first)
        if _end((level, first)) <= new and _end(left) <= old:
            older.add(left)
        level += 1
    made: dict[Coordinate, bytes] = resolve(conn, tenant_id, older) if older else {}
    rows = []
    level = BLOCK_LEVEL
    while (1 << level) <= new:
        for index in range(old >> level, new >> level):
            if level == BLOCK_LEVEL:
                value = _perfect(leaves, level, index)
            else:
                value = merkle.node_hash(
                    made[(level - 1, 2 * index)], made[(level - 1, 2 * index + 1)]
                )
            made[(level, index)] = value
            rows.append({"tenant_id": tenant_id, "level": level, "idx": index, "hash": value})
        level += 1
    if rows:
        # A concurrent checkpoint may have stored the same nodes (equal by
        # construction): keep the first.
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        conn.execute(dialect.insert(merkle_nodes).on_conflict_do_nothing(), rows)
    return len(rows)
