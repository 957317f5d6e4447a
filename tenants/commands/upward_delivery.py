"""Carrying a community's report upward: two logs, each step recorded once, resumable.

Each tenant's log is appended in its own transaction (as a member transfer is), so a
report moves in steps that can each be re-run: the community records its filing,
then the street records the receipt under an id derived from the community's report
(``received_report_id``), one revision after the other. A decision goes the other
way: the street records it, then the community records it in its own log.
``reconcile`` takes whichever steps either log lacks, in order, so a retried request,
or the next one on the report, finishes what an interrupted one left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain import errors
from domain.periods import Period
from domain.stamp import Stamp
from domain.tenants import TenantKind
from domain.upward_reports import (
    NarrativeSection,
    ReceivedReport,
    ReportFigures,
    ReportStatus,
    UpwardReport,
    received_report_id,
    upward_report_id,
)
from tenants.ledger import VersionConflict, expecting
from tenants.registry import Ledgers

FigureSource = Callable[[str, Period, date], tuple[ReportFigures, int]]
"""A community's figures for a period, overdue judged on a day, and the position of
the community's log they were composed at (``projections.upward_figures``)."""

ATTEMPTS = 5


@dataclass(frozen=True)
class Delivery:
    """Where a report stands in both logs once a request is done with it."""

    community_id: str
    street_id: str
    report_id: UUID  # in the community's log
    received_id: UUID  # in the street's log
    revision: int  # the latest
    status: ReportStatus  # of the latest revision
    report_version: int
    received_version: int
    reflects_position: int  # of the latest revision's figures
    community_position: int
    street_position: int


def street_of(ledgers: Ledgers, community_id: str) -> str:
    """The street a community reports to; only a community under a street reports."""
    tenant = ledgers[community_id].tenant()
    if tenant.kind is not TenantKind.COMMUNITY or tenant.parent_id is None:
        raise errors.NoStreetToReportTo(f"{community_id} is no community under a street")
    return tenant.parent_id


def file_report(
    ledgers: Ledgers,
    figures: FigureSource,
    stamp: Stamp,
    period: str,
    narrative: dict[NarrativeSection, str],
    filing_id: str,
) -> Delivery:
    """File the community's report on ``period`` (``stamp`` names the community) and
    deliver it to its street; a retry of the request that filed it (``filing_id``)
    files nothing again and finishes the delivery."""
    community_id = stamp.tenant_id
    street_id = street_of(ledgers, community_id)
    community = ledgers[community_id]
    report_id = upward_report_id(community_id, period)
    earlier = None
    if report_id in community.repository:
        reconcile(ledgers, community_id, report_id)  # what an interrupted request left
        earlier = community.load(UpwardReport, report_id).filed_by(filing_id)
    if earlier is None:
        community.file_upward_report(
            stamp,
            street_id=street_id,
            period=period,
            narrative=narrative,
            filing_id=filing_id,
            compose=lambda within, day: figures(community_id, within, day),
        )
    reconcile(ledgers, community_id, report_id)
    return delivery(ledgers, community_id, report_id)


def decide_report(
    ledgers: Ledgers,
    stamp: Stamp,
    received_id: UUID,
    outcome: ReportStatus,
    request: str | None,
) -> Delivery:
    """Record the street's decision on the latest revision (``stamp`` names the street)
    and record it in the community's log; a retry of the request that decided
    (``request``) decides nothing again and finishes the record."""
    street = ledgers[stamp.tenant_id]
    received = street.load(ReceivedReport, received_id)
    if request is None or not received.decided_by(request):
        street.decide_upward_report(stamp, received_id, outcome, request)
    reconcile(ledgers, received.community_id, received.report_id)
    return delivery(ledgers, received.community_id, received.report_id)


def reconcile(ledgers: Ledgers, community_id: str, report_id: UUID) -> None:
    """Record whatever step of a report's delivery either log lacks: each revision the
    community filed, received by the street; each decision the street made, recorded
    by the community. Both records are read as they are now, whatever version the
    running command expected of its own."""
    with expecting(None, None):
        for _ in range(ATTEMPTS):
            try:
                _take_missing_steps(ledgers, community_id, report_id)
                return
            except IntegrityError:
                continue  # a concurrent request recorded the same step first: look again
    raise VersionConflict(f"the report {report_id} kept changing while it was delivered")


def _take_missing_steps(ledgers: Ledgers, community_id: str, report_id: UUID) -> None:
    community = ledgers[community_id]
    filed = community.load(UpwardReport, report_id)
    street = ledgers[filed.street_id]
    street.receive_upward_report(filed)
    received_id = received_report_id(street.tenant_id, report_id)
    community.record_upward_decisions(street.load(ReceivedReport, received_id))


def delivery(ledgers: Ledgers, community_id: str, report_id: UUID) -> Delivery:
    """Where the report stands in both logs now. The positions are the logs' heads:
    they include the request's events, and equal a retry's as long as neither log has
    grown since."""
    with expecting(None, None):
        community = ledgers[community_id]
        report = community.load(UpwardReport, report_id)
        street = ledgers[report.street_id]
        received_id = received_report_id(report.street_id, report_id)
        received = street.load(ReceivedReport, received_id)
    return Delivery(
        community_id=community_id,
        street_id=report.street_id,
        report_id=report_id,
        received_id=received_id,
        revision=report.latest.number,
        status=received.status,
        report_version=report.version,
        received_version=received.version,
        reflects_position=int(report.latest.filing["reflects_position"]),
        community_position=community.head_position(),
        street_position=street.head_position(),
    )
