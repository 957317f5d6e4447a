"""Projecting rubrics, evaluations, scores and rectifications."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update

from projections.context import Applied, Handler, set_record
from projections.tables_followup import (
    evaluations,
    rectifications,
    rubric_revisions,
    rubrics,
    scores,
)


def _set_rubric(a: Applied) -> None:
    set_record(a, rubrics, "rubric_id")


def _revision(a: Applied, revision: int, structure: dict[str, Any]) -> None:
    a.conn.execute(
        insert(rubric_revisions).values(
            tenant_id=a.tenant_id,
            rubric_id=a.record_id,
            revision=revision,
            structure=structure,
            published=False,
        )
    )


def rubric_drafted(a: Applied) -> list[str]:
    a.conn.execute(
        insert(rubrics).values(
            tenant_id=a.tenant_id,
            rubric_id=a.record_id,
            name=a.event.name,
            created_position=a.position,
            version=a.version,
        )
    )
    _revision(a, 1, a.event.structure)
    return []


def rubric_revised(a: Applied) -> list[str]:
    _set_rubric(a)
    _revision(a, a.event.revision, a.event.structure)
    return []


def rubric_published(a: Applied) -> list[str]:
    _set_rubric(a)
    a.conn.execute(
        update(rubric_revisions)
        .where(
            rubric_revisions.c.tenant_id == a.tenant_id,
            rubric_revisions.c.rubric_id == a.record_id,
            rubric_revisions.c.revision == a.event.revision,
        )
        .values(published=True)
    )
    return []


def _set_evaluation(a: Applied, **values: Any) -> None:
    set_record(a, evaluations, "evaluation_id", **values)


def opened(a: Applied) -> list[str]:
    e = a.event
    a.conn.execute(
        insert(evaluations).values(
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
    previous = a.conn.execute(select(scores.c.revisions).filter_by(**key)).scalar()
    values = {"points": e.points, "evidence": e.evidence, "position": a.position}
    if previous is None:
        a.conn.execute(insert(scores).values(revisions=0, **key, **values))
    else:
        a.conn.execute(update(scores).filter_by(**key).values(revisions=previous + 1, **values))
    return [f"{a.record_id}/{e.item_id}"]


def finalised(a: Applied) -> list[str]:
    _set_evaluation(
        a,
        status="final",
        source_totals=a.event.source_totals,
        weighted_total=a.event.weighted_total,
        finalised_at=a.occurred_at,
    )
    return []


def appealed(a: Applied) -> list[str]:
    _set_evaluation(a, status="appealed")
    return []


def appeal_resolved(a: Applied) -> list[str]:
    reopened = a.event.outcome == "reopened"
    if reopened:
        _set_evaluation(
            a, status="open", source_totals=None, weighted_total=None, finalised_at=None
        )
    else:
        _set_evaluation(a, status="final")
    return []


def rectification_required(a: Applied) -> list[str]:
    e = a.event
    _set_evaluation(a)
    a.conn.execute(
        insert(rectifications).values(
            tenant_id=a.tenant_id,
            evaluation_id=a.record_id,
            rectification_id=e.rectification_id,
            problem=e.problem,
            responsible=e.responsible,
            deadline=e.deadline,
            closed=False,
        )
    )
    return [f"{a.record_id}/{e.rectification_id}"]


def rectification_closed(a: Applied) -> list[str]:
    e = a.event
    _set_evaluation(a)
    a.conn.execute(
        update(rectifications)
        .where(
            rectifications.c.tenant_id == a.tenant_id,
            rectifications.c.evaluation_id == a.record_id,
            rectifications.c.rectification_id == e.rectification_id,
        )
        .values(closed=True, evidence=e.evidence, closed_at=a.occurred_at)
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
}
