"""Projecting public commitments, their milestones and residents' ratings."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import insert, update

from projections.context import Applied, Handler, set_record
from projections.tables_followup import commitments, milestones, ratings


def _set(a: Applied, **values: Any) -> None:
    set_record(a, commitments, "commitment_id", **values)


def made(a: Applied) -> list[str]:
    e = a.event
    a.conn.execute(
        insert(commitments).values(
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
    )
    rows = [
        {
            "tenant_id": a.tenant_id,
            "commitment_id": a.record_id,
            "milestone_id": m["id"],
            "seq": n,
            "title": m["title"],
            "due": date.fromisoformat(m["due"]),
            "percent": 0,
            "evidence": [],
        }
        for n, m in enumerate(e.milestones, start=1)
    ]
    if rows:
        a.conn.execute(insert(milestones), rows)
    return [f"{a.record_id}/{m['id']}" for m in e.milestones]


def published(a: Applied) -> list[str]:
    _set(a, status="published", channel=a.event.channel, published_on=a.event.published_on)
    return []


def progress_reported(a: Applied) -> list[str]:
    e = a.event
    _set(a)
    a.conn.execute(
        update(milestones)
        .where(
            milestones.c.tenant_id == a.tenant_id,
            milestones.c.commitment_id == a.record_id,
            milestones.c.milestone_id == e.milestone_id,
        )
        .values(percent=e.percent, evidence=list(e.evidence))
    )
    return [f"{a.record_id}/{e.milestone_id}"]


def rated(a: Applied) -> list[str]:
    e = a.event
    _set(a)
    # The resident's earlier rating for the period stays, no longer current.
    a.conn.execute(
        update(ratings)
        .where(
            ratings.c.tenant_id == a.tenant_id,
            ratings.c.commitment_id == a.record_id,
            ratings.c.resident_id == e.resident_id,
            ratings.c.period == e.period,
        )
        .values(current=False)
    )
    a.conn.execute(
        insert(ratings).values(
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
