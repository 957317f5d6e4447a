"""Create the store's tables and functions (read models are the projections' own)."""

from __future__ import annotations

from sqlalchemy import Engine

from tenants.store.database import is_sqlite
from tenants.store.pg_append import create_append_function
from tenants.store.schema import store_metadata


def migrate_store(engine: Engine) -> None:
    """Create every store table, index and function that does not exist yet."""
    store_metadata.create_all(engine)
    if not is_sqlite(engine):
        with engine.begin() as conn:
            create_append_function(conn)
