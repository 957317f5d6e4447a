"""Projecting public commitments, their milestones and residents' ratings."""

from __future__ import annotations

from datetime import date
from typing import Any

from projections.context import Applied, Handler
from projections.handlers_evidence import attach
from projections.tables_engagement import commitments, milestones, ratings
from projections.temporal import add, add_many, change, set_record


def _set(a: Applied, **values: Any) -> None:
    set_record(a, commitments, "commitment_id", **values)


def made(a: Applied) -> list[str]:
    e = a.event
    add(
        a,
        commitments,
        tenant_id=a.tenant_id,
        commitment_id=a.record_id,
        maker_kind=e.maker_kind,
        maker_id=e.maker_id,
        text=e.text,
        category=e.category,
        due=e.due,
        status="made",
        created_position=a.position,
        version=a.version,
    )
    add_many(
        a,
        milestones,
        [
            {
                "tenant_id": a.tenant_id,
                "commitment_id": a.record_id,
                "milestone_id": m["id"],
                "seq": n,
                "title": m["title"],
                "due": date.fromisoformat(m["due"]),
                "percent": 0,
                "evidence": [],
                "files": [],
            }
            for n, m in enumerate(e.milestones, start=1)
        ],
    )
    return [f"{a.record_id}/{m['id']}" for m in e.milestones]


def published(a: Applied) -> list[str]:
    _set(a, status="published", channel=a.event.channel, published_on=a.event.published_on)
    return []


def progress_reported(a: Applied) -> list[str]:
    e = a.event
    _set(a)
    change(
        a,
        milestones,
        {"tenant_id": a.tenant_id, "commitment_id": a.record_id, "milestone_id": e.milestone_id},
        percent=e.percent,
        evidence=list(e.evidence),
        files=attach(a, e.milestone_id),
    )
    return [f"{a.record_id}/{e.milestone_id}"]


def rated(a: Applied) -> list[str]:
    e = a.event
    _set(a)
    # The resident's earlier rating for the period stays, no longer current.
    mine = {"tenant_id": a.tenant_id, "commitment_id": a.record_id}
    change(a, ratings, {**mine, "resident_id": e.resident_id, "period": e.period}, current=False)
    add(
        a,
        ratings,
        tenant_id=a.tenant_id,
        commitment_id=a.record_id,
        position=a.position,
        resident_id=e.resident_id,
        period=e.period,
        rating=e.rating,
        comment=e.comment,
        current=True,
        rated_at=a.occurred_at,
    )
    return []


def status_to(status: str) -> Handler:
    def handler(a: Applied) -> list[str]:
        _set(a, status=status)
        return []

    return handler


HANDLERS: dict[str, Handler] = {
    "gongjian.Commitment.Made": made,
    "gongjian.Commitment.Published": published,
    "gongjian.Commitment.ProgressReported": progress_reported,
    "gongjian.Commitment.Rated": rated,
    "gongjian.Commitment.Fulfilled": status_to("fulfilled"),
    "gongjian.Commitment.Withdrawn": status_to("withdrawn"),
}
