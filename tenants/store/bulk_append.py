"""Appending many tenants' events at once: import, demo loading and data migration.

``bulk_append`` appends each tenant's events after its head, every tenant of one
call in one transaction, with the store's guarantees of the per-command path
(``tenants.store.recorder``): positions continue gap-free from each tenant's head,
each row carries its chain hash (``tenants.store.chain``, computed here in Python
under the lock, as ``gongjian verify`` recomputes it), and each head row moves to
the last position and hash. The heads are locked ``FOR UPDATE`` (in tenant order,
so two bulk appends never deadlock each other) before anything is read from them:
a normal append to one of those tenants waits for the commit and then continues
from the new head, never between two bulk rows. On PostgreSQL the rows go in by one
binary ``COPY`` (partitioned or not, ``es_events`` takes it); on SQLite by one
``executemany`` under the write lock.

This is an operator's path, like ``gongjian migrate``: the application's database
role may not insert into the event tables (``tenants.store.row_security.grant``:
only ``gongjian_append`` writes them, with its owner's rights), so a bulk append
must connect as the tables' owner, and is refused (``BulkAppendRefused``)
otherwise. No HTTP route reaches it (a test checks that ``api`` never imports it).
No idempotency key is recorded: a bulk append is not a command.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import IntegrityError, StoredEvent
from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlalchemy import exc as sa_exc

from tenants.store.chain import GENESIS
from tenants.store.database import is_sqlite, write_transaction
from tenants.store.schema import events, tenant_heads

_INSUFFICIENT_PRIVILEGE = "42501"
_COLUMNS = (
    "tenant_id",
    "position",
    "originator_id",
    "originator_version",
    "topic",
    "state",
    "hash",
)
_COPY = f"COPY es_events ({', '.join(_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
# COPY's binary format: a signature, flags and header extension; each row its field
# count and each field its length and bytes (big-endian); -1 after the last row.
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_ROW_START = struct.pack(">h", len(_COLUMNS))
_TRAILER = struct.pack(">h", -1)
_NEW_HEADS = (
    "INSERT INTO es_tenant_heads (tenant_id, position, hash)"
    " SELECT tenant, 0, %s FROM unnest(%s::text[]) AS tenant ON CONFLICT (tenant_id) DO NOTHING"
)
_LOCK_HEADS = (
    "SELECT tenant_id, position, hash FROM es_tenant_heads"
    " WHERE tenant_id = ANY(%s::text[]) ORDER BY tenant_id FOR UPDATE"
)
_MOVE_HEADS = (
    "UPDATE es_tenant_heads AS head SET position = moved.position, hash = moved.hash"
    " FROM unnest(%s::text[], %s::bigint[], %s::bytea[]) AS moved(tenant_id, position, hash)"
    " WHERE head.tenant_id = moved.tenant_id"
)

Row = tuple[str, int, UUID, int, str, bytes, bytes]
Head = tuple[int, bytes]


class BulkAppendRefused(Exception):
    """The database role may not write the event log (only its owner bulk-appends)."""


def bulk_append(engine: Engine, logs: Mapping[str, Sequence[StoredEvent]]) -> dict[str, range]:
    """Append each tenant's events after its head, all in one transaction; return the
    positions each tenant's events took. Nothing is appended if anything fails
    (IntegrityError: an event's aggregate version is already in the tenant's log)."""
    ordered = {tenant: logs[tenant] for tenant in sorted(logs) if logs[tenant]}
    if not ordered:
        return {}
    try:
        with write_transaction(engine) as conn:
            if is_sqlite(engine):
                heads = _lock_heads_sqlite(conn, list(ordered))
            else:
                heads = _lock_heads_postgres(conn, list(ordered))
            moved: dict[str, Head] = {}
            rows = chained_rows(ordered, heads, moved)
            if is_sqlite(engine):
                _write_sqlite(conn, list(rows), moved)
            else:
                _write_postgres(conn, rows, moved)
    except (sa_exc.IntegrityError, psycopg.IntegrityError) as error:
        # As the per-command path says it: a drafted event's aggregate version (or a
        # position) was taken meanwhile.
        raise IntegrityError(str(getattr(error, "orig", error))) from error
    except (sa_exc.DBAPIError, psycopg.Error) as error:
        cause = error.orig if isinstance(error, sa_exc.DBAPIError) else error
        if getattr(cause, "sqlstate", None) == _INSUFFICIENT_PRIVILEGE:
            raise BulkAppendRefused(
                "this database role may not write the event log: bulk-append as the "
                f"tables' owner, as 'gongjian migrate' runs ({str(cause).strip()})"
            ) from error
        raise
    return {tenant: range(heads[tenant][0] + 1, moved[tenant][0] + 1) for tenant in ordered}


def chained_rows(
    logs: Mapping[str, Sequence[StoredEvent]], heads: Mapping[str, Head], moved: dict[str, Head]
) -> Iterator[Row]:
    """The event rows that continue each tenant's chain from its head; once a
    tenant's rows are all given, ``moved`` holds the head they move it to."""
    sha256, pack = hashlib.sha256, struct.pack
    topics: dict[str, bytes] = {}
    for tenant, stored_events in logs.items():
        position, previous = heads[tenant]
        # chain.canonical_bytes, its fields laid out once per tenant and topic: the
        # per-row cost is what limits the bulk rate (a test holds the two equal).
        tenant_field = _field(tenant.encode())
        for stored in stored_events:
            position += 1
            originator = _as_uuid(stored.originator_id)
            version, topic, state = stored.originator_version, stored.topic, stored.state
            topic_field = topics.get(topic)
            if topic_field is None:
                topic_field = topics[topic] = _field(topic.encode())
            previous = sha256(
                b"".join(
                    (
                        previous,
                        tenant_field,
                        pack(">q", position),
                        originator.bytes,
                        pack(">q", version),
                        topic_field,
                        pack(">Q", len(state)),
                        state,
                    )
                )
            ).digest()
            yield (tenant, position, originator, version, topic, state, previous)
        moved[tenant] = (position, previous)


def _lock_heads_postgres(conn: Connection, tenants: list[str]) -> dict[str, Head]:
    cursor = _driver(conn).cursor()
    # A new tenant's head first (at position 0), so that every head can be locked.
    cursor.execute(_NEW_HEADS, (GENESIS, tenants))
    cursor.execute(_LOCK_HEADS, (tenants,))
    return {tenant: (int(position), bytes(hash_)) for tenant, position, hash_ in cursor}


def _write_postgres(conn: Connection, rows: Iterator[Row], moved: dict[str, Head]) -> None:
    cursor = _driver(conn).cursor()
    # Rows are chained and laid out a chunk at a time while PostgreSQL (another
    # process) takes in the chunk before: the two overlap instead of taking turns.
    with cursor.copy(_COPY) as copy:
        for chunk in _binary_copy(rows):
            copy.write(chunk)
    tenants = list(moved)
    positions = [moved[tenant][0] for tenant in tenants]
    hashes = [moved[tenant][1] for tenant in tenants]
    cursor.execute(_MOVE_HEADS, (tenants, positions, hashes))


def _binary_copy(rows: Iterator[Row], chunk: int = 5_000) -> Iterator[bytes]:
    """The rows in COPY's binary format, a chunk of rows at a time (laid out here,
    each distinct text encoded once: cheaper than psycopg's per-value dumpers)."""
    pack = struct.pack
    texts: dict[str, bytes] = {}

    def text(value: str) -> bytes:
        encoded = texts.get(value)
        if encoded is None:
            raw = value.encode()
            encoded = texts[value] = pack(">i", len(raw)) + raw
        return encoded

    parts: list[bytes] = [_SIGNATURE]
    for n, (tenant, position, originator, version, topic, state, hash_) in enumerate(rows, 1):
        parts += (
            _ROW_START,
            text(tenant),
            pack(">iqi", 8, position, 16),
            originator.bytes,
            pack(">iq", 8, version),
            text(topic),
            pack(">i", len(state)),
            state,
            pack(">i", len(hash_)),
            hash_,
        )
        if n % chunk == 0:
            yield b"".join(parts)
            parts = []
    parts.append(_TRAILER)
    yield b"".join(parts)


def _lock_heads_sqlite(conn: Connection, tenants: list[str]) -> dict[str, Head]:
    # The write transaction holds SQLite's one write lock: no head can move meanwhile.
    query = select(tenant_heads).where(tenant_heads.c.tenant_id.in_(tenants))
    heads = {row.tenant_id: (int(row.position), bytes(row.hash)) for row in conn.execute(query)}
    new = [tenant for tenant in tenants if tenant not in heads]
    if new:
        conn.execute(
            insert(tenant_heads), [{"tenant_id": t, "position": 0, "hash": GENESIS} for t in new]
        )
        heads.update((tenant, (0, GENESIS)) for tenant in new)
    return heads


def _write_sqlite(conn: Connection, rows: list[Row], moved: dict[str, Head]) -> None:
    conn.execute(insert(events), [dict(zip(_COLUMNS, row, strict=True)) for row in rows])
    conn.execute(
        update(tenant_heads)
        .where(tenant_heads.c.tenant_id == bindparam("tenant"))
        .values(position=bindparam("head_position"), hash=bindparam("head_hash")),
        [
            {"tenant": tenant, "head_position": position, "head_hash": hash_}
            for tenant, (position, hash_) in moved.items()
        ],
    )


def _driver(conn: Connection) -> Any:
    driver = conn.connection.driver_connection
    assert driver is not None
    return driver


def _as_uuid(originator_id: UUID | str) -> UUID:
    return originator_id if isinstance(originator_id, UUID) else UUID(originator_id)


def _field(data: bytes) -> bytes:
    return struct.pack(">Q", len(data)) + data
