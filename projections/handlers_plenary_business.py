"""Projecting the plenary's business: council rosters and work documents. Each event
also joins the history of the resolution it cites."""

from __future__ import annotations

from projections.context import Applied, Handler
from projections.tables_plenary_business import councils, work_documents
from projections.temporal import add, set_record


def council_confirmed(a: Applied) -> list[str]:
    e = a.event
    add(
        a,
        councils,
        tenant_id=a.tenant_id,
        council_id=a.record_id,
        seats=e.seats,
        resolution_id=str(e.resolution_id),
        meeting_id=str(e.meeting_id),
        confirmed_at=a.occurred_at,
        version=a.version,
    )
    return [str(e.resolution_id)]


def council_reconfirmed(a: Applied) -> list[str]:
    e = a.event
    set_record(
        a,
        councils,
        "council_id",
        seats=e.seats,
        resolution_id=str(e.resolution_id),
        meeting_id=str(e.meeting_id),
        confirmed_at=a.occurred_at,
    )
    return [str(e.resolution_id)]


def document_adopted(a: Applied) -> list[str]:
    e = a.event
    add(
        a,
        work_documents,
        tenant_id=a.tenant_id,
        document_id=a.record_id,
        kind=e.kind,
        period=e.period,
        title=e.title,
        items=e.items,
        resolution_id=str(e.resolution_id),
        meeting_id=str(e.meeting_id),
        adopted_at=a.occurred_at,
        created_position=a.position,
        version=a.version,
    )
    return [str(e.resolution_id)]


def document_revised(a: Applied) -> list[str]:
    e = a.event
    set_record(
        a,
        work_documents,
        "document_id",
        title=e.title,
        items=e.items,
        resolution_id=str(e.resolution_id),
        meeting_id=str(e.meeting_id),
        revised_at=a.occurred_at,
        revision_reason=a.stamp.reason,
    )
    return [str(e.resolution_id)]


HANDLERS: dict[str, Handler] = {
    "gongjian.Council.Confirmed": council_confirmed,
    "gongjian.Council.Reconfirmed": council_reconfirmed,
    "gongjian.WorkDocument.Adopted": document_adopted,
    "gongjian.WorkDocument.Revised": document_revised,
}
