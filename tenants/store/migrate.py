"""Create the store's tables and functions (read models are the projections' own)."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, inspect

from tenants.store import partitions as layout
from tenants.store.database import is_sqlite
from tenants.store.pg_append import append_function_current, create_append_function
from tenants.store.schema import HEAD_FOREIGN_KEY, POSITION_CHECK, store_metadata
from tenants.store.webhooks import webhook_secrets  # noqa: F401  (declares the webhook tables)

# Constraints added after the first release: a database created before them gets
# them here (PostgreSQL; an SQLite file keeps the shape it was created with, and
# `gongjian verify` checks the same rules on it).
_LATER_CONSTRAINTS = {
    POSITION_CHECK: "CHECK (position > 0)",
    HEAD_FOREIGN_KEY: "FOREIGN KEY (tenant_id) REFERENCES es_tenant_heads (tenant_id)",
}


def migrate_store(engine: Engine, partitions: int | None = None) -> int:
    """Create every store table, index and function that does not exist yet, and on
    PostgreSQL bring the per-tenant tables to ``partitions`` hash partitions (None: the
    ``GONGJIAN_PARTITIONS`` setting, else the store's own layout, else the default for
    a new store); return the partition count (0 on SQLite)."""
    if is_sqlite(engine):
        store_metadata.create_all(engine)
        return 0
    with engine.connect() as conn:
        count = target_partitions(conn, partitions)
    layout.relayout(engine, store_metadata, count)
    layout.create_tables(engine, store_metadata, count)
    with engine.begin() as conn:
        create_append_function(conn)
        for name, definition in _LATER_CONSTRAINTS.items():
            exists = conn.exec_driver_sql(
                "SELECT 1 FROM pg_constraint WHERE conname = %s", (name,)
            ).first()
            if exists is None:
                conn.exec_driver_sql(f"ALTER TABLE es_events ADD CONSTRAINT {name} {definition}")
    return count


def target_partitions(conn: Connection, requested: int | None) -> int:
    """The partition count a migrate brings the store to: the one asked for, else the
    store's own, else the default for a new store."""
    asked = layout.configured(requested)
    if asked is not None:
        return asked
    present = layout.store_partitions(conn)
    return layout.DEFAULT_PARTITIONS if present is None else present


def store_pending(engine: Engine) -> list[str]:
    """What ``migrate_store`` would still create or change here (empty: up to date)."""
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
        pending = [f"table {name}" for name in store_metadata.tables if name not in present]
        if is_sqlite(engine) or pending:
            return pending
        for name in _LATER_CONSTRAINTS:
            exists = conn.exec_driver_sql(
                "SELECT 1 FROM pg_constraint WHERE conname = %s", (name,)
            ).first()
            if exists is None:
                pending.append(f"constraint {name}")
        if not append_function_current(conn):
            pending.append("function gongjian_append")
        pending.extend(_layout_pending(conn))
    return pending


def _layout_pending(conn: Connection) -> list[str]:
    """The store tables whose partitions are not the count the setting asks for (when
    it is set), or not the log's."""
    try:
        asked = layout.configured()
    except layout.PartitionsError as error:  # migrate would refuse it: nothing is current
        return [str(error)]
    wanted = (layout.store_partitions(conn) or 0) if asked is None else asked
    return [
        f"partitions of {table.name}: {wanted}"
        for table in layout.mismatched(conn, store_metadata.sorted_tables, wanted)
    ]
