"""A tenant's log read fast, in position order, as the raw values its canonical bytes
are made of: what a whole-log pass (verify, export) needs and nothing more.

Rows come straight from the driver's cursor (no ORM rows, no UUID objects), in
batches of a keyset query on the primary key: one statement text per backend, which
PostgreSQL prepares once. The originator id arrives as its 16 raw bytes (PostgreSQL's
``uuid_send``; SQLite stores it as 32 hex digits).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection

from tenants.store.export_file import COUNT, EVENT_FIELDS, tenant_prefix

# position, originator id (16 bytes), originator version, topic, state, chain hash
Row = tuple[int, bytes, int, str, bytes, bytes]
BATCH = 10_000
LAST = 2**62  # beyond any position

_COLUMNS = "position, {id}, originator_version, topic, state, hash"
_QUERY = (
    "SELECT " + _COLUMNS + " FROM es_events WHERE tenant_id = {p} AND position >= {p} "
    "AND position <= {p} ORDER BY position LIMIT {p}"
)
_POSTGRES = _QUERY.format(id="uuid_send(originator_id)", p="%s")
_SQLITE = _QUERY.format(id="originator_id", p="?")


def batches(
    conn: Connection, tenant_id: str, first: int = 1, through: int = LAST, batch: int = BATCH
) -> Iterator[list[Row]]:
    """The tenant's rows at positions ``first..through`` in order, ``batch`` at a time
    (gaps are not filled: a missing position is simply absent)."""
    postgres = conn.dialect.name == "postgresql"
    raw: Any = conn.connection.driver_connection
    # PostgreSQL's binary results: bytea arrives without hex decoding.
    cursor = raw.cursor(binary=True) if postgres else raw.cursor()
    try:
        while first <= through:
            if postgres:
                cursor.execute(_POSTGRES, (tenant_id, first, through, batch), prepare=True)
                rows: list[Row] = cursor.fetchall()
            else:
                cursor.execute(_SQLITE, (tenant_id, first, through, batch))
                rows = [(p, bytes.fromhex(i), v, t, s, h) for p, i, v, t, s, h in cursor.fetchall()]
            if rows:
                yield rows
            if len(rows) < batch:
                return
            first = rows[-1][0] + 1
    finally:
        cursor.close()


class Canonical:
    """Builds the canonical bytes (``chain.canonical_bytes``) of one tenant's rows with
    one ``struct`` call per row, each topic encoded once."""

    def __init__(self, tenant_id: str) -> None:
        self.prefix = tenant_prefix(tenant_id)
        self._topics: dict[str, bytes] = {}

    def __call__(self, row: Row) -> bytes:
        position, originator_id, version, topic, state, _ = row
        encoded = self._topics.get(topic)
        if encoded is None:
            encoded = self._topics[topic] = topic.encode()
        return b"".join(
            (
                self.prefix,
                EVENT_FIELDS.pack(position, originator_id, version, len(encoded)),
                encoded,
                COUNT.pack(len(state)),
                state,
            )
        )
