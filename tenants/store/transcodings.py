"""How domain values are written into stored events (JSON)."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.stamp import Stamp


class StampAsDict(Transcoding):
    """Stamps are stored as plain objects so that history shows them readably."""

    type = Stamp
    name = "stamp"

    def encode(self, obj: Stamp) -> dict[str, Any]:
        return obj.as_dict()

    def decode(self, data: dict[str, Any]) -> Stamp:
        return Stamp.from_dict(data)


class DateAsISO(Transcoding):
    """Calendar dates (deadlines) as ISO strings."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    """Teach the library's transcoder the domain's value types."""
    transcoder.register(StampAsDict())
    transcoder.register(DateAsISO())
