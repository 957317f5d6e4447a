"""Create, drop and recreate the read-model tables."""

from __future__ import annotations

from sqlalchemy import Engine

import projections.tables_engagement  # noqa: F401  (registers its tables)
from projections.tables import read_metadata


def create_read_models(engine: Engine) -> None:
    """Create every read-model table and index that does not exist yet."""
    read_metadata.create_all(engine)


def recreate_read_models(engine: Engine) -> None:
    """Drop and recreate the read-model tables (the logs are untouched); replay follows."""
    read_metadata.drop_all(engine)
    read_metadata.create_all(engine)
