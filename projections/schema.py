"""Create, drop and recreate the read-model tables."""

from __future__ import annotations

from sqlalchemy import Engine, Table

import projections.tables_engagement
import projections.tables_webhooks  # noqa: F401  (both register their tables)
from projections.tables import read_metadata
from tenants.store import row_security


def read_model_tables() -> list[Table]:
    """Every read-model table."""
    return list(read_metadata.tables.values())


def create_read_models(engine: Engine) -> None:
    """Create every read-model table and index that does not exist yet."""
    read_metadata.create_all(engine)


def recreate_read_models(engine: Engine) -> None:
    """Drop and recreate the read-model tables (the logs are untouched); replay follows.
    On PostgreSQL their row security comes back with them."""
    read_metadata.drop_all(engine)
    read_metadata.create_all(engine)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            row_security.enable(conn, read_model_tables())
