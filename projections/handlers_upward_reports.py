"""Projecting reports upward: the community's filings and the street's receipts fill
the same records, each in its own tenant's rows."""

from __future__ import annotations

from typing import Any

from domain.upward_reports import ReportStatus
from projections.context import Applied, Handler
from projections.tables_upward_reports import upward_report_revisions, upward_reports
from projections.temporal import add, change, set_record


def _revision(a: Applied, number: int) -> None:
    filing = a.event.filing
    add(
        a,
        upward_report_revisions,
        tenant_id=a.tenant_id,
        report_id=a.record_id,
        revision=number,
        status=ReportStatus.SUBMITTED.value,
        filed_at=a.occurred_at,
        filed_on=filing["filed_on"],
        reflects_position=filing["reflects_position"],
        figures=filing["figures"],
        narrative=filing["narrative"],
        reason=a.stamp.reason if number > 1 else None,
    )


def _opened(a: Applied, community_id: str, street_id: str, filed_report_id: str) -> None:
    add(
        a,
        upward_reports,
        tenant_id=a.tenant_id,
        report_id=a.record_id,
        community_id=community_id,
        street_id=street_id,
        filed_report_id=filed_report_id,
        period=a.event.period,
        status=ReportStatus.SUBMITTED.value,
        revision=1,
        filed_at=a.occurred_at,
        created_position=a.position,
        version=a.version,
    )
    _revision(a, 1)


def filed(a: Applied) -> list[str]:
    _opened(a, a.tenant_id, a.event.street_id, a.record_id)
    return []


def received(a: Applied) -> list[str]:
    e = a.event
    _opened(a, e.community_id, a.tenant_id, str(e.report_id))
    return []


def filed_again(a: Applied) -> list[str]:
    number = a.event.revision
    set_record(
        a,
        upward_reports,
        "report_id",
        status=ReportStatus.SUBMITTED.value,
        revision=number,
        filed_at=a.occurred_at,
        decided_at=None,
        decision_reason=None,
    )
    _revision(a, number)
    return []


def _decided(a: Applied, outcome: ReportStatus) -> list[str]:
    values: dict[str, Any] = {
        "status": outcome.value,
        "decided_at": a.occurred_at,
        "decision_reason": a.stamp.reason,
    }
    set_record(a, upward_reports, "report_id", **values)
    mine = {"tenant_id": a.tenant_id, "report_id": a.record_id, "revision": a.event.revision}
    change(a, upward_report_revisions, mine, **values)
    return []


def acknowledged(a: Applied) -> list[str]:
    return _decided(a, ReportStatus.ACKNOWLEDGED)


def returned(a: Applied) -> list[str]:
    return _decided(a, ReportStatus.RETURNED)


HANDLERS: dict[str, Handler] = {
    "gongjian.UpwardReport.Filed": filed,
    "gongjian.UpwardReport.Refiled": filed_again,
    "gongjian.UpwardReport.Acknowledged": acknowledged,
    "gongjian.UpwardReport.Returned": returned,
    "gongjian.ReceivedReport.Received": received,
    "gongjian.ReceivedReport.RevisionReceived": filed_again,
    "gongjian.ReceivedReport.Acknowledged": acknowledged,
    "gongjian.ReceivedReport.Returned": returned,
}
