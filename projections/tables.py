"""Read-model tables (placeholder until the projectors land)."""

from __future__ import annotations

from sqlalchemy import MetaData

read_metadata = MetaData()
