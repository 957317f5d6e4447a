"""Projecting resolutions and their execution reports."""

from __future__ import annotations

from typing import Any

from projections.context import Applied, Handler
from projections.handlers_evidence import attach
from projections.tables import execution_reports, resolutions
from projections.temporal import add, change, current_rows, read, set_record


def _set(a: Applied, **values: Any) -> None:
    set_record(a, resolutions, "resolution_id", **values)


def _get(a: Applied, column: str) -> Any:
    return read(a, resolutions, column, {"tenant_id": a.tenant_id, "resolution_id": a.record_id})


def adopted(a: Applied) -> list[str]:
    e = a.event
    add(
        a,
        resolutions,
        tenant_id=a.tenant_id,
        resolution_id=a.record_id,
        meeting_id=str(e.meeting_id),
        item_id=e.item_id,
        title=e.title,
        action=e.action,
        responsible=e.responsible_unit_ids,
        deadline=e.deadline,
        status="adopted",
        notified=[],
        completed_by=[],
        adopted_at=a.occurred_at,
        created_position=a.position,
        version=a.version,
    )
    return [f"{e.meeting_id}/{e.item_id}"]


def notified(a: Applied) -> list[str]:
    _set(a, notified=sorted(set(_get(a, "notified")) | set(a.event.unit_ids)))
    return []


def execution_reported(a: Applied) -> list[str]:
    e = a.event
    add(
        a,
        execution_reports,
        tenant_id=a.tenant_id,
        resolution_id=a.record_id,
        position=a.position,
        unit_id=e.unit_id,
        kind=e.kind,
        note=e.note,
        evidence=list(e.evidence),
        files=attach(a, e.unit_id),
        recorded_at=a.occurred_at,
    )
    completed = set(_get(a, "completed_by"))
    if e.kind == "completed":
        completed.add(e.unit_id)
    responsible = set(_get(a, "responsible"))
    status = "completed" if responsible <= completed else "in_progress"
    _set(a, completed_by=sorted(completed), status=status)
    return []


def verified(a: Applied) -> list[str]:
    _set(a, status="verified", verified_at=a.occurred_at)
    return []


def returned(a: Applied) -> list[str]:
    unit_id = a.event.unit_id
    _set(a, completed_by=sorted(set(_get(a, "completed_by")) - {unit_id}), status="in_progress")
    mine = {"tenant_id": a.tenant_id, "resolution_id": a.record_id}
    completions = current_rows(
        a, execution_reports, {**mine, "unit_id": unit_id, "kind": "completed"}
    )
    # The unit's last completion report is the one returned (none: nothing to mark).
    last = max((row["position"] for row in completions), default=None)
    change(a, execution_reports, {**mine, "position": last}, returned_reason=a.stamp.reason)
    return []


def superseded(a: Applied) -> list[str]:
    by = str(a.event.by_resolution_id)
    _set(a, status="superseded", superseded_by=by)
    return [by]


HANDLERS: dict[str, Handler] = {
    "gongjian.Resolution.Adopted": adopted,
    "gongjian.Resolution.Notified": notified,
    "gongjian.Resolution.ExecutionReported": execution_reported,
    "gongjian.Resolution.Verified": verified,
    "gongjian.Resolution.Returned": returned,
    "gongjian.Resolution.Superseded": superseded,
}
