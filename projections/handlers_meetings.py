"""Projecting meetings: agenda, notice, opinions, leave, attendance, positions, minutes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select, update

from projections.context import Applied, Handler, set_record, utc
from projections.tables import agenda_items, attendance, meetings, opinions, positions


def _item_ref(a: Applied, item_id: str) -> str:
    return f"{a.record_id}/{item_id}"


def _set_meeting(a: Applied, **values: Any) -> None:
    set_record(a, meetings, "meeting_id", **values)


def _set_item(a: Applied, item_id: str, **values: Any) -> list[str]:
    _set_meeting(a)
    if not values:
        return [_item_ref(a, item_id)]
    a.conn.execute(
        update(agenda_items)
        .where(
            agenda_items.c.tenant_id == a.tenant_id,
            agenda_items.c.meeting_id == a.record_id,
            agenda_items.c.item_id == item_id,
        )
        .values(**values)
    )
    return [_item_ref(a, item_id)]


def _set_attendance(a: Applied, unit_id: str, **values: Any) -> None:
    a.conn.execute(
        update(attendance)
        .where(
            attendance.c.tenant_id == a.tenant_id,
            attendance.c.meeting_id == a.record_id,
            attendance.c.unit_id == unit_id,
        )
        .values(**values)
    )


def scheduled(a: Applied) -> list[str]:
    e = a.event
    a.conn.execute(
        insert(meetings).values(
            tenant_id=a.tenant_id,
            meeting_id=a.record_id,
            kind=e.kind,
            title=e.title,
            status="scheduled",
            scheduled_for=utc(e.scheduled_for),
            location=e.location,
            charter=e.charter,
            extraordinary=False,
            created_position=a.position,
            version=a.version,
        )
    )
    return []


def item_added(a: Applied) -> list[str]:
    e = a.event
    seq = a.conn.execute(
        select(func.count()).where(
            agenda_items.c.tenant_id == a.tenant_id, agenda_items.c.meeting_id == a.record_id
        )
    ).scalar_one()
    a.conn.execute(
        insert(agenda_items).values(
            tenant_id=a.tenant_id,
            meeting_id=a.record_id,
            item_id=e.item_id,
            seq=seq + 1,
            kind=e.kind,
            title=e.title,
            status="proposed",
            carried_from=e.carried_from,
        )
    )
    _set_meeting(a)
    return [_item_ref(a, e.item_id)]


def item_withdrawn(a: Applied) -> list[str]:
    return _set_item(a, a.event.item_id, status="withdrawn")


def notice_issued(a: Applied) -> list[str]:
    e = a.event
    _set_meeting(
        a, status="noticed", notice_issued_at=utc(e.issued_at), extraordinary=e.extraordinary
    )
    rows = [
        {
            "tenant_id": a.tenant_id,
            "meeting_id": a.record_id,
            "unit_id": unit,
            "notified": True,
            "signed_in": False,
            "substitute": False,
            "on_leave": False,
        }
        for unit in e.recipients
    ]
    if rows:
        a.conn.execute(insert(attendance), rows)
    return []


def opinions_solicited(a: Applied) -> list[str]:
    return _set_item(a, a.event.item_id, opinions_due=utc(a.event.due))


def _opinion(a: Applied, unit_id: str, item_id: str, text: str, with_leave: bool) -> None:
    a.conn.execute(
        insert(opinions).values(
            tenant_id=a.tenant_id,
            meeting_id=a.record_id,
            position=a.position,
            item_id=item_id,
            unit_id=unit_id,
            text=text,
            with_leave=with_leave,
        )
    )


def opinion_submitted(a: Applied) -> list[str]:
    e = a.event
    _opinion(a, e.unit_id, e.item_id, e.text, with_leave=False)
    return _set_item(a, e.item_id)


def leave_requested(a: Applied) -> list[str]:
    e = a.event
    _set_meeting(a)
    _set_attendance(a, e.unit_id, on_leave=True, leave_reason=e.reason)
    for item_id, text in e.opinions.items():
        _opinion(a, e.unit_id, item_id, text, with_leave=True)
    return [_item_ref(a, item_id) for item_id in e.opinions]


def signed_in(a: Applied) -> list[str]:
    e = a.event
    _set_meeting(a)
    _set_attendance(
        a, e.unit_id, signed_in=True, attendee=e.attendee, substitute=e.substitute, on_leave=False
    )
    return []


def position_recorded(a: Applied) -> list[str]:
    e = a.event
    key = {
        "tenant_id": a.tenant_id,
        "meeting_id": a.record_id,
        "item_id": e.item_id,
        "unit_id": e.unit_id,
    }
    a.conn.execute(delete(positions).filter_by(**key))
    a.conn.execute(insert(positions).values(position=e.position, reason=a.stamp.reason, **key))
    return _set_item(a, e.item_id)


def item_decided(a: Applied) -> list[str]:
    e = a.event
    resolution = str(e.resolution_id) if e.resolution_id else None
    refs = _set_item(
        a, e.item_id, status="decided", outcome=e.outcome, tally=e.tally, resolution_id=resolution
    )
    return refs + ([resolution] if resolution else [])


def status_to(status: str) -> Handler:
    def handler(a: Applied) -> list[str]:
        _set_meeting(a, status=status)
        return []

    return handler


def minutes(a: Applied) -> list[str]:
    _set_meeting(a, minutes=a.event.text, minutes_issued_at=a.occurred_at)
    return []


def minutes_corrected(a: Applied) -> list[str]:
    _set_meeting(a, minutes=a.event.text)
    return []


def postponed(a: Applied) -> list[str]:
    _set_meeting(
        a,
        status="scheduled",
        scheduled_for=utc(a.event.scheduled_for),
        notice_issued_at=None,
        extraordinary=False,
    )
    a.conn.execute(
        delete(attendance).where(
            attendance.c.tenant_id == a.tenant_id, attendance.c.meeting_id == a.record_id
        )
    )
    return []


HANDLERS: dict[str, Handler] = {
    "gongjian.Meeting.Scheduled": scheduled,
    "gongjian.Meeting.AgendaItemAdded": item_added,
    "gongjian.Meeting.AgendaItemWithdrawn": item_withdrawn,
    "gongjian.Meeting.NoticeIssued": notice_issued,
    "gongjian.Meeting.OpinionsSolicited": opinions_solicited,
    "gongjian.Meeting.OpinionSubmitted": opinion_submitted,
    "gongjian.Meeting.LeaveRequested": leave_requested,
    "gongjian.Meeting.SignedIn": signed_in,
    "gongjian.Meeting.Opened": status_to("open"),
    "gongjian.Meeting.PositionRecorded": position_recorded,
    "gongjian.Meeting.ItemDecided": item_decided,
    "gongjian.Meeting.Closed": status_to("closed"),
    "gongjian.Meeting.MinutesIssued": minutes,
    "gongjian.Meeting.MinutesCorrected": minutes_corrected,
    "gongjian.Meeting.Postponed": postponed,
    "gongjian.Meeting.Cancelled": status_to("cancelled"),
}
