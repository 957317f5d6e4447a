"""Idempotency keys: scoped to the principal, answered with the first result."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tenants.commands.ledger import Ledger
from tenants.messages.base import Message
from tenants.pipeline.errors import IdempotencyKeyReused
from tenants.pipeline.identity import Principal
from tenants.store.recorder import IdempotentCommand, TenantRecorder


def idempotent_command(
    principal: Principal, tenant_id: str | None, message: Message, key: str
) -> IdempotentCommand:
    """The stored form of a key: one user's key never answers another user's request."""
    scoped = hashlib.sha256(f"{principal.user_id}\x1f{key}".encode()).hexdigest()
    canonical = json.dumps(
        [message.command_name, tenant_id, message.model_dump(mode="json")], sort_keys=True
    )
    return IdempotentCommand(scoped, hashlib.sha256(canonical.encode()).hexdigest(), {})


def replay(ledger: Ledger, command: IdempotentCommand) -> dict[str, Any] | None:
    """The first answer to this key, or None if the key is new."""
    recorder = ledger.recorder
    assert isinstance(recorder, TenantRecorder)
    row = recorder.recorded_command(command.key)
    if row is None:
        return None
    request_hash, recorded_response, first_position, event_count = row
    if request_hash != command.request_hash:
        raise IdempotencyKeyReused("this Idempotency-Key was used for a different request")
    response: dict[str, Any] = json.loads(recorded_response)
    response["position"] = first_position + event_count - 1
    return response
