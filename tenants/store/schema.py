"""Tables of the event store: events, per-tenant heads, idempotency keys, signed
checkpoints, the stored nodes of each tenant's Merkle tree, and persons' data keys.

Every key is led by ``tenant_id`` so that the tables can be partitioned or
distributed by tenant without redesign.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    Uuid,
    text,
)

store_metadata = MetaData()

POSITION_CHECK = "es_events_position_positive"
HEAD_FOREIGN_KEY = "es_events_tenant_head_fkey"

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
    # Positions start at 1 (the write side would load a row at 0 that no chain covers),
    # and every event belongs to a tenant whose head is recorded.
    CheckConstraint("position > 0", name=POSITION_CHECK),
    ForeignKeyConstraint(["tenant_id"], ["es_tenant_heads.tenant_id"], name=HEAD_FOREIGN_KEY),
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

checkpoints = Table(
    "es_checkpoints",
    store_metadata,
    Column("tenant_id", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),  # the tree size: positions 1..size
    Column("head_hash", LargeBinary, nullable=False),  # the chain hash at position size
    Column("root", LargeBinary, nullable=False),  # the Merkle tree head of 1..size
    Column("taken_at", DateTime(timezone=True), nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("signature", LargeBinary, nullable=False),
    PrimaryKeyConstraint("tenant_id", "size", name="es_checkpoints_pkey"),
)

# Perfect subtrees of a tenant's Merkle tree at levels 4 and above (16 leaves or
# more), each stored once the checkpoint that first covers it is taken. Lower
# levels are recomputed from the at most 16 events of one block.
merkle_nodes = Table(
    "es_merkle_nodes",
    store_metadata,
    Column("tenant_id", String(64), nullable=False),
    Column("level", Integer, nullable=False),
    Column("idx", BigInteger, nullable=False),
    Column("hash", LargeBinary, nullable=False),
    PrimaryKeyConstraint("tenant_id", "level", "idx", name="es_merkle_nodes_pkey"),
)

# Each person's data key (AES-256) in a tenant, made when their data is first
# written. Forgetting a person destroys the key and keeps the row (key NULL,
# erased_at set), so that data written for them later is stored already erased; a
# storage-only mark (restricted_at) keeps the key and hides the data from every read.
UNREADABLE = "(key IS NULL OR restricted_at IS NOT NULL)"
person_keys = Table(
    "es_person_keys",
    store_metadata,
    Column("tenant_id", String(64), nullable=False),
    Column("person_id", String(200), nullable=False),
    Column("key", LargeBinary, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("erased_at", DateTime(timezone=True), nullable=True),
    Column("restricted_at", DateTime(timezone=True), nullable=True),
    Column("reason", Text, nullable=True),
    PrimaryKeyConstraint("tenant_id", "person_id", name="es_person_keys_pkey"),
    # The persons no read may show: counted for every request the answer cache checks.
    Index(
        "es_person_keys_unreadable_idx",
        "tenant_id",
        postgresql_where=text(UNREADABLE),
        sqlite_where=text(UNREADABLE),
    ),
)
