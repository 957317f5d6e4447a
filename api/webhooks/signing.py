"""What a delivery carries: the JSON body (personal data masked as for an integrator),
its HMAC-SHA256 signature and the headers that name it."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from api.graphql import personal

SIGNATURE_HEADER = "X-Gongjian-Signature"
USER_AGENT = "Gongjian-Webhooks/1"


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def payload(tenant_id: str, webhook_id: str, delivery_id: str, event: Any) -> dict[str, Any]:
    """The delivery of one event (a row of the tenant's feed, ``rm_events``), as an
    integrator reads it: names masked, residents' ids and comments withheld."""
    actor = dict(event.actor)
    return {
        "delivery_id": delivery_id,
        "webhook_id": webhook_id,
        "tenant": tenant_id,
        "position": int(event.position),
        "type": f"{event.record_type}.{event.type}",
        "record_type": event.record_type,
        "record_id": event.record_id,
        "version": event.version,
        "recorded_at": _moment(event.recorded_at),
        "occurred_at": _moment(event.occurred_at),
        "actor": {"role": actor.get("role"), "unit_id": actor.get("unit_id")},
        "reason": event.reason,
        "data": personal.event_data(event.record_type, dict(event.data)),
    }


def body(content: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON, keys sorted, UTF-8."""
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, content: bytes) -> str:
    """The signature header's value: ``sha256=<hex HMAC-SHA256 of the body>``."""
    return "sha256=" + hmac.new(secret.encode(), content, hashlib.sha256).hexdigest()


def verify(secret: str, content: bytes, header: str) -> bool:
    """Whether ``header`` is the signature of ``content`` under ``secret`` (what a
    receiver checks, in constant time)."""
    return hmac.compare_digest(signature(secret, content), header)


def headers(content: dict[str, Any], signed: str, attempt: int) -> dict[str, str]:
    """The headers of one attempt at a delivery."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signed,
        "X-Gongjian-Delivery": str(content["delivery_id"]),
        "X-Gongjian-Webhook": str(content["webhook_id"]),
        "X-Gongjian-Tenant": str(content["tenant"]),
        "X-Gongjian-Position": str(content["position"]),
        "X-Gongjian-Event": str(content["type"]),
        "X-Gongjian-Attempt": str(attempt),
    }
