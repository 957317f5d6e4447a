"""The value types every command field is made of: what the read side can always apply.

Each type refuses, at the edge, input that the store would accept and a projector
could then not apply (a NUL on PostgreSQL, a date that overflows after a time-zone
shift) or that a person could not read (text of control or zero-width characters).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, Strict, WithJsonSchema

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
# Categories of characters that carry no visible text: controls (Cc), format
# characters such as zero-width spaces (Cf), unassigned (Cn), surrogates (Cs)
# and private-use (Co) code points.
_INVISIBLE = {"Cc", "Cf", "Cn", "Co", "Cs"}
_ALLOWED_CONTROLS = {"\n", "\t"}


def _iso_text(value: Any) -> Any:
    # A number is not a time: refuse epoch integers and floats before pydantic
    # would read them as seconds.
    if not isinstance(value, str | datetime | date):
        raise ValueError("give an ISO 8601 string, e.g. 2025-03-01T09:00:00+08:00")
    return value


def _in_range_moment(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a time must carry its UTC offset, e.g. 2025-03-01T09:00:00+08:00")
    if not EARLIEST <= moment < LATEST:
        raise ValueError("a time must lie between 1900 and 2199")
    return moment


def _in_range_day(day: date) -> date:
    if not EARLIEST.date() <= day < LATEST.date():
        raise ValueError("a date must lie between 1900 and 2199")
    return day


def clean_text(value: str) -> str:
    """NFC-normalise ``value``; refuse NUL, control, format and unassigned characters."""
    text = unicodedata.normalize("NFC", value)
    for ch in text:
        if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) in _INVISIBLE:
            raise ValueError(f"text may not contain the character U+{ord(ch):04X}")
    return text


def _single_line(value: str) -> str:
    if "\n" in value or "\t" in value:
        raise ValueError("this value is one line: no line breaks or tabs")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("this value may not be blank")
    return value


Moment = Annotated[datetime, BeforeValidator(_iso_text), AfterValidator(_in_range_moment)]
Day = Annotated[date, BeforeValidator(_iso_text), AfterValidator(_in_range_day)]
Version = Annotated[int, Strict(), Field(ge=1, le=2**31 - 1)]
Count = Annotated[int, Strict()]
Flag = Annotated[bool, Strict()]

_CLEAN = AfterValidator(clean_text)
_LINE = AfterValidator(_single_line)
_REQUIRED = AfterValidator(_not_blank)
Text = Annotated[str, Strict(), Field(min_length=1, max_length=4000), _CLEAN, _REQUIRED]
LongText = Annotated[str, Strict(), Field(min_length=1, max_length=50_000), _CLEAN, _REQUIRED]
OptionalText = Annotated[str, Strict(), Field(max_length=2000), _CLEAN]
Name = Annotated[str, Strict(), Field(min_length=1, max_length=200), _CLEAN, _LINE, _REQUIRED]
OptionalName = Annotated[str, Strict(), Field(max_length=200), _CLEAN, _LINE]
Reason = Annotated[str, Strict(), Field(min_length=1, max_length=2000), _CLEAN, _REQUIRED]
Phone = Annotated[str, Strict(), Field(max_length=40, pattern=r"^[0-9+() -]*$")]
EvidenceRef = Annotated[str, Strict(), Field(min_length=1, max_length=500), _CLEAN, _LINE]
TenantId = Annotated[str, Strict(), Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
Sha256 = Annotated[
    str,
    Strict(),
    Field(
        pattern=r"^[0-9a-f]{64}$",
        description="an uploaded evidence file's SHA-256, lower-case hex",
    ),
]
Files = Annotated[
    list[Sha256],
    Field(
        max_length=20,
        description="uploaded evidence files to attach (POST /tenants/{tenant_id}/"
        "evidence-files), by SHA-256",
    ),
]


def _file_name(value: str) -> str:
    # Counted again once NFC-normalised: some characters expand (U+0958 into two).
    if len(value) > 200:
        raise ValueError("a file name has at most 200 characters")
    if "/" in value or "\\" in value or value.strip() in (".", ".."):
        raise ValueError("a file name is no path: no / or \\")
    return value


FileName = Annotated[
    str, Strict(), Field(min_length=1, max_length=200), _CLEAN, _LINE, _REQUIRED,
    AfterValidator(_file_name),
]  # fmt: skip
ItemId = Annotated[str, Strict(), Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Ref = Annotated[str, Strict(), Field(pattern=r"^[A-Za-z0-9_.@:-]{1,64}$")]
Period = Annotated[str, Field(pattern=r"^\d{4}(H[12]|Q[1-4])?$", examples=["2026H1"])]


def _decimal_schema(low: int, high: int, places: int, *, above: bool = False) -> WithJsonSchema:
    """An exact decimal, given as a JSON number or a decimal string: the schema says
    which strings are accepted (the bounds are checked on both)."""
    number: dict[str, Any] = {"type": "number", "maximum": high}
    number["exclusiveMinimum" if above else "minimum"] = low
    pattern = rf"^\d+(\.\d{{1,{places}}})?$"
    return WithJsonSchema({"anyOf": [number, {"type": "string", "pattern": pattern}]})


Hours = Annotated[
    Decimal, Field(gt=0, le=24, decimal_places=2), _decimal_schema(0, 24, 2, above=True)
]
Points = Annotated[Decimal, Field(ge=0, le=1000, decimal_places=2), _decimal_schema(0, 1000, 2)]
Total = Annotated[
    Decimal, Field(gt=0, le=10000, decimal_places=2), _decimal_schema(0, 10000, 2, above=True)
]
Share = Annotated[
    Decimal, Field(gt=0, le=1, decimal_places=4), _decimal_schema(0, 1, 4, above=True)
]
