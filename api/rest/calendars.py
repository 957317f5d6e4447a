"""``GET /calendars/{token}.ics``: a calendar feed (docs/calendars.md).

The token in the path is the only credential: no Authorization header. It names
the tenant and the feed; an unknown, malformed or revoked token is answered 404,
the same for each, so the answer never tells which part was wrong. The feed is
read from the tenant's read models with row security narrowed to that tenant.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from sqlalchemy import Connection, select

from api.icalendar_text import CalendarEvent, calendar
from api.problems import PROBLEM_RESPONSES
from domain.calendar_feeds import CalendarFeed
from domain.errors import NotFound
from domain.meetings import MeetingKind
from projections.tables import attendance, meetings, tenants, units
from projections.temporal import current
from tenants.calendar_feed_tokens import parse_feed_token
from tenants.store import row_security

MEDIA_TYPE = "text/calendar"
# A meeting without its written notice yet is tentative; once noticed it stands.
STATUS = {"scheduled": "TENTATIVE", "cancelled": "CANCELLED"}


def calendar_router() -> APIRouter:
    """The calendar feed route."""
    router = APIRouter()
    router.add_api_route(
        "/calendars/{token}.ics",
        calendar_feed,
        methods=["GET"],
        tags=["calendar feeds"],
        operation_id="calendar_feed",
        response_class=Response,
        responses={
            200: {
                "description": "the feed's meetings as an RFC 5545 iCalendar document",
                "content": {MEDIA_TYPE: {"schema": {"type": "string"}}},
            },
            **PROBLEM_RESPONSES,
        },
    )
    return router


def calendar_feed(
    request: Request,
    token: Annotated[str, Path(max_length=200, description="the feed's secret token")],
) -> Response:
    """The meetings of the feed's tenant (or unit) as iCalendar: cancelled meetings
    with STATUS:CANCELLED, postponed ones at their new time with a higher SEQUENCE."""
    platform = request.app.state.platform
    feed = _open_feed(platform, token)
    with row_security.reading_only([feed.tenant_id]), platform.read_engine.connect() as conn:
        name, events = _feed_contents(conn, feed.tenant_id, feed.unit_id)
    body = calendar(name, events, datetime.now(UTC))
    return Response(body, media_type=f"{MEDIA_TYPE}; charset=utf-8")


def _open_feed(platform: Any, token: str) -> CalendarFeed:
    refused = NotFound("no such calendar feed (it may have been revoked)")
    presented = parse_feed_token(token)
    if presented is None or platform.pipeline.directory.find(presented.tenant_id) is None:
        raise refused
    try:
        feed: CalendarFeed = platform.ledgers[presented.tenant_id].load(
            CalendarFeed, presented.feed_id
        )
    except NotFound:
        raise refused from None
    if not feed.opens(presented.digest):
        raise refused
    return feed


def _feed_contents(
    conn: Connection, tenant_id: str, unit_id: str | None
) -> tuple[str, list[CalendarEvent]]:
    name = conn.execute(
        select(tenants.c.name).where(tenants.c.tenant_id == tenant_id, current(tenants))
    ).scalar_one_or_none()
    query = select(meetings).where(meetings.c.tenant_id == tenant_id, current(meetings))
    if unit_id is not None:
        unit_name = conn.execute(
            select(units.c.name).where(
                units.c.tenant_id == tenant_id, units.c.unit_id == unit_id, current(units)
            )
        ).scalar_one_or_none()
        name = f"{name or tenant_id} · {unit_name or unit_id}"
        # Every notice that ever reached the unit, not only the current one: a
        # postponed meeting, whose notice must be issued afresh, stays in the
        # unit's calendar at its new time.
        reached = select(attendance.c.meeting_id).where(
            attendance.c.tenant_id == tenant_id,
            attendance.c.unit_id == unit_id,
            attendance.c.notified.is_(True),
        )
        query = query.where(meetings.c.meeting_id.in_(reached))
    rows = conn.execute(query.order_by(meetings.c.scheduled_for, meetings.c.meeting_id))
    return name or tenant_id, [_event(row) for row in rows]


def _event(row: Any) -> CalendarEvent:
    return CalendarEvent(
        uid=str(row.meeting_id),
        starts_at=row.scheduled_for,
        summary=row.title,
        location=row.location,
        status=STATUS.get(row.status, "CONFIRMED"),
        # The record's version only grows, and grows with every postponement.
        sequence=row.version - 1,
        description=f"类型：{MeetingKind(row.kind).label}",
    )
