"""A tenant's charter: how often it meets, how far ahead it gives notice, how it decides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import InvalidValue


class LabelledEnum(StrEnum):
    """A string enum whose members carry a Chinese display label."""

    @property
    def label(self) -> str:
        """The member's Chinese display label."""
        labels: dict[str, str] = getattr(type(self), "_labels", {})
        return labels.get(self.value, self.value)


E = type[LabelledEnum]


def labelled(labels: dict[str, str]) -> Callable[[E], E]:
    """Attach Chinese display labels to a LabelledEnum's members."""

    def attach(cls: E) -> E:
        missing = {m.value for m in cls} - set(labels)
        assert not missing, f"{cls.__name__} lacks labels for {missing}"
        cls._labels = labels  # type: ignore[attr-defined]
        return cls

    return attach


@labelled(
    {"half_monthly": "每半月", "monthly": "每月", "quarterly": "每季度", "half_yearly": "每半年"}
)
class Cadence(LabelledEnum):
    HALF_MONTHLY = "half_monthly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"


@labelled({"consensus": "协商一致", "majority": "过半数同意", "two_thirds": "三分之二同意"})
class DecisionRule(LabelledEnum):
    CONSENSUS = "consensus"
    MAJORITY = "majority"
    TWO_THIRDS = "two_thirds"


DEFAULT_TIME_ZONE = "Asia/Shanghai"


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (InvalidValue when there is none)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValue(
            f"unknown time zone {name!r} (an IANA name, e.g. Asia/Shanghai)"
        ) from None


def local_date(moment: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> date:
    """The calendar date of ``moment`` in ``time_zone``: midnight in Beijing, not UTC,
    starts a Beijing tenant's day."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone(time_zone)).date()


@dataclass(frozen=True)
class Charter:
    """The rules a tenant's joint meetings follow."""

    cadence: Cadence = Cadence.QUARTERLY
    notice_days: int = 3
    quorum: Decimal = Decimal("0.5")
    decision_rule: DecisionRule = DecisionRule.CONSENSUS
    max_active_claims: int = 2
    # How long before its scheduled time a meeting may be opened.
    opening_margin_minutes: int = 120
    # The IANA zone in which the tenant's dates fall (deadlines, "today", periods).
    time_zone: str = DEFAULT_TIME_ZONE

    def __post_init__(self) -> None:
        zone(self.time_zone)  # refuses an unknown zone
        if self.notice_days < 0 or self.notice_days > 365:
            raise InvalidValue("notice_days must be between 0 and 365")
        if not Decimal(0) < self.quorum <= Decimal(1):
            raise InvalidValue("quorum must be a share in (0, 1]")
        if self.max_active_claims < 1:
            raise InvalidValue("max_active_claims must be at least 1")
        if not 0 <= self.opening_margin_minutes <= 7 * 24 * 60:
            raise InvalidValue("opening_margin_minutes must be between 0 and 10080 (a week)")

    def today(self, now: datetime) -> date:
        """The tenant's date at the moment ``now``."""
        return local_date(now, self.time_zone)

    def as_dict(self) -> dict[str, Any]:
        """Encode as plain data for an event."""
        return {
            "cadence": self.cadence.value,
            "notice_days": self.notice_days,
            "quorum": str(self.quorum),
            "decision_rule": self.decision_rule.value,
            "max_active_claims": self.max_active_claims,
            "opening_margin_minutes": self.opening_margin_minutes,
            "time_zone": self.time_zone,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Charter:
        """Decode (and validate) plain data."""
        try:
            return cls(
                cadence=Cadence(data.get("cadence", Cadence.QUARTERLY.value)),
                notice_days=int(data.get("notice_days", 3)),
                quorum=Decimal(str(data.get("quorum", "0.5"))),
                decision_rule=DecisionRule(data.get("decision_rule", DecisionRule.CONSENSUS.value)),
                max_active_claims=int(data.get("max_active_claims", 2)),
                opening_margin_minutes=int(data.get("opening_margin_minutes", 120)),
                time_zone=str(data.get("time_zone", DEFAULT_TIME_ZONE)),
            )
        except (ValueError, InvalidOperation) as error:
            raise InvalidValue(f"invalid charter: {error}") from error
