"""Shared GraphQL pieces: exact shares of counted facts, hours."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from domain.figures import Figure


def hours(total: Decimal) -> str:
    """Hours shown with two decimals (the sum itself is exact)."""
    return str(total.quantize(Decimal("0.01")))


@strawberry.type(
    description="A share of counted facts, exact, with its target where the rubric sets one."
)
class Share:
    numerator: int
    denominator: int
    rate: str | None = strawberry.field(description="numerator/denominator to 4 places")
    target: str | None
    meets_target: bool | None

    @classmethod
    def of(cls, figure: Figure) -> Share:
        return cls(
            numerator=figure.numerator,
            denominator=figure.denominator,
            rate=str(figure.rate) if figure.rate is not None else None,
            target=str(figure.target) if figure.target is not None else None,
            meets_target=figure.meets_target,
        )
