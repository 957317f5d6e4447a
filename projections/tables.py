"""Read-model tables. Every primary key is led by ``tenant_id``."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from projections.temporal import temporal_columns

read_metadata = MetaData()

TENANT = 64
ID = 64


def tenant_column() -> Column[str]:
    """The ``tenant_id`` column that leads every read-model key."""
    return Column("tenant_id", String(TENANT), nullable=False)


tenants = Table(
    "rm_tenants",
    read_metadata,
    Column("tenant_id", String(TENANT), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("name", Text, nullable=False),
    Column("parent_id", String(TENANT), index=True),
    Column("charter", JSON, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "valid_from"),
)

street_communities = Table(
    "rm_street_communities",
    read_metadata,
    Column("tenant_id", String(TENANT), nullable=False),  # the street
    Column("community_id", String(TENANT), nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "community_id", "valid_from"),
)

units = Table(
    "rm_units",
    read_metadata,
    tenant_column(),
    Column("unit_id", String(ID), nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("representative", JSON),
    Column("liaison", JSON),
    Column("active", Boolean, nullable=False),
    Column("joined_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "unit_id", "valid_from"),
)

meetings = Table(
    "rm_meetings",
    read_metadata,
    tenant_column(),
    Column("meeting_id", String(ID), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("title", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("scheduled_for", DateTime(timezone=True), nullable=False),
    Column("location", Text, nullable=False),
    Column("charter", JSON, nullable=False),
    Column("notice_issued_at", DateTime(timezone=True)),
    Column("extraordinary", Boolean, nullable=False, default=False),
    Column("minutes", Text),
    Column("minutes_issued_at", DateTime(timezone=True)),
    Column("created_position", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "meeting_id", "valid_from"),
    Index("rm_meetings_schedule_idx", "tenant_id", "scheduled_for", "meeting_id"),
)

agenda_items = Table(
    "rm_agenda_items",
    read_metadata,
    tenant_column(),
    Column("meeting_id", String(ID), nullable=False),
    Column("item_id", String(ID), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("title", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("outcome", String(20)),
    Column("tally", JSON),
    Column("carried_from", String(200)),
    Column("resolution_id", String(ID)),
    Column("opinions_due", DateTime(timezone=True)),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "meeting_id", "item_id", "valid_from"),
)

attendance = Table(
    "rm_attendance",
    read_metadata,
    tenant_column(),
    Column("meeting_id", String(ID), nullable=False),
    Column("unit_id", String(ID), nullable=False),
    Column("notified", Boolean, nullable=False),
    Column("signed_in", Boolean, nullable=False),
    Column("attendee", Text),
    Column("substitute", Boolean, nullable=False),
    Column("on_leave", Boolean, nullable=False),
    Column("leave_reason", Text),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "meeting_id", "unit_id", "valid_from"),
)

opinions = Table(
    "rm_opinions",
    read_metadata,
    tenant_column(),
    Column("meeting_id", String(ID), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("item_id", String(ID), nullable=False),
    Column("unit_id", String(ID), nullable=False),
    Column("text", Text, nullable=False),
    Column("with_leave", Boolean, nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "meeting_id", "position", "item_id", "valid_from"),
)

positions = Table(
    "rm_positions",
    read_metadata,
    tenant_column(),
    Column("meeting_id", String(ID), nullable=False),
    Column("item_id", String(ID), nullable=False),
    Column("unit_id", String(ID), nullable=False),
    Column("position", String(20), nullable=False),
    Column("reason", Text),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "meeting_id", "item_id", "unit_id", "valid_from"),
)

resolutions = Table(
    "rm_resolutions",
    read_metadata,
    tenant_column(),
    Column("resolution_id", String(ID), nullable=False),
    Column("meeting_id", String(ID), nullable=False),
    Column("item_id", String(ID), nullable=False),
    Column("title", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("responsible", JSON, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("notified", JSON, nullable=False),
    Column("completed_by", JSON, nullable=False),
    Column("superseded_by", String(ID)),
    Column("adopted_at", DateTime(timezone=True), nullable=False),
    Column("verified_at", DateTime(timezone=True)),
    Column("created_position", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "resolution_id", "valid_from"),
    Index("rm_resolutions_deadline_idx", "tenant_id", "deadline"),
)

execution_reports = Table(
    "rm_execution_reports",
    read_metadata,
    tenant_column(),
    Column("resolution_id", String(ID), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("unit_id", String(ID), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("note", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("returned_reason", Text),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "resolution_id", "position", "valid_from"),
)

events = Table(
    "rm_events",
    read_metadata,
    tenant_column(),
    Column("position", BigInteger, nullable=False),
    Column("record_type", String(40), nullable=False),
    Column("record_id", String(ID), nullable=False),
    Column("type", String(60), nullable=False),
    Column("version", Integer, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("occurred_at", DateTime(timezone=True)),
    Column("actor", JSON, nullable=False),
    Column("reason", Text),
    Column("data", JSON, nullable=False),
    PrimaryKeyConstraint("tenant_id", "position"),
)

record_events = Table(
    "rm_record_events",
    read_metadata,
    tenant_column(),
    Column("record_id", String(200), nullable=False),
    Column("position", BigInteger, nullable=False),
    PrimaryKeyConstraint("tenant_id", "record_id", "position"),
)

PROJECTED_TABLES = [
    tenants,
    street_communities,
    units,
    meetings,
    agenda_items,
    attendance,
    opinions,
    positions,
    resolutions,
    execution_reports,
    events,
    record_events,
]
