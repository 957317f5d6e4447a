"""The demo's plenary business: each tenant's first meeting of 2026 is its plenary
(全体会议), which confirms the council and adopts the 2025 work report and the 2026
work plan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

from domain.plenary_business import CouncilOffice, WorkDocumentKind
from domain.resolutions import ReportKind
from domain.stamp import Stamp
from tenants.commands.ledger import Ledger

COUNCIL_ITEM = ("c", "确认联席会议理事长、副理事长、理事名单")
DOCUMENTS_ITEM = ("d", "审议2025年度工作报告和2026年度工作计划")
REPORT = [
    ("1", "召开联席会议四次，议定事项按期落实"),
    ("2", "成员单位认领为民服务项目十二项"),
    ("3", "开展党员志愿服务和结对帮扶活动"),
]
PLAN = [
    ("1", "每季度召开一次联席会议，半年向街道报告工作", 0, date(2026, 12, 31)),
    ("2", "推进老旧小区加装电梯和停车治理", 1, date(2026, 9, 30)),
    ("3", "组织在职党员到社区报到并认领服务岗位", 2, date(2026, 6, 30)),
]


def plenary_business(
    ledger: Ledger,
    s: Callable[[datetime], Stamp],
    at: datetime,
    units: list[str],
    council_resolution: UUID,
    documents_resolution: UUID,
) -> None:
    """After the plenary at ``at``: the council (the party organisation chairs, the
    next two units are vice-chairs, the rest members) and the two work documents;
    the secretariat (the party organisation) reports both resolutions carried out,
    and they are verified."""
    seats = [
        (CouncilOffice.CHAIR, units[0]),
        *((CouncilOffice.VICE_CHAIR, unit) for unit in units[1:3]),
        *((CouncilOffice.COUNCIL_MEMBER, unit) for unit in units[3:]),
    ]
    ledger.confirm_council(s(at), seats, council_resolution)
    ledger.adopt_work_document(
        s(at),
        WorkDocumentKind.WORK_REPORT,
        "2025",
        "2025年度党建联席会议工作报告",
        [(n, text, None, None) for n, text in REPORT],
        documents_resolution,
    )
    ledger.adopt_work_document(
        s(at),
        WorkDocumentKind.WORK_PLAN,
        "2026",
        "2026年度党建联席会议工作计划",
        [(n, text, units[unit], due) for n, text, unit, due in PLAN],
        documents_resolution,
    )
    for resolution, done in (
        (council_resolution, "理事会名单已确认并公布"),
        (documents_resolution, "工作报告和工作计划已印发各成员单位"),
    ):
        ledger.notify_resolution(s(at), resolution, None)
        ledger.report_execution(s(at), resolution, units[0], ReportKind.COMPLETED, done, [])
        ledger.verify_resolution(s(at), resolution)
