"""What a command message is: its target record, optional expected version, its fields.

A message class declares everything about one command in one place: its fields
(validated at the edge by the types in ``fields``), the record it acts on, the
route that exposes it and, in ``handle``, what it does to the tenant's ledger.
Who may send it is the policy table's business (``tenants.pipeline.policy``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.stamp import Stamp
from tenants.ledger import CommandResult
from tenants.messages.fields import Moment, Reason, Version
from tenants.pipeline.errors import Forbidden
from tenants.store.recorder import IdempotentCommand

if TYPE_CHECKING:
    from tenants.commands.ledger import Ledger
    from tenants.commands.upward_delivery import FigureSource
    from tenants.pipeline.identity import Principal
    from tenants.registry import Ledgers

PLATFORM_LOG = "_platform"


class CommandAccepted(BaseModel):
    """The answer to every command."""

    record_id: str = Field(description="id of the record the command changed")
    version: int = Field(description="the record's new version")
    position: int = Field(description="the tenant log position of the last event written")


class Route(NamedTuple):
    """How the HTTP edge exposes a command: a POST path and its answer."""

    path: str  # under /tenants/{tenant_id}, unless ``platform``
    tag: str
    status: int = 200
    answer: type[BaseModel] = CommandAccepted
    platform: bool = False  # the path is not under a tenant
    raw_body: bool = False  # the body is a file's bytes, not JSON (its own route)

    def path_fields(self) -> list[str]:
        """The message fields taken from the path (besides the tenant)."""
        return [n for n in re.findall(r"{(\w+)}", self.path) if n != "tenant_id"]


@dataclass(frozen=True)
class Handling:
    """What a handler may use: the tenant's ledger, the others, the stamp, the caller."""

    tenant_id: str
    ledgers: Ledgers
    stamp: Stamp
    idem: IdempotentCommand | None
    principal: Principal
    authority: str | None = None  # the tenant whose roles authorised the command
    touched: dict[str, int] = field(default_factory=dict)
    figures: FigureSource | None = None  # composes a report's figures from the read side

    @property
    def ledger(self) -> Ledger:
        """This tenant's ledger."""
        return self.ledgers[self.tenant_id]

    def require_bound(self, value: str, kind_matches: bool = True) -> None:
        """Refuse a bound role (liaison, member, resident) acting for another's record."""
        binding = self.principal.binding
        if binding is not None and (not kind_matches or value != binding):
            raise Forbidden(f"a {self.principal.role} acts only for its own records")

    def stamp_for(self, tenant_id: str) -> Stamp:
        """The same stamp for another tenant's log (cross-tenant commands)."""
        return self.stamp.for_tenant(tenant_id)


COMMANDS: dict[str, type[Message]] = {}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Message(BaseModel):
    """A command that creates a record (or acts on no single record)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    command_name: ClassVar[str]
    route: ClassVar[Route]
    # Whether the tenant's log is signed (a checkpoint taken) once the command is
    # recorded: official records such as minutes carry the checkpoint that covers them.
    signs_log: ClassVar[bool] = False

    occurred_at: Moment | None = Field(None, description="when it happened, if not now")
    reason: Reason | None = Field(None, description="why (required for corrections etc.)")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "route" in cls.__dict__:
            cls.command_name = _snake(cls.__name__)
            COMMANDS[cls.command_name] = cls

    def target(self, tenant_id: str) -> UUID | None:
        """The record this command changes; None when it creates one."""
        return None

    def log_tenant(self, tenant_id: str | None) -> str:
        """The tenant whose log records the command (the path's tenant by default)."""
        if tenant_id is None:
            raise ValueError(f"{self.command_name} needs a tenant")
        return tenant_id

    def authority_tenant(self, tenant_id: str | None) -> str | None:
        """The tenant whose roles decide who may send it (None: the platform's)."""
        return tenant_id

    def registers_tenant(self) -> str | None:
        """The tenant this command registers (its log may not exist before)."""
        return None

    def bound_value(self, role: str) -> str | None:
        """The unit, member or resident the command is for, when the policy binds it."""
        return None

    def applied_by(self, h: Handling) -> bool:
        """Whether this very request (its Idempotency-Key) already applied the command
        without the answer being stored for replay, as a command across two logs does:
        its retry then finishes what the first attempt left, at whatever version."""
        return False

    def handle(self, h: Handling) -> CommandResult:
        """Load, call the aggregate, save: the command's effect on the ledger."""
        raise NotImplementedError


class RecordCommand(Message):
    """A command on an existing record, optionally at an expected version."""

    expected_version: Version | None = Field(
        None, description="optimistic concurrency: 409 unless the record is at this version"
    )

    def target(self, tenant_id: str) -> UUID:
        """The record this command changes."""
        raise NotImplementedError


Handler = Callable[[Message, Handling], CommandResult]
