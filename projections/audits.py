"""Questions auditors ask that span records: repeated absence, decisions per period."""

from __future__ import annotations

from sqlalchemy import select

from projections import rules
from projections.queries import Reader, visible
from projections.tables import attendance, meetings


def absent_without_leave(
    engine: Reader, tenant_id: str, last: int, position: int | None = None
) -> list[str]:
    """Units that missed each of the tenant's last ``last`` held meetings without leave."""
    held = (
        select(meetings.c.meeting_id)
        .where(
            meetings.c.tenant_id == tenant_id,
            rules.held_meeting(meetings),
            *visible(meetings, position),
        )
        .order_by(meetings.c.scheduled_for.desc(), meetings.c.meeting_id)
        .limit(last)
    )
    with engine.connect() as conn:
        recent = list(conn.execute(held).scalars())
        if len(recent) < last:
            return []
        absent = conn.execute(
            select(attendance.c.unit_id, attendance.c.meeting_id).where(
                attendance.c.tenant_id == tenant_id,
                attendance.c.meeting_id.in_(recent),
                rules.absent_without_leave(attendance),
                *visible(attendance, position),
            )
        ).all()
    missed: dict[str, set[str]] = {}
    for unit_id, meeting_id in absent:
        missed.setdefault(unit_id, set()).add(meeting_id)
    return sorted(unit for unit, gone in missed.items() if len(gone) == last)
