"""What a projector handler receives for one event, and JSON-safe encoding."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.stamp import Stamp

if TYPE_CHECKING:
    from projections.temporal import TemporalBackend

ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic", "stamp"}


def utc(moment: datetime) -> datetime:
    """Normalise to UTC (naive values read back from SQLite are UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


_AS_IS = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """Encode a domain value as JSON-safe data."""
    if type(value) in _AS_IS:  # most values: no need to try each kind below
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


@dataclass(frozen=True)
class Applied:
    """One event being projected; its rows live in ``backend`` (the projector's
    transaction, or memory while a whole log is folded)."""

    backend: TemporalBackend
    tenant_id: str
    position: int
    topic: str
    event: Any

    @property
    def stamp(self) -> Stamp:
        stamp: Stamp = self.event.stamp
        return stamp

    record_id: str = field(init=False)

    def __post_init__(self) -> None:
        # Handlers ask for it several times per event: convert the id once.
        object.__setattr__(self, "record_id", str(self.event.originator_id))

    @property
    def version(self) -> int:
        return int(self.event.originator_version)

    @property
    def recorded_at(self) -> datetime:
        return utc(self.event.timestamp)

    @property
    def occurred_at(self) -> datetime:
        """When it happened: the stated time, else when it was recorded."""
        occurred = self.stamp.occurred_at
        return utc(occurred) if occurred else self.recorded_at

    def data(self) -> dict[str, Any]:
        """The event's own fields (without the envelope) as JSON-safe data."""
        return {k: plain(v) for k, v in self.event.__dict__.items() if k not in ENVELOPE}


Handler = Callable[[Applied], list[str]]
"""A handler writes rows and returns ids of sub-records the event also touches."""
