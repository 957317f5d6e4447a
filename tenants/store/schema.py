"""Tables of the event store: events, per-tenant heads, idempotency keys.

Every key is led by ``tenant_id`` so that the tables can be partitioned or
distributed by tenant without redesign.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    Uuid,
)

store_metadata = MetaData()

events = Table(
    "es_events",
    store_metadata,
    Column("tenant_id", String(64), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("originator_id", Uuid, nullable=False),
    Column("originator_version", BigInteger, nullable=False),
    Column("topic", Text, nullable=False),
    Column("state", LargeBinary, nullable=False),
    Column("hash", LargeBinary, nullable=False),
    PrimaryKeyConstraint("tenant_id", "position", name="es_events_pkey"),
    Index(
        "es_events_aggregate_idx",
        "tenant_id",
        "originator_id",
        "originator_version",
        unique=True,
    ),
)

tenant_heads = Table(
    "es_tenant_heads",
    store_metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("hash", LargeBinary, nullable=False),
)

idempotency_keys = Table(
    "es_idempotency_keys",
    store_metadata,
    Column("tenant_id", String(64), nullable=False),
    Column("key", String(200), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("response", Text, nullable=False),
    Column("first_position", BigInteger, nullable=False),
    Column("event_count", Integer, nullable=False),
    PrimaryKeyConstraint("tenant_id", "key", name="es_idempotency_keys_pkey"),
)

tracking = Table(
    "es_tracking",
    store_metadata,
    Column("tenant_id", String(64), nullable=False),
    Column("projection", String(100), nullable=False),
    Column("position", BigInteger, nullable=False),
    PrimaryKeyConstraint("tenant_id", "projection", name="es_tracking_pkey"),
)

parked = Table(
    "es_parked",
    store_metadata,
    Column("tenant_id", String(64), nullable=False),
    Column("projection", String(100), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("error", Text, nullable=False),
    Column("parked_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("tenant_id", "projection", name="es_parked_pkey"),
)
