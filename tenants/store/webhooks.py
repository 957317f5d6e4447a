"""The store's webhook tables: signing secrets, delivery cursors and the delivery log.

None of them is part of a tenant's log or of its read models, and none is exported
with a log, replayed or rebuilt:

- ``es_webhook_secrets``: each webhook's HMAC secret, one row per generation (the
  log records only which generation is current). It is kept out of the log because
  the log is exported to auditors and may never be changed: a secret in it would be
  readable by every holder of an export, for good. No read path selects it; only the
  dispatcher does, to sign.
- ``es_webhook_cursors``: per webhook, the log position up to which every event has
  been given a delivery (or was not wanted), the last retry request handled, and
  the lease of the process delivering for it now.
- ``es_webhook_deliveries``: the delivery log, one row per event sent to a webhook:
  its attempts, the last status code or error, and when it is next tried.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    select,
)

from tenants.store.database import write_transaction
from tenants.store.schema import store_metadata

webhook_secrets = Table(
    "es_webhook_secrets",
    store_metadata,
    Column("tenant_id", String(64), nullable=False),
    Column("webhook_id", String(36), nullable=False),
    Column("generation", Integer, nullable=False),
    Column("secret", String(100), nullable=False),
    PrimaryKeyConstraint("tenant_id", "webhook_id", "generation", name="es_webhook_secrets_pkey"),
)

webhook_cursors = Table(
    "es_webhook_cursors",
    store_metadata,
    Column("tenant_id", String(64), nullable=False),
    Column("webhook_id", String(36), nullable=False),
    Column("position", BigInteger, nullable=False),  # every event up to here has a delivery
    Column("retried_through", BigInteger, nullable=False),  # the last retry request handled
    Column("lease", String(32)),  # the process delivering for this webhook now
    Column("leased_until", DateTime(timezone=True)),
    PrimaryKeyConstraint("tenant_id", "webhook_id", name="es_webhook_cursors_pkey"),
)

webhook_deliveries = Table(
    "es_webhook_deliveries",
    store_metadata,
    Column("tenant_id", String(64), nullable=False),
    Column("delivery_id", String(36), nullable=False),
    Column("webhook_id", String(36), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("status", String(12), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True)),  # null once settled
    Column("last_attempt_at", DateTime(timezone=True)),
    Column("last_status_code", Integer),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("settled_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("tenant_id", "delivery_id", name="es_webhook_deliveries_pkey"),
    # One delivery per event and webhook: a retry reuses it, and a second process
    # can never queue the same event twice.
    Index("es_webhook_deliveries_event_idx", "tenant_id", "webhook_id", "position", unique=True),
)


def new_secret() -> str:
    """A fresh signing secret (shown once, to whoever registered or rotated it)."""
    return "whsec_" + secrets.token_urlsafe(32)


def keep_secret(
    engine: Engine, tenant_id: str, webhook_id: str, generation: int, secret: str
) -> None:
    """Keep a webhook's secret of one generation, before the log records that generation
    (a secret whose event never got recorded is never used)."""
    with write_transaction(engine) as conn:
        conn.execute(
            webhook_secrets.delete().where(
                webhook_secrets.c.tenant_id == tenant_id,
                webhook_secrets.c.webhook_id == webhook_id,
                webhook_secrets.c.generation == generation,
            )
        )
        conn.execute(
            webhook_secrets.insert().values(
                tenant_id=tenant_id, webhook_id=webhook_id, generation=generation, secret=secret
            )
        )


def secret_of(engine: Engine, tenant_id: str, webhook_id: str, generation: int) -> str | None:
    """The webhook's secret of ``generation``, or None if none was kept."""
    query = select(webhook_secrets.c.secret).where(
        webhook_secrets.c.tenant_id == tenant_id,
        webhook_secrets.c.webhook_id == webhook_id,
        webhook_secrets.c.generation == generation,
    )
    with engine.connect() as conn:
        found = conn.execute(query).scalar()
    return None if found is None else str(found)


def moment(value: datetime | None) -> datetime | None:
    """A stored moment in UTC (SQLite hands moments back without their zone)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
