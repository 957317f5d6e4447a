"""Projecting co-construction agreements and each term's line items and fulfilment."""

from __future__ import annotations

from typing import Any

from projections.context import Applied, Handler
from projections.tables_agreements import agreement_lines, agreements
from projections.temporal import add, add_many, change, set_record


def line_ref(agreement_id: str, term: int, line_id: str) -> str:
    """The history reference of one term's line of an agreement."""
    return f"{agreement_id}/{term}/{line_id}"


def _add_lines(a: Applied, term: int, lines: list[dict[str, Any]]) -> list[str]:
    add_many(
        a,
        agreement_lines,
        [
            {
                "tenant_id": a.tenant_id,
                "agreement_id": a.record_id,
                "term": term,
                "line_id": line["id"],
                "seq": n,
                "party": line["party"],
                "text": line["text"],
                "fulfilment": None,
                "note": None,
            }
            for n, line in enumerate(lines, start=1)
        ],
    )
    return [line_ref(a.record_id, term, line["id"]) for line in lines]


def signed(a: Applied) -> list[str]:
    e = a.event
    add(
        a,
        agreements,
        tenant_id=a.tenant_id,
        agreement_id=a.record_id,
        unit_id=e.unit_id,
        title=e.title,
        term=1,
        starts_on=e.starts_on,
        ends_on=e.ends_on,
        status="in_force",
        ended_reason=None,
        created_position=a.position,
        version=a.version,
    )
    return _add_lines(a, 1, e.lines)


def reviewed(a: Applied) -> list[str]:
    e = a.event
    set_record(a, agreements, "agreement_id", status="reviewed")
    for line in e.lines:
        change(
            a,
            agreement_lines,
            {
                "tenant_id": a.tenant_id,
                "agreement_id": a.record_id,
                "term": e.term,
                "line_id": line["id"],
            },
            fulfilment=line["fulfilment"],
            note=line["note"] or None,
        )
    return [line_ref(a.record_id, e.term, line["id"]) for line in e.lines]


def renewed(a: Applied) -> list[str]:
    e = a.event
    set_record(
        a,
        agreements,
        "agreement_id",
        term=e.term,
        starts_on=e.starts_on,
        ends_on=e.ends_on,
        status="in_force",
    )
    return _add_lines(a, e.term, e.lines)


def ended(a: Applied) -> list[str]:
    set_record(a, agreements, "agreement_id", status="ended", ended_reason=a.stamp.reason)
    return []


HANDLERS: dict[str, Handler] = {
    "gongjian.Agreement.Signed": signed,
    "gongjian.Agreement.Reviewed": reviewed,
    "gongjian.Agreement.Renewed": renewed,
    "gongjian.Agreement.Ended": ended,
}
