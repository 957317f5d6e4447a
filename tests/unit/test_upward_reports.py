"""Reports upward: the rules of filing, receiving and deciding, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain import errors
from domain.figures import Figure
from domain.stamp import Actor, Stamp
from domain.upward_reports import (
    Filing,
    NarrativeSection,
    ReceivedReport,
    ReportFigures,
    ReportStatus,
    UpwardReport,
    received_report_id,
)

AT = datetime(2026, 7, 3, 2, tzinfo=UTC)
SECRETARY = Actor("sec", "community_secretary")
ADMIN = Actor("admin", "street_admin")
FIGURES = ReportFigures(
    meetings_held={"plenary": 1, "regular": 1, "thematic": 0},
    unit_attendance=Figure(3, 4),
    resolutions_adopted=2,
    resolutions_executed=1,
    resolutions_verified=1,
    resolutions_on_time=Figure(1, 2),
    resolutions_overdue=1,
    member_participation=Figure(1, 2, Decimal("0.6")),
    commitments_due=2,
    commitments_fulfilled=1,
    commitments_lapsed=1,
    commitment_satisfaction=Figure(1, 2, Decimal("0.9")),
    affairs_received=2,
    affairs_closed=1,
    affairs_overdue=1,
    affair_satisfaction=Figure(1, 1, Decimal("0.9")),
)


def community(reason: str | None = None) -> Stamp:
    return Stamp("c1", SECRETARY, AT, reason)


def street(reason: str | None = None) -> Stamp:
    return Stamp("s1", ADMIN, AT, reason)


def filing(n: int = 1, filed_on: date = date(2026, 7, 3)) -> Filing:
    return Filing(f"f{n}", FIGURES, {NarrativeSection.PLANS: "推进停车治理"}, 40 + n, filed_on)


def test_figures_survive_the_event_as_they_were() -> None:
    assert ReportFigures.from_dict(FIGURES.as_dict()) == FIGURES
    assert FIGURES.as_dict()["member_participation"] == {
        "numerator": 1, "denominator": 2, "target": "0.6"
    }  # fmt: skip


def test_a_report_is_filed_once_its_period_has_begun() -> None:
    with pytest.raises(errors.InvalidValue):
        UpwardReport.file(community(), "s1", "2026H2", filing(filed_on=date(2026, 6, 30)))
    report = UpwardReport.file(community(), "s1", "2026H2", filing(filed_on=date(2026, 7, 1)))
    assert report.status is ReportStatus.SUBMITTED and report.latest.number == 1


def test_a_report_is_filed_again_only_once_returned_and_with_a_reason() -> None:
    report = UpwardReport.file(community(), "s1", "2026H1", filing())
    with pytest.raises(errors.UpwardReportFiled):
        report.refile(community("补充"), filing(2))
    received = ReceivedReport.receive("s1", report)
    with pytest.raises(errors.ReasonRequired):
        received.return_to_community(street(), None)
    received.return_to_community(street("请补充"), "r1")
    report.record_decision(received.latest.decision.for_tenant("c1"), 1, received.status)  # type: ignore[union-attr]
    with pytest.raises(errors.ReasonRequired):
        report.refile(community(), filing(2))
    report.refile(community("按意见补充"), filing(2))
    assert [(r.number, r.status, r.filing_id) for r in report.revisions] == [
        (1, ReportStatus.RETURNED, "f1"),
        (2, ReportStatus.SUBMITTED, "f2"),
    ]
    assert report.filed_by("f2") is report.latest and report.filed_by("f3") is None


def test_the_street_receives_revisions_in_order_and_decides_each_once() -> None:
    report = UpwardReport.file(community(), "s1", "2026H1", filing())
    received = ReceivedReport.receive("s1", report)
    assert received.id == received_report_id("s1", report.id)
    assert received.latest.stamp == community().for_tenant("s1"), "the filing's own stamp"
    assert received.latest.filing == report.latest.filing
    with pytest.raises(errors.UpwardReportFiled):
        received.receive_revision(report.latest)  # revision 1 again
    received.acknowledge(street(), "r1")
    assert received.decided_by("r1") and not received.decided_by("r2")
    with pytest.raises(errors.UpwardReportDecided):
        received.return_to_community(street("晚了"), "r2")
    report.record_decision(street().for_tenant("c1"), 1, ReportStatus.ACKNOWLEDGED)
    with pytest.raises(errors.UpwardReportDecided):
        report.record_decision(street().for_tenant("c1"), 1, ReportStatus.ACKNOWLEDGED)
    with pytest.raises(errors.UpwardReportFiled):
        report.refile(community("再报"), filing(2))
