"""Projecting rubrics, evaluations, scores and rectifications."""

from __future__ import annotations

from typing import Any

from domain.evaluations import RectificationStatus
from projections.context import Applied, Handler
from projections.handlers_evidence import attach
from projections.tables_engagement import (
    evaluations,
    rectifications,
    rubric_revisions,
    rubrics,
    scores,
)
from projections.temporal import add, change, read, set_record


def _revision(a: Applied, revision: int, structure: dict[str, Any]) -> None:
    add(
        a,
        rubric_revisions,
        tenant_id=a.tenant_id,
        rubric_id=a.record_id,
        revision=revision,
        structure=structure,
        published=False,
    )


def rubric_drafted(a: Applied) -> list[str]:
    add(
        a,
        rubrics,
        tenant_id=a.tenant_id,
        rubric_id=a.record_id,
        name=a.event.name,
        created_position=a.position,
        version=a.version,
    )
    _revision(a, 1, a.event.structure)
    return []


def rubric_revised(a: Applied) -> list[str]:
    set_record(a, rubrics, "rubric_id")
    _revision(a, a.event.revision, a.event.structure)
    return []


def rubric_published(a: Applied) -> list[str]:
    set_record(a, rubrics, "rubric_id")
    revision = {"tenant_id": a.tenant_id, "rubric_id": a.record_id, "revision": a.event.revision}
    change(a, rubric_revisions, revision, published=True)
    return []


def _set_evaluation(a: Applied, **values: Any) -> None:
    set_record(a, evaluations, "evaluation_id", **values)


def opened(a: Applied) -> list[str]:
    e = a.event
    add(
        a,
        evaluations,
        tenant_id=a.tenant_id,
        evaluation_id=a.record_id,
        subject_kind=e.subject_kind,
        subject_id=e.subject_id,
        period=e.period,
        rubric_id=str(e.rubric_id),
        revision=e.revision,
        structure=e.structure,
        sources=e.sources,
        status="open",
        created_position=a.position,
        version=a.version,
    )
    return [str(e.rubric_id)]


def scored(a: Applied) -> list[str]:
    e = a.event
    _set_evaluation(a)
    key = {
        "tenant_id": a.tenant_id,
        "evaluation_id": a.record_id,
        "item_id": e.item_id,
        "source_id": e.source_id,
    }
    values = {"points": e.points, "evidence": e.evidence, "position": a.position}
    previous = read(a, scores, "revisions", key)
    if previous is None:
        add(a, scores, **key, revisions=0, **values)
    else:
        change(a, scores, key, revisions=previous + 1, **values)
    return [f"{a.record_id}/{e.item_id}"]


def finalised(a: Applied) -> list[str]:
    _set_evaluation(
        a,
        status="final",
        source_totals=a.event.source_totals,
        weighted_total=a.event.weighted_total,
        finalised_at=a.occurred_at,
        evidence_at=a.event.evidence_at or None,
    )
    return []


def appealed(a: Applied) -> list[str]:
    _set_evaluation(a, status="appealed")
    return []


def appeal_resolved(a: Applied) -> list[str]:
    if a.event.outcome == "reopened":
        _set_evaluation(
            a,
            status="open",
            source_totals=None,
            weighted_total=None,
            finalised_at=None,
            evidence_at=None,
        )
    else:
        _set_evaluation(a, status="final")
    return []


def rectification_required(a: Applied) -> list[str]:
    e = a.event
    _set_evaluation(a)
    add(
        a,
        rectifications,
        tenant_id=a.tenant_id,
        evaluation_id=a.record_id,
        rectification_id=e.rectification_id,
        problem=e.problem,
        responsible=e.responsible,
        deadline=e.deadline,
        status=RectificationStatus.OPEN.value,
        closed=False,
        report_files=[],
        evidence_files=[],
    )
    return [f"{a.record_id}/{e.rectification_id}"]


def _rectification_key(a: Applied) -> dict[str, Any]:
    return {
        "tenant_id": a.tenant_id,
        "evaluation_id": a.record_id,
        "rectification_id": a.event.rectification_id,
    }


def rectification_reported(a: Applied) -> list[str]:
    e = a.event
    _set_evaluation(a)
    change(
        a,
        rectifications,
        _rectification_key(a),
        status=RectificationStatus.REPORTED.value,
        report=e.evidence,
        report_files=attach(a, e.rectification_id),
        reported_at=a.occurred_at,
    )
    return [f"{a.record_id}/{e.rectification_id}"]


def rectification_returned(a: Applied) -> list[str]:
    _set_evaluation(a)
    change(a, rectifications, _rectification_key(a), status=RectificationStatus.OPEN.value)
    return [f"{a.record_id}/{a.event.rectification_id}"]


def rectification_closed(a: Applied) -> list[str]:
    e = a.event
    _set_evaluation(a)
    change(
        a,
        rectifications,
        _rectification_key(a),
        status=RectificationStatus.CLOSED.value,
        closed=True,
        evidence=e.evidence,
        evidence_files=attach(a, e.rectification_id),
        closed_at=a.occurred_at,
    )
    return [f"{a.record_id}/{e.rectification_id}"]


HANDLERS: dict[str, Handler] = {
    "gongjian.Rubric.Drafted": rubric_drafted,
    "gongjian.Rubric.Revised": rubric_revised,
    "gongjian.Rubric.Published": rubric_published,
    "gongjian.Evaluation.Opened": opened,
    "gongjian.Evaluation.Scored": scored,
    "gongjian.Evaluation.Finalised": finalised,
    "gongjian.Evaluation.Appealed": appealed,
    "gongjian.Evaluation.AppealResolved": appeal_resolved,
    "gongjian.Evaluation.RectificationRequired": rectification_required,
    "gongjian.Evaluation.RectificationClosed": rectification_closed,
    "gongjian.Evaluation.RectificationReported": rectification_reported,
    "gongjian.Evaluation.RectificationReturned": rectification_returned,
}
