"""Running a command: stamp it, apply idempotency, append, project in-line."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from eventsourcing.persistence import IntegrityError
from fastapi import Depends, Header, Request
from pydantic import BaseModel
from sqlalchemy import select

from api.identity import CommandingActor
from api.problems import ApiProblem
from api.requests import CommandBody
from domain.stamp import Actor, Stamp
from tenants.ledger import CommandResult, VersionConflict
from tenants.recorder import IdempotentCommand
from tenants.schema import idempotency_keys
from tenants.tenant_ledger import Ledger

RETRIES = 10
Handler = Callable[[Ledger, Stamp, IdempotentCommand | None], CommandResult]


@dataclass(frozen=True)
class CommandContext:
    """What every command route needs besides its body."""

    request: Request
    actor: Actor
    idempotency_key: str | None

    def run(self, tenant_id: str, body: CommandBody, handler: Handler) -> dict[str, Any]:
        """Execute ``handler`` on the tenant's ledger, once per idempotency key."""
        platform = self.request.app.state.platform
        ledger: Ledger = platform.ledger(tenant_id)
        stamp = Stamp(tenant_id, self.actor, body.occurred_at, body.reason)
        idem = None
        if self.idempotency_key:
            request_hash = _request_hash(self.request.url.path, body)
            replay = _replay(ledger, self.idempotency_key, request_hash)
            if replay is not None:
                return replay
            idem = IdempotentCommand(self.idempotency_key, request_hash, {})
        # Without an expected version the caller wants the command applied to the
        # record as it is: when another command wins a race, reload and try again.
        attempts = 1 if body.expected_version is not None else RETRIES
        for attempt in range(1, attempts + 1):
            try:
                result = handler(ledger, stamp, idem)
                break
            except IntegrityError:
                if idem is not None and (replay := _replay(ledger, idem.key, idem.request_hash)):
                    return replay  # a concurrent retry of the same command won
                if attempt == attempts:
                    raise VersionConflict("the record was changed by another command") from None
                # A short random pause keeps racing retries from colliding again.
                time.sleep(random.uniform(0, 0.01 * attempt))
        platform.after_command(tenant_id, result.position)
        return result.as_dict()


def command_context(
    request: Request,
    actor: CommandingActor,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> CommandContext:
    """Collect the caller, the request and its idempotency key."""
    return CommandContext(request, actor, idempotency_key)


Command = Annotated[CommandContext, Depends(command_context)]


def now() -> datetime:
    """The current time at the edge (the domain never reads clocks)."""
    return datetime.now(UTC)


def _request_hash(path: str, body: BaseModel) -> str:
    canonical = json.dumps([path, body.model_dump(mode="json")], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(ledger: Ledger, key: str, request_hash: str) -> dict[str, Any] | None:
    with ledger.engine.connect() as conn:
        row = conn.execute(
            select(
                idempotency_keys.c.request_hash,
                idempotency_keys.c.response,
                idempotency_keys.c.first_position,
                idempotency_keys.c.event_count,
            ).where(idempotency_keys.c.tenant_id == ledger.tenant_id, idempotency_keys.c.key == key)
        ).first()
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise ApiProblem(
            422, "idempotency-key-reused", "this Idempotency-Key was used for a different request"
        )
    response: dict[str, Any] = json.loads(row.response)
    response["position"] = row.first_position + row.event_count - 1
    return response
