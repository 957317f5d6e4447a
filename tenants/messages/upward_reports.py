"""Commands on reports upward (向街道报告): a community files its report on a period to
its street; the street acknowledges it or returns it with a reason.

Filing is sent to the community, deciding to the street; each is recorded in both
logs (``tenants.commands.upward_delivery``). Send an Idempotency-Key to make either
safe to retry: a retry finishes what the first attempt left, and records nothing twice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from pydantic import Field

from domain import errors
from domain.upward_reports import NarrativeSection, ReceivedReport, ReportStatus
from tenants.commands.upward_delivery import Delivery, decide_report, file_report
from tenants.ledger import CommandResult
from tenants.messages.base import CommandAccepted, Handling, Message, RecordCommand, Route
from tenants.messages.fields import LongText, Period

TAG = "reports upward"


class UpwardReportFiled(CommandAccepted):
    """A filing's answer: the community's record (``record_id``, ``position`` in its
    log) and the street's (``received_report_id``, ``street_position``)."""

    revision: int = Field(description="1 for the first filing, then one more per refiling")
    street_id: str
    received_report_id: str = Field(description="the report's id in the street's log")
    street_position: int = Field(description="the street's log position covering the receipt")
    reflects_position: int = Field(
        description="the community's log position the figures were composed at"
    )


class UpwardReportDecided(CommandAccepted):
    """A decision's answer: the street's record (``record_id``, ``position``) and the
    community's (``report_id``, ``community_position``)."""

    revision: int
    status: ReportStatus
    community_id: str
    report_id: str = Field(description="the report's id in the community's log")
    community_position: int = Field(
        description="the community's log position covering the recorded decision"
    )


def _request_id(h: Handling, command: str) -> str | None:
    """The id a request with an Idempotency-Key gives what it records: its retry finds
    it (a different request under the same key gets another id)."""
    if h.idem is None:
        return None
    name = f"gongjian:{command}:{h.tenant_id}:{h.idem.key}:{h.idem.request_hash}"
    return str(uuid5(NAMESPACE_URL, name))


class FileUpwardReport(Message):
    """File the community's report on a period to its street: the figures of its
    records (meetings, resolutions, participation, commitments, affairs) are composed
    now and frozen; the narrative is the secretary's. A returned report is filed again
    (reason required) as its next revision."""

    route = Route("/upward-reports", TAG, 201, UpwardReportFiled)
    period: Period
    achievements: LongText | None = Field(None, description="主要工作及成效")
    problems: LongText | None = Field(None, description="存在的问题")
    plans: LongText | None = Field(None, description="下一步工作打算")

    def handle(self, h: Handling) -> CommandResult:
        if h.figures is None:
            raise errors.FiguresUnavailable("this process composes no figures")
        sections = {
            NarrativeSection.ACHIEVEMENTS: self.achievements,
            NarrativeSection.PROBLEMS: self.problems,
            NarrativeSection.PLANS: self.plans,
        }
        narrative = {section: text for section, text in sections.items() if text is not None}
        filing_id = _request_id(h, self.command_name) or uuid4().hex
        # Both logs record the filing at the same moment, whenever each records it.
        stamp = h.stamp.dated(datetime.now(UTC))
        done = file_report(h.ledgers, h.figures, stamp, self.period, narrative, filing_id)
        h.touched[done.street_id] = done.street_position
        return CommandResult(
            done.report_id,
            done.report_version,
            done.community_position,
            {
                "revision": done.revision,
                "street_id": done.street_id,
                "received_report_id": str(done.received_id),
                "street_position": done.street_position,
                "reflects_position": done.reflects_position,
            },
        )


class OnReceivedReport(RecordCommand):
    """A command on a report the street received."""

    received_report_id: UUID

    def target(self, tenant_id: str) -> UUID:
        return self.received_report_id

    def applied_by(self, h: Handling) -> bool:
        request = _request_id(h, self.command_name)
        try:
            received = h.ledger.load(ReceivedReport, self.received_report_id)
        except errors.NotFound:
            return False
        return request is not None and received.decided_by(request)

    def decide(self, h: Handling, outcome: ReportStatus) -> CommandResult:
        stamp = h.stamp.dated(datetime.now(UTC))
        request = _request_id(h, self.command_name)
        done = decide_report(h.ledgers, stamp, self.received_report_id, outcome, request)
        h.touched[done.community_id] = done.community_position
        return _decided(done)


def _decided(done: Delivery) -> CommandResult:
    return CommandResult(
        done.received_id,
        done.received_version,
        done.street_position,
        {
            "revision": done.revision,
            "status": done.status.value,
            "community_id": done.community_id,
            "report_id": str(done.report_id),
            "community_position": done.community_position,
        },
    )


class AcknowledgeUpwardReport(OnReceivedReport):
    """Acknowledge the latest revision of a community's report."""

    route = Route(
        "/received-reports/{received_report_id}/acknowledgement", TAG, 200, UpwardReportDecided
    )

    def handle(self, h: Handling) -> CommandResult:
        return self.decide(h, ReportStatus.ACKNOWLEDGED)


class ReturnUpwardReport(OnReceivedReport):
    """Return the latest revision to the community, with a reason (what to add or
    correct): the community files it again as the next revision."""

    route = Route("/received-reports/{received_report_id}/return", TAG, 200, UpwardReportDecided)

    def handle(self, h: Handling) -> CommandResult:
        return self.decide(h, ReportStatus.RETURNED)
