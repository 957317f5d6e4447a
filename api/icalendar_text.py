"""RFC 5545 text: VCALENDAR documents of VEVENTs, written by hand.

Lines end in CRLF; a content line longer than 75 octets is folded (CRLF and one
space) at a UTF-8 character boundary, so a Chinese title is never cut inside a
character; TEXT values escape backslash, semicolon, comma and newline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

LINE_OCTETS = 75
PRODID = "-//Gongjian//Calendar feeds//ZH"
UID_DOMAIN = "meetings.gongjian"  # host-independent: the same UID from every server


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT: a meeting at its current time and status."""

    uid: str
    starts_at: datetime
    summary: str
    location: str
    status: str  # TENTATIVE | CONFIRMED | CANCELLED
    sequence: int
    description: str | None = None


def escape_text(value: str) -> str:
    """A TEXT value with RFC 5545's escapes (section 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """One content line folded into chunks of at most 75 octets, CRLF-terminated."""
    chunks: list[str] = []
    current, size, limit = "", 0, LINE_OCTETS
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            chunks.append(current)
            # A continuation line's leading space counts towards its 75 octets.
            current, size, limit = "", 0, LINE_OCTETS - 1
        current += char
        size += octets
    chunks.append(current)
    return "\r\n ".join(chunks) + "\r\n"


def utc_stamp(moment: datetime) -> str:
    """A DATE-TIME in UTC form, e.g. 20250901T010000Z."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(name: str, events: Iterable[CalendarEvent], now: datetime) -> bytes:
    """The whole VCALENDAR document, UTF-8 encoded."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e.uid}@{UID_DOMAIN}",
            f"DTSTAMP:{utc_stamp(now)}",
            f"DTSTART:{utc_stamp(e.starts_at)}",
            f"SUMMARY:{escape_text(e.summary)}",
            f"LOCATION:{escape_text(e.location)}",
            f"STATUS:{e.status}",
            f"SEQUENCE:{e.sequence}",
        ]
        if e.description:
            lines.append(f"DESCRIPTION:{escape_text(e.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines).encode()
