"""Demo data: the communities' reports on 2026H1 to their street, and its decisions."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.stamp import Actor, Stamp
from domain.upward_reports import NarrativeSection, ReportStatus
from tenants.commands.upward_delivery import FigureSource, decide_report, file_report
from tenants.demo.engagement import MakeId
from tenants.registry import Ledgers

PERIOD = "2026H1"
N = NarrativeSection
NARRATIVE = {
    N.ACHIEVEMENTS: "上半年召开联席会议两次，议定事项均已分解到成员单位，按期落实。",
    N.PROBLEMS: "个别成员单位参会不够稳定，在职党员报到后参与服务偏少。",
    N.PLANS: "下半年推进停车难综合治理，完善在职党员认领服务岗位的督促机制。",
}


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, tzinfo=UTC)  # 10:00 in Shanghai


def report_upward(
    ledgers: Ledgers,
    figures: FigureSource,
    street_admin: str,
    communities: list[str],
    make_id: MakeId,
) -> None:
    """Each community files its 2026H1 report in early July, its figures composed from
    its records; the street acknowledges the first two, returns the third for the
    missing account of its problems, and acknowledges the revision filed after it."""
    admin = Actor(street_admin, "street_admin")
    for n, community in enumerate(communities):
        secretary = Actor(f"secretary-{community.split('-')[1]}", "community_secretary")
        narrative = NARRATIVE if n < 2 else {N.ACHIEVEMENTS: NARRATIVE[N.ACHIEVEMENTS]}
        filing = Stamp(community, secretary, _at(date(2026, 7, 3 + n)))
        filed = file_report(
            ledgers, figures, filing, PERIOD, narrative, str(make_id(community, "report", 1))
        )
        street = filed.street_id
        if n == 2:
            returning = Stamp(street, admin, _at(date(2026, 7, 8)), "请补充存在的问题和下一步打算")
            decide_report(ledgers, returning, filed.received_id, ReportStatus.RETURNED, None)
            again = Stamp(community, secretary, _at(date(2026, 7, 9)), "按街道意见补充")
            refiled = str(make_id(community, "report", 2))
            file_report(ledgers, figures, again, PERIOD, NARRATIVE, refiled)
        acknowledging = Stamp(street, admin, _at(date(2026, 7, 10)))
        decide_report(ledgers, acknowledging, filed.received_id, ReportStatus.ACKNOWLEDGED, None)
