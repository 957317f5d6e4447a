"""Create the store and read-model tables: the only place tables are created."""

from __future__ import annotations

from sqlalchemy import Engine

import projections.tables_followup  # noqa: F401  (registers its tables)
from projections.tables import read_metadata
from tenants.database import is_sqlite
from tenants.pg_append import create_append_function
from tenants.schema import store_metadata


def migrate(engine: Engine) -> None:
    """Create every table and index that does not exist yet."""
    store_metadata.create_all(engine)
    read_metadata.create_all(engine)
    if not is_sqlite(engine):
        with engine.begin() as conn:
            create_append_function(conn)


def recreate_read_models(engine: Engine) -> None:
    """Drop and recreate the read-model tables (the logs are untouched); replay follows."""
    read_metadata.drop_all(engine)
    read_metadata.create_all(engine)
