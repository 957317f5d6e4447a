"""The read record of a tenant's webhooks (their deliveries are the store's own log,
``tenants.store.webhooks``: not derived from the log, so never rebuilt)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Integer, String, Text

from domain.webhooks import WebhookStatus
from projections.records import Field, Masking, Personal, Record, UtcDateTime, key

WEBHOOKS = Record(
    "rm_webhooks",
    keys=("webhook_id",),
    fields=(
        key("webhook_id", exposed_as="id"),
        # Hidden from readers who do not see personal data (in the feed and in
        # changes too): a URL may carry an integrator's own token in its query.
        Field("url", Text(), personal=Personal(Masking.HIDDEN, owner="webhook_id")),
        Field("event_types", JSON(), python=list[str]),
        Field("status", String(20), labels=WebhookStatus),
        Field("secret_generation", Integer(), description="the signing secret's generation"),
        Field("owner", String(64), exposed=False),
        Field("owner_role", String(40), exposed=False),
        Field("registered_at", UtcDateTime()),
        Field("removed_reason", Text(), nullable=True),
        Field("retried_position", BigInteger(), nullable=True, exposed=False),
        Field("created_position", BigInteger(), exposed=False),
        Field("version", Integer()),
    ),
)

webhooks = WEBHOOKS.table

WEBHOOK_TABLES = [webhooks]
