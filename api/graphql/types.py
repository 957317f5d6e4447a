"""Shared GraphQL pieces: the request context type, cursors, and events (history)."""

from __future__ import annotations

import base64
from typing import Any

import strawberry
from sqlalchemy import Row
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql import personal
from api.graphql.loaders import Context
from api.graphql.records import record_fields
from projections import tables

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


async def history_of(info: Ctx, tenant_id: str, record_id: str) -> list[Event]:
    rows = await info.context.loaders.history.load(info.context.key(info, tenant_id, record_id))
    return [Event(row=row) for row in rows]
