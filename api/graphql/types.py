"""Shared GraphQL pieces: the request context type, cursors, and events (history)."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import Row
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql import personal, verification
from api.graphql.loaders import Context
from api.graphql.records import record_fields
from projections import tables

if TYPE_CHECKING:
    from api.graphql.changes import RecordChange

Ctx = Info[Context, None]


def encode_cursor(value: int) -> str:
    """An opaque cursor for an integer sort key."""
    return base64.urlsafe_b64encode(f"c:{value}".encode()).decode()


def decode_cursor(cursor: str | None) -> int | None:
    """Read a cursor made by ``encode_cursor``; a malformed one is an error."""
    if cursor is None:
        return None
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode().removeprefix("c:"))
    except ValueError as error:
        raise ValueError(f"malformed cursor {cursor!r}") from error


def encode_key(values: Sequence[Any]) -> str:
    """An opaque cursor for a sort key of several values (ints, text, dates, moments)."""
    plain = [v.isoformat() if isinstance(v, date) else v for v in values]
    text = json.dumps(plain, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(f"k:{text}".encode()).decode()


def decode_key(cursor: str, types: Sequence[type]) -> list[Any]:
    """Read a cursor made by ``encode_key`` for a key of these Python types; a
    malformed one, or one made for another list's key, is an error."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not text.startswith("k:"):
            raise ValueError("not a key cursor")
        values = json.loads(text[2:])
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError("not this list's key")
        return [_key_value(value, kind) for value, kind in zip(values, types, strict=True)]
    except (ValueError, TypeError) as error:  # binascii and JSON errors are ValueErrors
        raise ValueError(f"malformed cursor {cursor!r}") from error


def _key_value(value: Any, kind: type) -> Any:
    # A value that is not of its column's type would compare by the database's
    # own (and differing) rules: refuse it.
    if kind is datetime and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("a moment without its time zone")
        return moment
    if kind is date and isinstance(value, str):
        return date.fromisoformat(value)
    if kind in (int, str) and type(value) is kind:
        return value
    raise ValueError(f"not a {kind.__name__}")


@strawberry.type(description="Who recorded a fact: user, role and the unit they acted for.")
class ActorInfo:
    user_id: str = strawberry.field(
        description="the user who recorded it; *** unless the reader may see personal data"
    )
    role: str
    unit_id: str | None


@strawberry.type(description="One event in a tenant's log.")
@record_fields(tables.EVENTS)
class Event:
    """The event as the request's principal may see it (personal data masked)."""

    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def actor(self, info: Ctx) -> ActorInfo:
        actor = dict(self.row.actor)
        if not info.context.sees_personal(self.row.record_id):
            actor["user_id"] = personal.HIDDEN
        return ActorInfo(**actor)

    @strawberry.field
    def data(self, info: Ctx) -> JSON:
        if not info.context.sees_personal(self.row.record_id):
            return JSON(personal.event_data(self.row.record_type, self.row.data))
        return JSON(self.row.data)

    @strawberry.field(
        description="What this event changed in the read records, record by record: "
        "the versions before and after and the fields that differ (personal data masked "
        "as in the fields themselves). Empty for an event that changed no record."
    )
    async def changes(
        self, info: Ctx
    ) -> list[Annotated[RecordChange, strawberry.lazy("api.graphql.changes")]]:
        from api.graphql.changes import of_event  # a cycle: changes are paged like events

        return await of_event(info, self.row.tenant_id, self.row.position)

    @strawberry.field(
        description="Proof that this event is in the tenant's log as a signed checkpoint "
        "of `checkpoint` events saw it (default: the newest checkpoint); null while no "
        "checkpoint covers it yet."
    )
    async def proof(
        self, info: Ctx, checkpoint: int | None = None
    ) -> verification.InclusionProof | None:
        return await verification.inclusion(
            info, self.row.tenant_id, int(self.row.position), checkpoint
        )


async def history_of(info: Ctx, tenant_id: str, record_id: str) -> list[Event]:
    rows = await info.context.loaders.history.load(info.context.key(info, tenant_id, record_id))
    return [Event(row=row) for row in rows]
