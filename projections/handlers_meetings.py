"""Projecting meetings: agenda, notice, opinions, leave, attendance, positions, minutes."""

from __future__ import annotations

from typing import Any

from projections.context import Applied, Handler, utc
from projections.tables import (
    agenda_items,
    attendance,
    meetings,
    minutes_receipts,
    opinions,
    positions,
)
from projections.temporal import add, add_many, change, close, count_current, put, read, set_record


def _item_ref(a: Applied, item_id: str) -> str:
    return f"{a.record_id}/{item_id}"


def _set_meeting(a: Applied, **values: Any) -> None:
    set_record(a, meetings, "meeting_id", **values)


def _set_item(a: Applied, item_id: str, **values: Any) -> list[str]:
    _set_meeting(a)
    if values:
        item = {"tenant_id": a.tenant_id, "meeting_id": a.record_id, "item_id": item_id}
        change(a, agenda_items, item, **values)
    return [_item_ref(a, item_id)]


def _set_attendance(a: Applied, unit_id: str, **values: Any) -> None:
    unit = {"tenant_id": a.tenant_id, "meeting_id": a.record_id, "unit_id": unit_id}
    change(a, attendance, unit, **values)


def scheduled(a: Applied) -> list[str]:
    e = a.event
    add(
        a,
        meetings,
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
    return []


def item_added(a: Applied) -> list[str]:
    e = a.event
    seq = count_current(a, agenda_items, {"tenant_id": a.tenant_id, "meeting_id": a.record_id})
    add(
        a,
        agenda_items,
        tenant_id=a.tenant_id,
        meeting_id=a.record_id,
        item_id=e.item_id,
        seq=seq + 1,
        kind=e.kind,
        title=e.title,
        status="proposed",
        carried_from=e.carried_from,
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
    add_many(
        a,
        attendance,
        [
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
        ],
    )
    return []


def opinions_solicited(a: Applied) -> list[str]:
    return _set_item(a, a.event.item_id, opinions_due=utc(a.event.due))


def _opinion(a: Applied, unit_id: str, item_id: str, text: str, with_leave: bool) -> None:
    # Late: given after the due time the item's opinions were asked for by (when it
    # happened, as the stamp says, else when it was recorded).
    match = {"tenant_id": a.tenant_id, "meeting_id": a.record_id, "item_id": item_id}
    due = read(a, agenda_items, "opinions_due", match)
    late = due is not None and a.occurred_at > utc(due)
    add(
        a,
        opinions,
        tenant_id=a.tenant_id,
        meeting_id=a.record_id,
        position=a.position,
        item_id=item_id,
        unit_id=unit_id,
        text=text,
        with_leave=with_leave,
        late=late,
    )


def opinion_submitted(a: Applied) -> list[str]:
    e = a.event
    _opinion(a, e.unit_id, e.item_id, e.text, with_leave=False)
    return _set_item(a, e.item_id)


def leave_requested(a: Applied) -> list[str]:
    e = a.event
    _set_meeting(a)
    decided = not e.needs_decision  # requests from before decisions excused at once
    _set_attendance(
        a,
        e.unit_id,
        on_leave=decided,
        leave_reason=e.reason,
        leave_status="approved" if decided else "requested",
    )
    for item_id, text in e.opinions.items():
        _opinion(a, e.unit_id, item_id, text, with_leave=True)
    return [_item_ref(a, item_id) for item_id in e.opinions]


def leave_decided(a: Applied) -> list[str]:
    e = a.event
    _set_meeting(a)
    status = "approved" if e.approved else "refused"
    _set_attendance(a, e.unit_id, on_leave=e.approved, leave_status=status)
    return []


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
    put(a, positions, key, position=e.position, reason=a.stamp.reason)
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


def opened(a: Applied) -> list[str]:
    _set_meeting(a, status="open", chair_unit_id=a.event.chair_unit_id)
    return []


def minutes(a: Applied) -> list[str]:
    _set_meeting(a, minutes=a.event.minutes, minutes_issued_at=a.occurred_at)
    for unit_id in a.event.recipients:
        unit = {"tenant_id": a.tenant_id, "meeting_id": a.record_id, "unit_id": unit_id}
        put(a, minutes_receipts, unit, acknowledged_at=None)
    return []


def minutes_acknowledged(a: Applied) -> list[str]:
    _set_meeting(a)
    unit = {"tenant_id": a.tenant_id, "meeting_id": a.record_id, "unit_id": a.event.unit_id}
    change(a, minutes_receipts, unit, acknowledged_at=a.occurred_at)
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
    close(a, attendance, {"tenant_id": a.tenant_id, "meeting_id": a.record_id})
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
    "gongjian.Meeting.Opened": opened,
    "gongjian.Meeting.PositionRecorded": position_recorded,
    "gongjian.Meeting.ItemDecided": item_decided,
    "gongjian.Meeting.Closed": status_to("closed"),
    "gongjian.Meeting.MinutesIssued": minutes,
    "gongjian.Meeting.MinutesCorrected": minutes_corrected,
    "gongjian.Meeting.MinutesAcknowledged": minutes_acknowledged,
    "gongjian.Meeting.LeaveDecided": leave_decided,
    "gongjian.Meeting.Postponed": postponed,
    "gongjian.Meeting.Cancelled": status_to("cancelled"),
}
