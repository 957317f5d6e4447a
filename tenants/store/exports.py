"""A tenant's log written out as an export file (``export_file``), and an export
stored back into an empty deployment, with identical positions, hashes, checkpoints
and Merkle nodes.

Writing reads the head, the checkpoints and the events in one snapshot (REPEATABLE
READ on PostgreSQL, one read transaction on SQLite), so the header always describes
the records that follow it. Storing first verifies the whole file
(``export_verifier``), then reads it a second time inside the importing transaction,
recomputing the chain (which must reach the verified head hash, so the rows stored are
the rows verified even if the file changed in between) and the Merkle nodes the store
keeps; nothing is committed unless every row went in. On PostgreSQL the application's
role may not insert into the log: an import runs as the tables' owner, as migrate does.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO
from uuid import UUID

from sqlalchemy import Connection, Engine, Table, exists, insert, literal, select, union_all
from sqlalchemy.exc import DBAPIError, IntegrityError

from tenants.store import log_rows, tree
from tenants.store.chain import GENESIS
from tenants.store.checkpoints import of_tenant
from tenants.store.database import write_transaction
from tenants.store.export_file import (
    Header,
    decode_event,
    read_header,
    record,
    records,
    tenant_prefix,
)
from tenants.store.export_verifier import verify_export
from tenants.store.keys import PublicKey
from tenants.store.log_rows import Canonical
from tenants.store.schema import checkpoints, events, merkle_nodes, tenant_heads, tracking
from tenants.store.signed_checkpoint import Checkpoint, rfc3339

PIECE = 1024 * 1024  # bytes handed on at a time while writing
INSERT_BATCH = 10_000
_COPY_EVENTS = (
    "COPY es_events (tenant_id, position, originator_id, originator_version, topic, state, hash)"
    " FROM STDIN (FORMAT BINARY)"
)
_COPY_TYPES = ["text", "int8", "uuid", "int8", "text", "bytea", "bytea"]
_INSUFFICIENT_PRIVILEGE = "42501"
# A tenant has no row in any of these before it is imported (its projection included).
_TENANT_TABLES = (tenant_heads, events, checkpoints, merkle_nodes, tracking)


class ImportRefused(Exception):
    """The export was not imported (nothing was stored); the message says why."""


def export_pieces(
    engine: Engine,
    tenant_id: str,
    keys: list[PublicKey],
    parent_id: str | None = None,
    now: datetime | None = None,
) -> Iterator[bytes]:
    """The tenant's export file, in pieces of about a megabyte, header first."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            header = _header(conn, tenant_id, keys, parent_id, now or datetime.now(UTC))
            yield header.encode()
            yield from _record_pieces(conn, tenant_id, header.events)


def _header(
    conn: Connection, tenant_id: str, keys: list[PublicKey], parent_id: str | None, now: datetime
) -> Header:
    head = conn.execute(
        select(tenant_heads.c.position, tenant_heads.c.hash).where(
            tenant_heads.c.tenant_id == tenant_id
        )
    ).first()
    size, head_hash = (0, GENESIS) if head is None else (int(head.position), bytes(head.hash))
    return Header(
        tenant_id, parent_id, rfc3339(now), size, head_hash, keys, of_tenant(conn, tenant_id)
    )


def _record_pieces(conn: Connection, tenant_id: str, through: int) -> Iterator[bytes]:
    canonical = Canonical(tenant_id)
    piece: list[bytes] = []
    size = 0
    for rows in log_rows.batches(conn, tenant_id, through=through):
        for row in rows:
            data = record(row[5], canonical(row))
            piece.append(data)
            size += len(data)
            if size >= PIECE:
                yield b"".join(piece)
                piece, size = [], 0
    if piece:
        yield b"".join(piece)


def write_export(
    engine: Engine,
    tenant_id: str,
    out: BinaryIO,
    keys: list[PublicKey],
    parent_id: str | None = None,
    now: datetime | None = None,
) -> int:
    """Write the tenant's export to ``out``; return the number of bytes written."""
    written = 0
    for piece in export_pieces(engine, tenant_id, keys, parent_id, now):
        out.write(piece)
        written += len(piece)
    return written


@dataclass(frozen=True)
class StoredLog:
    """What an import stored."""

    tenant_id: str
    events: int
    checkpoints: int
    nodes: int


def verified_header(path: str, trusted: list[PublicKey] | None = None) -> Header:
    """The header of an export that verifies (under ``trusted`` keys if given, else
    the file's own); ImportRefused naming the first failure otherwise."""
    audit = verify_export(path, trusted, os.cpu_count() or 1)
    if audit.broken is not None:
        raise ImportRefused(f"the export does not verify: {audit.broken}")
    with open(path, "rb") as stream:
        return read_header(stream)


def store_export(engine: Engine, path: str, header: Header) -> StoredLog:
    """Store a verified export (``verified_header``) as its tenant's log: events, head,
    checkpoints and Merkle nodes, in one transaction. ImportRefused if the deployment
    already has any row of that tenant, or the file no longer matches ``header``."""
    tenant_id = header.tenant_id
    try:
        with write_transaction(engine) as conn:
            if _known(conn, tenant_id):
                raise ImportRefused(f"tenant {tenant_id} already exists in this deployment")
            # The head first: every event row refers to it.
            conn.execute(
                insert(tenant_heads).values(
                    tenant_id=tenant_id, position=header.events, hash=header.head_hash
                )
            )
            nodes = _store_events(conn, path, header)
            if header.checkpoints:
                conn.execute(insert(checkpoints), [_checkpoint_row(c) for c in header.checkpoints])
            if nodes:
                conn.execute(insert(merkle_nodes), nodes)
    except IntegrityError as error:
        # Another import (or the first append) of the same tenant committed first.
        raise ImportRefused(f"tenant {tenant_id} already exists in this deployment") from error
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) == _INSUFFICIENT_PRIVILEGE:
            raise ImportRefused(
                "this database role may not write the event log: import as the tables' "
                f"owner, as 'gongjian migrate' runs ({str(error.orig).strip()})"
            ) from error
        raise
    if engine.dialect.name == "postgresql":
        # A bulk load leaves the planner's statistics behind: reading a freshly loaded
        # log in order then took a bitmap scan and an on-disk sort (35,000 rows/s
        # instead of 200,000 here).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE es_events, es_merkle_nodes")
    return StoredLog(tenant_id, header.events, len(header.checkpoints), len(nodes))


def has_log(engine: Engine, tenant_id: str) -> bool:
    """Whether the store holds a log (a head, events or checkpoints) of the tenant."""
    with engine.connect() as conn:
        return _known(conn, tenant_id, (tenant_heads, events, checkpoints))


def _known(conn: Connection, tenant_id: str, tables: tuple[Table, ...] = _TENANT_TABLES) -> bool:
    """Whether the deployment has any row of the tenant in ``tables``."""
    found = union_all(
        *(
            select(literal(1)).where(exists().where(table.c.tenant_id == tenant_id))
            for table in tables
        )
    )
    return conn.execute(found).first() is not None


def _store_events(conn: Connection, path: str, header: Header) -> list[dict[str, Any]]:
    """Insert the file's events, checking the chain again on the way; return the
    Merkle nodes the store keeps (levels >= 4, within the newest checkpoint)."""
    tenant_id, sha256 = header.tenant_id, hashlib.sha256
    prefix = tenant_prefix(tenant_id)
    signed_to = header.checkpoints[-1].size if header.checkpoints else 0
    chain, position = GENESIS, 0
    frontier: list[bytes] = []
    nodes: list[dict[str, Any]] = []
    batch: list[tuple[Any, ...]] = []
    with open(path, "rb") as stream:
        if read_header(stream) != header:
            raise ImportRefused("the file changed after it was verified")
        for stored, data in records(stream):
            position += 1
            chain = sha256(chain + data).digest()
            if chain != stored or position > header.events:
                raise ImportRefused("the file changed after it was verified")
            try:
                event = decode_event(data, prefix)
            except UnicodeDecodeError:
                raise ImportRefused(f"position {position}: the topic is not UTF-8") from None
            batch.append(
                (tenant_id, position, event.originator_id, event.originator_version,
                 event.topic, event.state, stored)
            )  # fmt: skip
            if len(batch) >= INSERT_BATCH:
                insert_events(conn, batch)
                batch = []
            value, level, rest = sha256(b"\x00" + data).digest(), 0, position
            while not rest & 1:
                value = sha256(b"\x01" + frontier.pop() + value).digest()
                level += 1
                rest >>= 1
                if level >= tree.BLOCK_LEVEL and position <= signed_to:
                    index = (position >> level) - 1
                    nodes.append(
                        {"tenant_id": tenant_id, "level": level, "idx": index, "hash": value}
                    )
            frontier.append(value)
    if batch:
        insert_events(conn, batch)
    if position != header.events or chain != header.head_hash:
        raise ImportRefused("the file changed after it was verified")
    return nodes


def insert_events(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Insert event rows (tenant, position, originator id as 16 bytes, version, topic,
    state, chain hash) as they are: COPY on PostgreSQL, one executemany on SQLite."""
    if conn.dialect.name == "postgresql":
        _copy_events(conn, rows)
    else:
        _insert_events(conn, rows)


def _copy_events(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(_COPY_EVENTS) as copy:
        copy.set_types(_COPY_TYPES)
        for tenant_id, position, originator_id, version, topic, state, chain in rows:
            copy.write_row(
                (tenant_id, position, UUID(bytes=originator_id), version, topic, state, chain)
            )


def _insert_events(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    # SQLAlchemy's Uuid column holds 32 lower-case hex digits on SQLite.
    raw: Any = conn.connection.driver_connection
    raw.executemany(
        "INSERT INTO es_events (tenant_id, position, originator_id, originator_version, "
        "topic, state, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(t, p, i.hex(), v, topic, s, h) for t, p, i, v, topic, s, h in rows],
    )


def _checkpoint_row(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "tenant_id": checkpoint.tenant_id,
        "size": checkpoint.size,
        "head_hash": checkpoint.head_hash,
        "root": checkpoint.root,
        "taken_at": checkpoint.taken_at,
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
    }
