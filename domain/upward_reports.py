"""Reports upward (向街道报告): a community's periodic report to its street.

A community files its report on a period (a year, a half or a quarter): the figures
its own records show at filing (meetings held, resolutions adopted, executed and
overdue, members' participation, public commitments, residents' affairs), frozen in
the event, and the secretary's narrative. The report lives in both logs: filed in
the community's (``UpwardReport``), received in the street's (``ReceivedReport``,
whose id is derived from the community's report). The street acknowledges the
latest revision, or returns it with a reason; a returned report is filed again as
the next revision, and every revision is kept. The street's decision is recorded in
the community's log too: the community's own history says where its report stands,
and whether it may file again.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any, get_type_hints
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.charters import LabelledEnum, labelled
from domain.figures import Figure
from domain.periods import Period
from domain.stamp import Stamp


@labelled({"submitted": "已报送", "acknowledged": "已确认", "returned": "已退回"})
class ReportStatus(LabelledEnum):
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    RETURNED = "returned"


@labelled({"achievements": "主要工作及成效", "problems": "存在的问题", "plans": "下一步工作打算"})
class NarrativeSection(LabelledEnum):
    """The sections of a community's work report, as the seeds' reports are written."""

    ACHIEVEMENTS = "achievements"
    PROBLEMS = "problems"
    PLANS = "plans"


S = ReportStatus


@dataclass(frozen=True)
class ReportFigures:
    """What a community's records show for a period, as of one position of its log.

    Counts by the period: meetings held in it (by kind) and the units' attendance at
    them; resolutions adopted in it, of those the ones every responsible unit reported
    done (executed) and the ones verified, and those due in it verified by their
    deadline; members who took part in it; commitments due in it; affairs received
    and closed in it, feedback given in it. Overdue (resolutions, affairs) and lapsed
    (commitments) are judged on the community's date of filing.
    """

    meetings_held: dict[str, int]
    unit_attendance: Figure
    resolutions_adopted: int
    resolutions_executed: int
    resolutions_verified: int
    resolutions_on_time: Figure
    resolutions_overdue: int
    member_participation: Figure
    commitments_due: int
    commitments_fulfilled: int
    commitments_lapsed: int
    commitment_satisfaction: Figure
    affairs_received: int
    affairs_closed: int
    affairs_overdue: int
    affair_satisfaction: Figure

    def as_dict(self) -> dict[str, Any]:
        """Encode as plain data (for an event)."""
        return {
            f.name: value.as_dict() if isinstance(value, Figure) else value
            for f in fields(self)
            for value in [getattr(self, f.name)]
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportFigures:
        """Decode plain data."""
        hints = get_type_hints(cls)
        values: dict[str, Any] = {
            f.name: Figure.from_dict(data[f.name]) if hints[f.name] is Figure else data[f.name]
            for f in fields(cls)
        }
        return cls(**values)


@dataclass(frozen=True)
class Filing:
    """What one filing carries: the frozen figures and narrative, where and when the
    figures were composed, and the request that files it."""

    filing_id: str
    figures: ReportFigures
    narrative: dict[NarrativeSection, str]
    reflects_position: int
    filed_on: date

    def as_event(self) -> dict[str, Any]:
        """As plain data, the one field of the events that record it in either log."""
        return {
            "filing_id": self.filing_id,
            "figures": self.figures.as_dict(),
            "narrative": {section.value: text for section, text in self.narrative.items()},
            "reflects_position": self.reflects_position,
            "filed_on": self.filed_on,
        }


@dataclass(frozen=True)
class Revision:
    """One filing of a report, as a log keeps it, and the street's decision on it."""

    number: int
    stamp: Stamp  # who filed it, when, why
    filing: dict[str, Any]  # as the events carry it (``Filing.as_event``)
    status: ReportStatus = S.SUBMITTED
    decision: Stamp | None = None  # who decided, when, why
    decided_by: str | None = None  # the request that decided it (the street's log)

    @property
    def filing_id(self) -> str:
        """The request that filed it: a retry of that request is no new filing."""
        return str(self.filing["filing_id"])


def upward_report_id(community_id: str, period: str) -> UUID:
    """The id of a community's one report on a period (every revision is in it)."""
    return uuid5(NAMESPACE_URL, f"gongjian:upward-report:{community_id}:{period}")


def received_report_id(street_id: str, report_id: UUID) -> UUID:
    """The id the street's log keeps a community's report under, derived from the
    community's: receiving it again finds the same record."""
    return uuid5(NAMESPACE_URL, f"gongjian:received-report:{street_id}:{report_id}")


def check_filing(report: UpwardReport | None, stamp: Stamp, period: str, filed_on: date) -> None:
    """A report is filed once its period has begun; filed again only when the street
    returned the latest revision, and then with a reason."""
    if filed_on < Period.parse(period).start:
        raise errors.InvalidValue(f"{period} has not begun on {filed_on}: nothing to report yet")
    if report is None:
        return
    latest = report.latest
    if latest.status is not S.RETURNED:
        raise errors.UpwardReportFiled(
            f"revision {latest.number} of the {period} report is {latest.status.label}: "
            "it is filed again only once the street returns it"
        )
    stamp.require_reason("filing a returned report again")


class _Revisions:
    """What both logs keep of a report: its revisions, the latest last."""

    revisions: list[Revision]

    @property
    def latest(self) -> Revision:
        return self.revisions[-1]

    @property
    def status(self) -> ReportStatus:
        return self.latest.status

    def _record_decision(self, stamp: Stamp, outcome: ReportStatus, request: str | None) -> None:
        decided = replace(self.latest, status=outcome, decision=stamp, decided_by=request)
        self.revisions = [*self.revisions[:-1], decided]


class UpwardReport(_Revisions, Aggregate):
    """A community's report on one period, in the community's log."""

    TOPIC = "gongjian.UpwardReport"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.UpwardReport.Created"

    @event("Filed", topic="gongjian.UpwardReport.Filed")
    def __init__(
        self, id: UUID, stamp: Stamp, street_id: str, period: str, filing: dict[str, Any]
    ) -> None:
        self.tenant_id = stamp.tenant_id
        self.street_id = street_id
        self.period = period
        self.revisions = [Revision(1, stamp, filing)]

    @classmethod
    def file(cls, stamp: Stamp, street_id: str, period: str, filing: Filing) -> UpwardReport:
        """File the first revision of the community's report on ``period``."""
        check_filing(None, stamp, period, filing.filed_on)
        return cls(
            id=upward_report_id(stamp.tenant_id, period),
            stamp=stamp,
            street_id=street_id,
            period=period,
            filing=filing.as_event(),
        )

    def refile(self, stamp: Stamp, filing: Filing) -> None:
        """File the next revision of a report the street returned (reason required)."""
        check_filing(self, stamp, self.period, filing.filed_on)
        self._refiled(stamp, self.latest.number + 1, filing.as_event())

    def filed_by(self, filing_id: str) -> Revision | None:
        """The revision the request ``filing_id`` filed, if any."""
        return next((r for r in self.revisions if r.filing_id == filing_id), None)

    def record_decision(self, decision: Stamp, revision: int, outcome: ReportStatus) -> None:
        """Record, in the community's log, the street's decision on a revision: with
        the decision's own stamp (who decided, when, why)."""
        if revision != self.latest.number or self.status is not S.SUBMITTED:
            raise errors.UpwardReportDecided(
                f"revision {revision} of the {self.period} report is not awaiting a decision"
            )
        if outcome is S.ACKNOWLEDGED:
            self._acknowledged(decision, revision)
        else:
            self._returned(decision, revision)

    @event("Refiled", topic="gongjian.UpwardReport.Refiled")
    def _refiled(self, stamp: Stamp, revision: int, filing: dict[str, Any]) -> None:
        self.revisions.append(Revision(revision, stamp, filing))

    @event("Acknowledged", topic="gongjian.UpwardReport.Acknowledged")
    def _acknowledged(self, stamp: Stamp, revision: int) -> None:
        self._record_decision(stamp, S.ACKNOWLEDGED, None)

    @event("Returned", topic="gongjian.UpwardReport.Returned")
    def _returned(self, stamp: Stamp, revision: int) -> None:
        self._record_decision(stamp, S.RETURNED, None)


class ReceivedReport(_Revisions, Aggregate):
    """A community's report as its street's log received it, and the street's decisions."""

    TOPIC = "gongjian.ReceivedReport"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.ReceivedReport.Created"

    @event("Received", topic="gongjian.ReceivedReport.Received")
    def __init__(
        self,
        id: UUID,
        stamp: Stamp,
        community_id: str,
        report_id: UUID,
        period: str,
        filing: dict[str, Any],
    ) -> None:
        self.tenant_id = stamp.tenant_id
        self.community_id = community_id
        self.report_id = report_id
        self.period = period
        self.revisions = [Revision(1, stamp, filing)]

    @classmethod
    def receive(cls, street_id: str, filed: UpwardReport) -> ReceivedReport:
        """Receive the first revision of a community's report, under the filing's stamp."""
        first = filed.revisions[0]
        return cls(
            id=received_report_id(street_id, filed.id),
            stamp=first.stamp.for_tenant(street_id),
            community_id=filed.tenant_id,
            report_id=filed.id,
            period=filed.period,
            filing=first.filing,
        )

    def receive_revision(self, revision: Revision) -> None:
        """Receive the next revision, filed once the street had returned the latest."""
        if revision.number != self.latest.number + 1 or self.status is not S.RETURNED:
            raise errors.UpwardReportFiled(
                f"revision {revision.number} does not follow a returned revision "
                f"{self.latest.number}"
            )
        stamp = revision.stamp.for_tenant(self.tenant_id)
        self._revision_received(stamp, revision.number, revision.filing)

    def acknowledge(self, stamp: Stamp, request: str | None) -> None:
        """Acknowledge the latest revision."""
        self._check_undecided()
        self._acknowledged(stamp, self.latest.number, request)

    def return_to_community(self, stamp: Stamp, request: str | None) -> None:
        """Return the latest revision to the community, with a reason (what to add or
        correct): the community files it again."""
        self._check_undecided()
        stamp.require_reason("returning a report")
        self._returned(stamp, self.latest.number, request)

    def decided_by(self, request: str) -> bool:
        """Whether the request ``request`` made the latest decision."""
        return self.latest.decided_by == request

    def _check_undecided(self) -> None:
        if self.status is not S.SUBMITTED:
            raise errors.UpwardReportDecided(
                f"revision {self.latest.number} of the {self.period} report is already "
                f"{self.status.label}"
            )

    @event("RevisionReceived", topic="gongjian.ReceivedReport.RevisionReceived")
    def _revision_received(self, stamp: Stamp, revision: int, filing: dict[str, Any]) -> None:
        self.revisions.append(Revision(revision, stamp, filing))

    @event("Acknowledged", topic="gongjian.ReceivedReport.Acknowledged")
    def _acknowledged(self, stamp: Stamp, revision: int, request: str | None) -> None:
        self._record_decision(stamp, S.ACKNOWLEDGED, request)

    @event("Returned", topic="gongjian.ReceivedReport.Returned")
    def _returned(self, stamp: Stamp, revision: int, request: str | None) -> None:
        self._record_decision(stamp, S.RETURNED, request)
