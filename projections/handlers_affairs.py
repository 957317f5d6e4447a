"""Projecting residents' affairs through their four cards."""

from __future__ import annotations

from typing import Any

from domain.affairs import AffairStatus, days_to_close
from projections.context import Applied, Handler
from projections.handlers_evidence import attach
from projections.tables_affairs import affair_feedback, affairs
from projections.temporal import add, read, set_record


def _set(a: Applied, **values: Any) -> None:
    set_record(a, affairs, "affair_id", **values)


def received(a: Applied) -> list[str]:
    e = a.event
    add(
        a,
        affairs,
        tenant_id=a.tenant_id,
        affair_id=a.record_id,
        resident=e.resident,
        matter=e.matter,
        channel=e.channel,
        received_on=e.received_on,
        status=AffairStatus.RECEIVED.value,
        evidence=[],
        files=[],
        reopened=0,
        created_position=a.position,
        version=a.version,
    )
    return []


def assigned(a: Applied) -> list[str]:
    e = a.event
    status = read(a, affairs, "status", _mine(a))
    _set(
        a,
        # As the aggregate: a reopened affair stays reopened until its next result.
        status=status if status == AffairStatus.REOPENED.value else AffairStatus.ASSIGNED.value,
        assignee_kind=e.assignee_kind,
        assignee_id=e.assignee_id,
        deadline=e.deadline,
    )
    return []


def result_reported(a: Applied) -> list[str]:
    e = a.event
    _set(
        a,
        status=AffairStatus.REPORTED.value,
        result=e.result,
        evidence=list(e.evidence),
        files=attach(a),
        reported_at=a.occurred_at,
    )
    return []


def feedback_given(a: Applied) -> list[str]:
    e = a.event
    add(
        a,
        affair_feedback,
        tenant_id=a.tenant_id,
        affair_id=a.record_id,
        position=a.position,
        satisfied=e.satisfied,
        comment=e.comment,
        given_on=e.given_on,
    )
    if e.satisfied:
        received_on = read(a, affairs, "received_on", _mine(a))
        _set(
            a,
            status=AffairStatus.CLOSED.value,
            satisfied=True,
            closed_on=e.given_on,
            days_to_close=days_to_close(received_on, e.given_on),
        )
    else:
        reopened = read(a, affairs, "reopened", _mine(a))
        _set(a, status=AffairStatus.REOPENED.value, satisfied=False, reopened=reopened + 1)
    return []


def _mine(a: Applied) -> dict[str, Any]:
    return {"tenant_id": a.tenant_id, "affair_id": a.record_id}


HANDLERS: dict[str, Handler] = {
    "gongjian.Affair.Received": received,
    "gongjian.Affair.Assigned": assigned,
    "gongjian.Affair.ResultReported": result_reported,
    "gongjian.Affair.FeedbackGiven": feedback_given,
}
