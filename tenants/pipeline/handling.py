"""The one path every command takes.

authenticate (the edge hands in a principal) → authorise (policy table) →
validate (the message's types, then the tenant must exist) → load at the
expected version → the message's handler (aggregate methods) → append with
idempotency → project in-line and answer with the log position.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain.errors import DomainError
from domain.stamp import Stamp
from tenants.commands.upward_delivery import FigureSource
from tenants.ledger import CommandResult, VersionConflict, expecting
from tenants.messages.base import PLATFORM_LOG, Handling, Message, RecordCommand
from tenants.pipeline.idempotency import idempotent_command, replay
from tenants.pipeline.identity import Principal
from tenants.pipeline.policy import Policy
from tenants.registry import Ledgers, TenantDirectory
from tenants.store.recorder import IdempotentCommand

RETRIES = 10
logger = logging.getLogger(__name__)
AfterCommand = Callable[[str, int], None]
SignLog = Callable[[str], None]


def _nothing_after(tenant_id: str, position: int) -> None:
    """No in-line projection (a deployment's workers project)."""


class Pipeline:
    """Run commands for principals, with every cross-cutting rule applied once."""

    def __init__(
        self,
        ledgers: Ledgers,
        after: AfterCommand = _nothing_after,
        sign: SignLog | None = None,
        figures: FigureSource | None = None,
    ) -> None:
        self.ledgers = ledgers
        self.figures = figures
        self.directory = TenantDirectory(ledgers)
        self.policy = Policy(self.directory)
        self.after = after
        self.sign = sign

    def handle(
        self,
        principal: Principal,
        message: Message,
        tenant_id: str | None = None,
        idempotency_key: str | None = None,
        *,
        confirm: Callable[[], Principal] | None = None,
    ) -> dict[str, Any]:
        """Run ``message`` for ``principal`` in ``tenant_id``; answer as the first time.
        ``confirm``: authenticate the caller afresh first (the edge took ``principal``
        from memory); its principal is the one that acts."""
        if confirm is not None:
            principal = confirm()
        log = message.log_tenant(tenant_id)
        self.policy.authorise(principal, message, message.authority_tenant(tenant_id))
        if log not in (PLATFORM_LOG, message.registers_tenant()):
            self.directory.require(log)
        stamp = Stamp(log, principal.actor, message.occurred_at, message.reason)
        idem = None
        if idempotency_key is not None:
            idem = idempotent_command(principal, log, message, idempotency_key)
        h = Handling(log, self.ledgers, stamp, idem, principal, tenant_id, figures=self.figures)
        result = self._run(message, h)
        answer = result if isinstance(result, dict) else result.as_dict()
        for tenant, position in [(log, answer["position"]), *h.touched.items()]:
            self.after(tenant, position)
        if message.signs_log and self.sign is not None:
            self.sign(log)
        return answer

    def _run(self, message: Message, h: Handling) -> CommandResult | dict[str, Any]:
        target = message.target(h.tenant_id)
        expected = message.expected_version if isinstance(message, RecordCommand) else None
        if expected is not None and h.idem is not None and message.applied_by(h):
            expected = None  # its first attempt moved the version on: finish, don't refuse
        # Without an expected version the caller wants the command applied to the
        # record as it is: when another command wins a race, reload and try again.
        attempts = 1 if expected is not None else RETRIES
        for attempt in range(1, attempts + 1):
            if h.idem is not None and (first := self._replay(h.idem, h)) is not None:
                return first
            try:
                # One read of the tenant's head per attempt; every load then uses the
                # records as of it, with no round trip of its own.
                with h.ledger.current(), expecting(target, expected):
                    if target is not None:
                        # Load at the expected version before any rule runs: a stale
                        # version is a conflict whatever else is wrong with the command.
                        h.ledger.load(Aggregate, target)
                    return message.handle(h)
            except IntegrityError:
                if h.idem is not None and (first := self._replay(h.idem, h)) is not None:
                    return first  # a concurrent retry of the same command won
                if attempt == attempts:
                    raise VersionConflict("the record was changed by another command") from None
                # A random pause, doubling with each loss up to a cap, keeps racing
                # retries from colliding again (many writers on one record).
                time.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))
            except DomainError:
                # A concurrent retry of this key may have won and changed the record.
                if h.idem is not None and (first := self._replay(h.idem, h)) is not None:
                    return first
                raise
        raise AssertionError("unreachable")

    def _replay(self, idem: IdempotentCommand, h: Handling) -> dict[str, Any] | None:
        return replay(h.ledger, idem)
