"""Projecting commendations."""

from __future__ import annotations

from typing import Any

from domain.commendations import CommendationStatus
from projections.context import Applied, Handler
from projections.tables_commendations import commendations
from projections.temporal import add, set_record


def _set(a: Applied, **values: Any) -> None:
    set_record(a, commendations, "commendation_id", **values)


def nominated(a: Applied) -> list[str]:
    e = a.event
    add(
        a,
        commendations,
        tenant_id=a.tenant_id,
        commendation_id=a.record_id,
        kind=e.kind,
        nominee_tenant=e.nominee_tenant,
        nominee_id=e.nominee_id,
        period=e.period,
        evaluation_tenant=e.evaluation_tenant,
        evaluation_id=str(e.evaluation_id) if e.evaluation_id else None,
        grounds=a.stamp.reason,
        status=CommendationStatus.NOMINATED.value,
        nominated_at=a.occurred_at,
        created_position=a.position,
        version=a.version,
    )
    return [str(e.evaluation_id)] if e.evaluation_id else []


def decided(a: Applied) -> list[str]:
    _set(a, status=a.event.outcome, decided_at=a.occurred_at, decision_reason=a.stamp.reason)
    return []


def published(a: Applied) -> list[str]:
    e = a.event
    _set(
        a,
        status=CommendationStatus.PUBLISHED.value,
        published_on=e.published_on,
        channel=e.channel,
    )
    return []


def revoked(a: Applied) -> list[str]:
    _set(
        a,
        status=CommendationStatus.REVOKED.value,
        revoked_at=a.occurred_at,
        revocation_reason=a.stamp.reason,
    )
    return []


HANDLERS: dict[str, Handler] = {
    "gongjian.Commendation.Nominated": nominated,
    "gongjian.Commendation.Decided": decided,
    "gongjian.Commendation.Published": published,
    "gongjian.Commendation.Revoked": revoked,
}
