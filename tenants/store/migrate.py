"""Create the store's tables and functions (read models are the projections' own)."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

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


def migrate_store(engine: Engine) -> None:
    """Create every store table, index and function that does not exist yet."""
    store_metadata.create_all(engine)
    if is_sqlite(engine):
        return
    with engine.begin() as conn:
        create_append_function(conn)
        for name, definition in _LATER_CONSTRAINTS.items():
            exists = conn.exec_driver_sql(
                "SELECT 1 FROM pg_constraint WHERE conname = %s", (name,)
            ).first()
            if exists is None:
                conn.exec_driver_sql(f"ALTER TABLE es_events ADD CONSTRAINT {name} {definition}")


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
    return pending
