"""Demo residents' affairs: closed at once, reopened and closed, overdue, awaiting
feedback, and one just received."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from domain.affairs import AffairChannel, AssigneeKind
from domain.stamp import Actor, Stamp
from tenants.demo.engagement import DemoCommunity

RESIDENTS = ["赵丽华", "孙建国", "钱玉梅", "郑大勇", "冯小红"]


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def demo_affairs(community: DemoCommunity) -> None:
    """Five affairs through the four cards in one community (units and members as
    ``DemoCommunity`` wrote them)."""
    led, units = community.ledger, community.units
    member = str(community.uid("member", 4))  # an in-service member

    def s(day: date, reason: str | None = None, user: str | None = None) -> Stamp:
        actor = Actor(user, "unit_liaison") if user else community.actor
        return Stamp(led.tenant_id, actor, occurred_at=_at(day), reason=reason)

    def receive(n: int, day: date, matter: str, channel: AffairChannel) -> str:
        affair = community.uid("affair", n)
        phone = f"139 1234 {5670 + n}"
        led.receive_affair(s(day), affair, RESIDENTS[n], phone, matter, channel, day)
        return str(affair)

    def handle(affair: str, unit: str, day: date, result: str, days: int) -> None:
        deadline = day + timedelta(days=days)
        led.assign_affair(s(day), _uuid(affair), AssigneeKind.UNIT, unit, deadline)
        led.report_affair_result(s(day + timedelta(days=3), user="liaison"), _uuid(affair),
                                 result, ["现场照片.jpg"])  # fmt: skip

    first = receive(0, date(2026, 3, 2), "小区东门路灯损坏，夜间出行不便", AffairChannel.PHONE)
    handle(first, units[0], date(2026, 3, 3), "已联系供电所更换灯具", 10)
    led.give_affair_feedback(s(date(2026, 3, 9)), _uuid(first), True, "修得很快")

    second = receive(1, date(2026, 4, 6), "楼上漏水影响楼下住户", AffairChannel.WALK_IN)
    handle(second, units[1], date(2026, 4, 7), "已上门查看并协调物业", 14)
    led.give_affair_feedback(s(date(2026, 4, 13)), _uuid(second), False, "还在漏水")
    led.report_affair_result(s(date(2026, 4, 18), user="liaison"), _uuid(second),
                             "已更换破损水管，连续三天无渗漏", ["维修单.pdf"])  # fmt: skip
    led.give_affair_feedback(s(date(2026, 4, 21)), _uuid(second), True, "问题解决了")

    third = receive(2, date(2026, 9, 1), "老旧小区加装电梯意见征集", AffairChannel.VISIT)
    led.assign_affair(s(date(2026, 9, 2)), _uuid(third), AssigneeKind.UNIT, units[0],
                      date(2026, 9, 30))  # fmt: skip

    fourth = receive(3, date(2026, 10, 12), "独居老人需要定期探望", AffairChannel.ONLINE)
    led.assign_affair(s(date(2026, 10, 12)), _uuid(fourth), AssigneeKind.MEMBER, member,
                      date(2027, 6, 30))  # fmt: skip
    led.report_affair_result(s(date(2026, 10, 20)), _uuid(fourth),
                             "已结对，每周上门探望一次", [])  # fmt: skip

    receive(4, date(2026, 11, 2), "社区健身器材需要维护", AffairChannel.LETTER)


def _uuid(value: str) -> UUID:
    return UUID(value)
