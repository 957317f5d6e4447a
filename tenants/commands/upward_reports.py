"""Commands on reports upward, each on one log: the community files its report and
records the street's decisions; the street receives the report and decides.
``tenants.commands.upward_delivery`` carries a report between the two logs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from uuid import UUID

from domain.periods import Period
from domain.stamp import Stamp
from domain.upward_reports import (
    Filing,
    NarrativeSection,
    ReceivedReport,
    ReportFigures,
    ReportStatus,
    UpwardReport,
    check_filing,
    received_report_id,
    upward_report_id,
)
from tenants.ledger import CommandResult, LedgerBase

Compose = Callable[[Period, date], tuple[ReportFigures, int]]
"""The figures of the community's records for a period, overdue judged on a day, and
the log position they were composed at."""


class UpwardReportCommands(LedgerBase):
    """A community's reports to its street, and a street's of its communities."""

    def file_upward_report(
        self,
        stamp: Stamp,
        *,
        street_id: str,
        period: str,
        narrative: dict[NarrativeSection, str],
        filing_id: str,
        compose: Compose,
    ) -> CommandResult:
        """File the community's report on ``period``, or its next revision once the
        street returned it; the figures are composed only once the rules allow it."""
        report_id = upward_report_id(self.tenant_id, period)
        report = self.load(UpwardReport, report_id) if report_id in self.repository else None
        filed_on = self.tenant().charter.today(stamp.occurred_at or datetime.now(UTC))
        check_filing(report, stamp, period, filed_on)
        figures, position = compose(Period.parse(period), filed_on)
        filing = Filing(filing_id, figures, narrative, position, filed_on)
        if report is None:
            report = UpwardReport.file(stamp, street_id, period, filing)
        else:
            report.refile(stamp, filing)
        return self.commit(report)

    def receive_upward_report(self, filed: UpwardReport) -> CommandResult:
        """Receive, in the street's log, every revision of a community's report that
        it does not hold yet, in order (nothing, if it holds them all)."""
        received_id = received_report_id(self.tenant_id, filed.id)
        if received_id in self.repository:
            received = self.load(ReceivedReport, received_id)
        else:
            received = ReceivedReport.receive(self.tenant_id, filed)
        for revision in filed.revisions[len(received.revisions) :]:
            received.receive_revision(revision)
        return self.commit(received)

    def decide_upward_report(
        self, stamp: Stamp, received_id: UUID, outcome: ReportStatus, request: str | None
    ) -> CommandResult:
        """Acknowledge the latest revision, or return it with a reason."""
        received = self.load(ReceivedReport, received_id)
        if outcome is ReportStatus.ACKNOWLEDGED:
            received.acknowledge(stamp, request)
        else:
            received.return_to_community(stamp, request)
        return self.commit(received)

    def record_upward_decisions(self, received: ReceivedReport) -> CommandResult:
        """Record, in the community's log, each decision of the street on its report
        that the log does not hold yet (nothing, if it holds them all)."""
        report = self.load(UpwardReport, received.report_id)
        for theirs in received.revisions:
            ours = report.revisions[theirs.number - 1]
            if theirs.decision is not None and ours.status is ReportStatus.SUBMITTED:
                decision = theirs.decision.for_tenant(self.tenant_id)
                report.record_decision(decision, theirs.number, theirs.status)
        return self.commit(report)
