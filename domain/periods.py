"""Reporting periods: a year (2025), a half (2025H1) or a quarter (2025Q3)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import InvalidValue

PATTERN = re.compile(r"^(\d{4})(?:(H)([12])|(Q)([1-4]))?$")


@dataclass(frozen=True)
class Period:
    """A named span of calendar days, both ends included."""

    name: str
    start: date
    end: date

    @classmethod
    def parse(cls, name: str) -> Period:
        """Read '2025', '2025H1' or '2025Q3'."""
        match = PATTERN.match(name)
        if match is None:
            raise InvalidValue(f"period {name!r} is not like 2025, 2025H1 or 2025Q3")
        year = int(match.group(1))
        if not 1 <= year <= 9998:
            # date() has no year 0, and a period must end within its range.
            raise InvalidValue(f"period {name!r} is outside the years 1 to 9998")
        if match.group(2):
            half = int(match.group(3))
            return cls(name, date(year, 6 * half - 5, 1), _month_end(year, 6 * half))
        if match.group(4):
            quarter = int(match.group(5))
            return cls(name, date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter))
        return cls(name, date(year, 1, 1), date(year, 12, 31))

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)
