"""Projecting webhooks."""

from __future__ import annotations

from typing import Any

from domain.webhooks import WebhookStatus
from projections.context import Applied, Handler
from projections.tables_webhooks import webhooks
from projections.temporal import add, set_record


def registered(a: Applied) -> list[str]:
    e = a.event
    actor = a.stamp.actor
    add(
        a,
        webhooks,
        tenant_id=a.tenant_id,
        webhook_id=a.record_id,
        url=e.url,
        event_types=list(e.event_types),
        status=WebhookStatus.ACTIVE.value,
        secret_generation=1,
        owner=actor.user_id,
        owner_role=actor.role,
        registered_at=a.occurred_at,
        created_position=a.position,
        version=a.version,
    )
    return []


def _set(a: Applied, **values: Any) -> list[str]:
    set_record(a, webhooks, "webhook_id", **values)
    return []


HANDLERS: dict[str, Handler] = {
    "gongjian.Webhook.Registered": registered,
    "gongjian.Webhook.Changed": lambda a: _set(
        a, url=a.event.url, event_types=list(a.event.event_types)
    ),
    "gongjian.Webhook.Paused": lambda a: _set(a, status=WebhookStatus.PAUSED.value),
    "gongjian.Webhook.Resumed": lambda a: _set(a, status=WebhookStatus.ACTIVE.value),
    "gongjian.Webhook.SecretRotated": lambda a: _set(a, secret_generation=a.event.generation),
    # The dispatcher retries the failed deliveries of a webhook whose request is newer
    # than the last one it handled.
    "gongjian.Webhook.DeliveriesRetried": lambda a: _set(a, retried_position=a.position),
    "gongjian.Webhook.Removed": lambda a: _set(
        a, status=WebhookStatus.REMOVED.value, removed_reason=a.stamp.reason
    ),
}
