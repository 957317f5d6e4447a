"""Who recorded a fact, for which tenant, when it happened and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from domain.errors import ReasonRequired


@dataclass(frozen=True)
class Actor:
    """The person acting: their user id, role, and the unit they act for."""

    user_id: str
    role: str
    unit_id: str | None = None


@dataclass(frozen=True)
class Stamp:
    """Metadata every event carries besides the library's recorded timestamp."""

    tenant_id: str
    actor: Actor
    occurred_at: datetime | None = None
    reason: str | None = None

    def require_reason(self, what: str) -> str:
        """Return the reason, refusing a command that needs one and has none."""
        if not self.reason or not self.reason.strip():
            raise ReasonRequired(f"{what} needs a reason")
        return self.reason

    def dated(self, now: datetime) -> Stamp:
        """This stamp with a stated time: its own, else ``now``. A fact that two logs
        record carries the same moment in both, whenever each records it."""
        return self if self.occurred_at is not None else replace(self, occurred_at=now)

    def for_tenant(self, tenant_id: str) -> Stamp:
        """The same stamp in another tenant's log."""
        return replace(self, tenant_id=tenant_id)

    def as_dict(self) -> dict[str, Any]:
        """Encode as plain data (for the event transcoder)."""
        data = asdict(self)
        data["occurred_at"] = self.occurred_at.isoformat() if self.occurred_at else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Stamp:
        """Decode from plain data."""
        occurred = data.get("occurred_at")
        return cls(
            tenant_id=data["tenant_id"],
            actor=Actor(**data["actor"]),
            occurred_at=datetime.fromisoformat(occurred) if occurred else None,
            reason=data.get("reason"),
        )
