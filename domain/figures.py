"""Figures: exact shares of counted facts, and the targets the rubric sets for them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

PARTICIPATION_TARGET = Decimal("0.6")
"""More than 60% of the members whose membership is in the community take part."""
SATISFACTION_TARGET = Decimal("0.9")
"""Residents' satisfaction of 90% or more."""


@dataclass(frozen=True)
class Figure:
    """A share: numerator of denominator, with its rate and the target if any."""

    numerator: int
    denominator: int
    target: Decimal | None = None

    @property
    def rate(self) -> Decimal | None:
        """The exact share, rounded to 4 places for display (None when nothing to count)."""
        if self.denominator == 0:
            return None
        return (Decimal(self.numerator) / Decimal(self.denominator)).quantize(Decimal("0.0001"))

    @property
    def meets_target(self) -> bool | None:
        if self.target is None or self.denominator == 0:
            return None
        return Decimal(self.numerator) >= self.target * self.denominator

    def as_dict(self) -> dict[str, Any]:
        """Encode as plain data (for an event)."""
        target = None if self.target is None else str(self.target)
        return {"numerator": self.numerator, "denominator": self.denominator, "target": target}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Figure:
        """Decode plain data."""
        target = data.get("target")
        return cls(
            int(data["numerator"]),
            int(data["denominator"]),
            None if target is None else Decimal(str(target)),
        )
