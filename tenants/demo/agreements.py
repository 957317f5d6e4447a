"""Demo co-construction agreements: one renewed after its year-end review, one running,
one ended; each with undertakings of both parties."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from domain.agreements import Fulfilment, Line, Party
from domain.stamp import Actor, Stamp
from tenants.commands.ledger import Ledger

LINES: list[Line] = [
    ("u1", Party.UNIT, "每季度开放单位活动场地供居民使用"),
    ("u2", Party.UNIT, "组织在职党员进社区开展志愿服务不少于四次"),
    ("u3", Party.UNIT, "参加社区联席会议并落实分工事项"),
    ("c1", Party.COMMUNITY, "为单位职工子女提供暑期托管服务"),
    ("c2", Party.COMMUNITY, "协调解决单位周边环境秩序问题"),
]


def sign_agreements(
    ledger: Ledger, agreement_ids: list[UUID], secretary: str, units: list[str]
) -> None:
    """Agreements with the first three units: 2025's renewed for 2026 after its review,
    one signed in March 2026 and running, one reviewed and ended."""
    actor = Actor(secretary, "community_secretary")

    def s(day: date, reason: str | None = None) -> Stamp:
        at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        return Stamp(ledger.tenant_id, actor, occurred_at=at, reason=reason)

    renewed, running, ended = agreement_ids
    reviews = [
        ("u1", Fulfilment.FULFILLED, ""),
        ("u2", Fulfilment.PARTLY, "全年组织三次，少于约定的四次"),
        ("u3", Fulfilment.FULFILLED, ""),
        ("c1", Fulfilment.FULFILLED, ""),
        ("c2", Fulfilment.NOT_FULFILLED, "周边停车问题尚未协调解决"),
    ]
    for agreement, unit in ((renewed, units[0]), (ended, units[2])):
        ledger.sign_agreement(
            s(date(2025, 1, 6)), agreement, UUID(unit), "2025年度共建责任书",
            date(2025, 1, 1), date(2025, 12, 31), LINES,
        )  # fmt: skip
        ledger.review_agreement(s(date(2026, 1, 9)), agreement, reviews)
    ledger.renew_agreement(
        s(date(2026, 1, 12), "年终评议良好，双方同意续签"), renewed,
        date(2026, 1, 1), date(2026, 12, 31), None,
    )  # fmt: skip
    ledger.end_agreement(s(date(2026, 1, 12), "单位党组织关系转出本社区"), ended)
    ledger.sign_agreement(
        s(date(2026, 3, 2)), running, UUID(units[1]), "2026—2027年度共建责任书",
        date(2026, 3, 1), date(2027, 2, 28), LINES,
    )  # fmt: skip
