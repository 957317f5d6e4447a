"""Create, drop and recreate the read-model tables; recreate them when their declared
shape changed since the last migrate.

On PostgreSQL they are hash-partitioned by tenant as the store is
(``tenants.store.partitions``): a migrate that changes the store's partition count
rebuilds them to match, keeping their rows.

Read models are derived from the logs, so a new column or table is never migrated
row by row: ``gongjian migrate`` compares a fingerprint of the read models' DDL with
the one it stored last time, and when they differ it drops and recreates them and
clears the projection's tracking, so that projection replays every log into the new
shape (the logs are untouched).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    delete,
    inspect,
    select,
)
from sqlalchemy.schema import CreateIndex, CreateTable

import projections.search_index  # registers the search index
import projections.tables_affairs
import projections.tables_agreements
import projections.tables_commendations
import projections.tables_engagement
import projections.tables_evidence
import projections.tables_plenary_business
import projections.tables_upward_reports
import projections.tables_webhooks  # noqa: F401  (each registers its tables)
from projections.tables import read_metadata
from tenants.store import partitions, row_security

# Kept apart from the read models' metadata: never fingerprinted, dropped or replayed.
_version_metadata = MetaData()
read_model_version = Table(
    "rm_schema_version",
    _version_metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("migrated_at", DateTime(timezone=True), nullable=False),
)


def fingerprint(engine: Engine) -> str:
    """SHA-256 of the read models' DDL as this database would create them."""
    statements = []
    for table in sorted(read_metadata.tables.values(), key=lambda t: t.name):
        statements.append(str(CreateTable(table).compile(dialect=engine.dialect)).strip())
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            statements.append(str(CreateIndex(index).compile(dialect=engine.dialect)).strip())
    return hashlib.sha256("\n;\n".join(statements).encode()).hexdigest()


_fingerprints: dict[tuple[str, object], str] = {}


def read_models_current(engine: Engine) -> bool:
    """Whether the read models were last migrated to the shape this code declares."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(read_model_version.name):
            return False
        stored = conn.execute(select(read_model_version.c.fingerprint)).scalar()
    # Compiled once connected (the dialect knows its server then), and kept: for one
    # server the declarations, and so the fingerprint, are the code's.
    server = (engine.dialect.name, engine.dialect.server_version_info)
    if server not in _fingerprints:
        _fingerprints[server] = fingerprint(engine)
    return stored == _fingerprints[server]


def migrate_read_models(engine: Engine) -> bool:
    """Bring the read models to their declared shape. Returns True when they were
    recreated empty (their shape changed) and projection must replay every log."""
    _version_metadata.create_all(engine)
    current = fingerprint(engine)
    with engine.connect() as conn:
        stored = conn.execute(select(read_model_version.c.fingerprint)).scalar()
    existing = set(inspect(engine).get_table_names()) & set(read_metadata.tables)
    replay = stored != current and (stored is not None or bool(existing))
    if replay:
        recreate_read_models(engine)
        _forget_projection(engine)
    else:
        create_read_models(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            count = _store_partitions(conn)
        partitions.relayout(engine, read_metadata, count)
    if stored != current:
        with engine.begin() as conn:
            conn.execute(delete(read_model_version))
            conn.execute(
                read_model_version.insert().values(
                    fingerprint=current, migrated_at=datetime.now(UTC)
                )
            )
    return replay


def _forget_projection(engine: Engine) -> None:
    """Clear the projection's tracking and parking: every log replays from position 1."""
    from projections.runner import PROJECTION  # the runner imports this module's tables
    from tenants.store.schema import parked, tracking

    with engine.begin() as conn:
        conn.execute(delete(tracking).where(tracking.c.projection == PROJECTION))
        conn.execute(delete(parked).where(parked.c.projection == PROJECTION))


def read_model_tables() -> list[Table]:
    """Every read-model table."""
    return list(read_metadata.tables.values())


def read_models_laid_out(engine: Engine) -> list[str]:
    """The read-model tables whose partitions are not the store's (PostgreSQL)."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as conn:
        count = _store_partitions(conn)
        return [
            f"partitions of {table.name}: {count}"
            for table in partitions.mismatched(conn, read_model_tables(), count)
        ]


def _store_partitions(conn: Connection) -> int:
    return partitions.store_partitions(conn) or 0


def create_read_models(engine: Engine) -> None:
    """Create every read-model table and index that does not exist yet, partitioned as
    the store is."""
    if engine.dialect.name != "postgresql":
        read_metadata.create_all(engine)
        return
    with engine.connect() as conn:
        count = _store_partitions(conn)
    partitions.create_tables(engine, read_metadata, count)


def recreate_read_models(engine: Engine) -> None:
    """Drop and recreate the read-model tables (the logs are untouched); replay follows.
    On PostgreSQL their partitions and row security come back with them."""
    read_metadata.drop_all(engine)
    create_read_models(engine)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            row_security.enable(conn, read_model_tables())
