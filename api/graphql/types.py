"""Shared GraphQL pieces: the request context type, cursors, and events (history)."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import Row
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql import personal
from api.graphql.loaders import Context
from domain.tenants import TenantKind
from projections.context import utc

Ctx = Info[Context, None]


def _t(moment: datetime | None) -> datetime | None:
    return utc(moment) if moment else None


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
class Event:
    position: int
    type: str
    record_type: str
    record_id: str
    version: int
    recorded_at: datetime
    occurred_at: datetime | None = strawberry.field(description="when it happened, if stated")
    actor: ActorInfo
    reason: str | None
    data: JSON

    @classmethod
    def of(cls, row: Row[Any], context: Context) -> Event:
        """The event as ``context``'s principal may see it (personal data masked)."""
        actor = dict(row.actor)
        data = row.data
        if not context.sees_personal(row.record_id):
            data = personal.event_data(row.record_type, data)
            actor["user_id"] = personal.HIDDEN
        return cls(
            position=row.position,
            type=row.type,
            record_type=row.record_type,
            record_id=row.record_id,
            version=row.version,
            recorded_at=utc(row.recorded_at),
            occurred_at=_t(row.occurred_at),
            actor=ActorInfo(**actor),
            reason=row.reason,
            data=data,
        )


async def history_of(info: Ctx, tenant_id: str, record_id: str) -> list[Event]:
    rows = await info.context.loaders.history.load(info.context.key(info, tenant_id, record_id))
    return [Event.of(row, info.context) for row in rows]


def tenant_kind_label(kind: str) -> str:
    """The Chinese label of a tenant kind."""
    return TenantKind(kind).label
