"""The demo data set: one street, three communities, a year of joint meetings.

Deterministic: ids derive from names, times are fixed in 2026, so two loads
into empty stores give the same records (the recorded time is the load time;
``occurred_at`` carries when each fact happened).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.agenda import ItemKind
from domain.charters import Cadence, Charter, DecisionRule
from domain.decisions import Position
from domain.meetings import MeetingKind
from domain.resolutions import ReportKind
from domain.stamp import Actor, Stamp
from domain.tenants import TenantKind
from domain.units import UnitKind
from tenants.commands.ledger import Ledger
from tenants.commands.meetings import ProposedResolution
from tenants.commands.upward_delivery import FigureSource
from tenants.demo.affairs import demo_affairs
from tenants.demo.agreements import sign_agreements
from tenants.demo.commendations import commend_after_evaluation
from tenants.demo.engagement import DemoCommunity, evaluate_communities
from tenants.demo.evidence import upload_report_evidence
from tenants.demo.plenary import COUNCIL_ITEM, DOCUMENTS_ITEM, plenary_business
from tenants.demo.upward_reports import report_upward
from tenants.registry import Ledgers

STREET = ("fenglin", "枫林街道")
COMMUNITIES = [
    ("fenglin-yicun", "枫林一村社区"),
    ("fenglin-guilinyuan", "桂林苑社区"),
    ("fenglin-kangjian", "康健社区"),
]
UNITS = [
    ("社区党委", UnitKind.COMMUNITY_PARTY_ORGANISATION, "王建国"),
    ("区第一人民医院党委", UnitKind.PUBLIC_INSTITUTION, "李慧敏"),
    ("市第三中学党支部", UnitKind.PUBLIC_INSTITUTION, "张晓东"),
    ("工商银行枫林支行党支部", UnitKind.ENTERPRISE, "陈志强"),
    ("武警某中队党支部", UnitKind.MILITARY, "刘洋"),
    ("街道城管中队党支部", UnitKind.GOVERNMENT_OFFICE, "赵磊"),
    ("阳光社工服务社党支部", UnitKind.SOCIAL_ORGANISATION, "孙丽"),
]
STREET_UNITS = [
    ("街道党工委", UnitKind.STREET_PARTY_COMMITTEE, "周海峰"),
    ("区教育局机关党委", UnitKind.GOVERNMENT_OFFICE, "吴静"),
    ("区供电公司党委", UnitKind.ENTERPRISE, "郑伟"),
    ("区人民医院党委", UnitKind.PUBLIC_INSTITUTION, "冯丽华"),
    ("枫林派出所党支部", UnitKind.GOVERNMENT_OFFICE, "韩磊"),
    ("区邮政分公司党支部", UnitKind.ENTERPRISE, "曹敏"),
]
STREET_MEETINGS = [
    datetime(2026, 3, 10, 14, 0, tzinfo=UTC),
    datetime(2026, 9, 10, 14, 0, tzinfo=UTC),
]
TOPICS = [
    "老旧小区加装电梯",
    "垃圾分类督导",
    "停车难综合治理",
    "防汛防台准备",
    "为老助餐点建设",
    "背街小巷环境整治",
    "暑期青少年托管",
    "消防通道清理",
]
QUARTERS = [datetime(2026, m, 15, 9, 0, tzinfo=UTC) for m in (1, 4, 7, 10)]


def _id(*parts: object) -> UUID:
    return uuid5(NAMESPACE_URL, "gongjian:demo:" + ":".join(map(str, parts)))


class _Tenant:
    def __init__(self, ledgers: Ledgers, tenant_id: str, secretary: str) -> None:
        self.ledger: Ledger = ledgers[tenant_id]
        self.tenant_id = tenant_id
        self.actor = Actor(secretary, "community_secretary")
        self.units: list[str] = []

    def s(self, at: datetime, reason: str | None = None) -> Stamp:
        return Stamp(self.tenant_id, self.actor, occurred_at=at, reason=reason)

    def join(self, roster: list[tuple[str, UnitKind, str]]) -> None:
        at = datetime(2026, 1, 5, 9, tzinfo=UTC)
        for name, kind, head in roster:
            unit = _id(self.tenant_id, name)
            self.ledger.join_unit(self.s(at), unit, name, kind)
            self.ledger.appoint(self.s(at), unit, "representative", head, None)
            self.ledger.appoint(self.s(at), unit, "liaison", f"{head[0]}干事", None)
            self.units.append(str(unit))


def _meeting(
    t: _Tenant,
    n: int,
    at: datetime,
    carried: tuple[UUID, str] | None,
    title: str | None = None,
    location: str = "社区党群服务中心",
) -> UUID:
    """One quarter's meeting: notice, opinions, leave, sign-in, two decisions, minutes."""
    led, units = t.ledger, t.units
    meeting = _id(t.tenant_id, "meeting", n)
    kind = MeetingKind.PLENARY if n == 0 else MeetingKind.REGULAR
    before = at - timedelta(days=8)
    led.schedule_meeting(
        t.s(before), meeting, kind, title or f"2026年第{n + 1}季度党建联席会议", at, location
    )
    topic = TOPICS[(n * 2 + len(t.tenant_id)) % len(TOPICS)]
    led.add_item(t.s(before), meeting, "a", topic, ItemKind.TOPIC, None)
    title = "上次未议定事项续议" if carried else TOPICS[(n * 2 + 1) % len(TOPICS)]
    led.add_item(t.s(before), meeting, "b", title, ItemKind.TOPIC, carried)
    if n > 0:
        led.add_item(t.s(before), meeting, "r", "决议落实情况汇报", ItemKind.EXECUTION_REVIEW, None)
    plenary = [COUNCIL_ITEM, DOCUMENTS_ITEM] if kind is MeetingKind.PLENARY else []
    for item, item_title in plenary:
        led.add_item(t.s(before), meeting, item, item_title, ItemKind.TOPIC, None)
    led.issue_notice(t.s(at - timedelta(days=7)), meeting, at - timedelta(days=7), False)
    led.solicit_opinions(t.s(at - timedelta(days=7)), meeting, "a", at - timedelta(days=2))
    led.submit_opinion(t.s(at - timedelta(days=3)), meeting, units[1], "a", "建议先做居民意愿摸底")
    led.request_leave(
        t.s(at - timedelta(days=1), "参加上级培训"), meeting, units[4], {"a": "同意，愿出人力支持"}
    )
    led.decide_leave(t.s(at - timedelta(days=1)), meeting, units[4], approved=True)
    absent = units[5] if n % 2 else None
    for unit in units:
        if unit not in (units[4], absent):
            led.sign_in(t.s(at), meeting, unit, "代表", unit == units[2])
    # The party organisation chairs: named at the plenary, the council's chair after it.
    led.open_meeting(t.s(at), meeting, units[0] if kind is MeetingKind.PLENARY else None)
    present = [u for u in units if u not in (units[4], absent)]
    for unit in present:
        led.record_position(t.s(at), meeting, "a", unit, Position.AGREE)
    deadline = (at + timedelta(days=60)).date()
    led.decide_item(
        t.s(at),
        meeting,
        "a",
        ProposedResolution(
            _id(t.tenant_id, "resolution", n), f"{topic}：制定方案并组织实施", units[:2], deadline
        ),
    )
    for unit in present[:-1]:
        led.record_position(t.s(at), meeting, "b", unit, Position.AGREE)
    led.record_position(t.s(at, "资金来源尚未落实"), meeting, "b", present[-1], Position.OBJECT)
    led.decide_item(
        t.s(at),
        meeting,
        "b",
        ProposedResolution(_id(t.tenant_id, "rejected", n), "暂缓", units[:1], deadline),
    )
    adopted = {}
    for item, item_title in plenary:
        for unit in present:
            led.record_position(t.s(at), meeting, item, unit, Position.AGREE)
        adopted[item] = _id(t.tenant_id, "plenary", item)
        proposal = ProposedResolution(adopted[item], f"通过：{item_title}", units[:1], deadline)
        led.decide_item(t.s(at), meeting, item, proposal)
    led.close_meeting(t.s(at + timedelta(hours=2)), meeting)
    if plenary:
        after = at + timedelta(hours=2)
        plenary_business(
            led, t.s, after, units, adopted[COUNCIL_ITEM[0]], adopted[DOCUMENTS_ITEM[0]]
        )
    led.issue_minutes(
        t.s(at + timedelta(days=2)),
        meeting,
        f"会议听取了各成员单位情况汇报，议定“{topic}”，“{title}”未达成一致，下次续议。",
        False,
    )
    return meeting


def _follow_up(t: _Tenant, n: int, at: datetime, uploads: bool = False) -> None:
    """Execution reports: older resolutions verified, recent ones in progress (some
    overdue); with ``uploads``, the first unit's completion report attaches a scanned
    sign-in sheet of the site acceptance and a photo of the site."""
    led, resolution = t.ledger, _id(t.tenant_id, "resolution", n)
    led.notify_resolution(t.s(at + timedelta(days=3)), resolution, None)
    led.report_execution(
        t.s(at + timedelta(days=20)),
        resolution,
        t.units[0],
        ReportKind.PROGRESS,
        "已完成入户走访和方案初稿",
        ["走访记录.pdf"],
    )
    if n >= 2:
        return  # left in progress: the July one is overdue by the demo's "today"
    files: list[str] = []
    if uploads:
        attendees = [f"{name} {head}" for name, _, head in STREET_UNITS[:3]]
        title = "现场验收签到表"
        files = upload_report_evidence(led, t.s(at + timedelta(days=49)), title, attendees)
    for n_unit, unit in enumerate(t.units[:2]):
        led.report_execution(
            t.s(at + timedelta(days=50)),
            resolution,
            unit,
            ReportKind.COMPLETED,
            "已按期完成",
            ["验收单.jpg"],
            files=files if n_unit == 0 else [],
        )
    led.verify_resolution(t.s(at + timedelta(days=55)), resolution)


def load_demo(ledgers: Ledgers, figures: FigureSource) -> str:
    """Load the demo data set and describe what was loaded (``figures`` composes the
    communities' reports upward from their read models)."""
    registered = datetime(2026, 1, 2, 9, tzinfo=UTC)
    street = _Tenant(ledgers, STREET[0], "street-admin-zhou")
    charter = Charter(
        cadence=Cadence.HALF_YEARLY, notice_days=5, decision_rule=DecisionRule.MAJORITY
    )
    street.ledger.register(street.s(registered), TenantKind.STREET, STREET[1], charter, None)
    street.join(STREET_UNITS)
    parent = street.ledger.tenant()
    meetings = 0
    for n, at in enumerate(STREET_MEETINGS):
        # The street decides by majority: an item with one objection still passes.
        half = "上" if n == 0 else "下"
        _meeting(street, n, at, None, f"2026年{half}半年街道党建协调委员会", "街道会议中心")
        _follow_up(street, n, at, uploads=n == 0)
        meetings += 1
    for tenant_id, name in COMMUNITIES:
        community = _Tenant(ledgers, tenant_id, f"secretary-{tenant_id.split('-')[1]}")
        street.ledger.record_community(street.s(registered), tenant_id, name)
        community.ledger.register(
            community.s(registered), TenantKind.COMMUNITY, name, Charter(notice_days=3), parent
        )
        community.join(UNITS)
        carried = None
        for n, at in enumerate(QUARTERS):
            meeting = _meeting(community, n, at, carried)
            _follow_up(community, n, at)
            carried = (meeting, "b")
            meetings += 1
        seed = len(COMMUNITIES) - 1 - COMMUNITIES.index((tenant_id, name))
        more = DemoCommunity(community.ledger, _id, community.actor.user_id, community.units)
        more.members_and_posts(seed)
        more.commitments(seed)
        agreements = [_id(tenant_id, "agreement", n) for n in range(3)]
        sign_agreements(community.ledger, agreements, community.actor.user_id, community.units)
        demo_affairs(more)
    evaluate_communities(street.ledger, street.actor.user_id, [c for c, _ in COMMUNITIES], _id)
    commend_after_evaluation(street.ledger, street.actor.user_id, [c for c, _ in COMMUNITIES], _id)
    report_upward(ledgers, figures, street.actor.user_id, [c for c, _ in COMMUNITIES], _id)
    return (
        f"demo loaded: 1 street, {len(COMMUNITIES)} communities, {meetings} meetings "
        f"({date(2026, 1, 1)} to {QUARTERS[-1].date()}), commitments with ratings, "
        "co-construction agreements, residents' affairs, members with posts and service logs, "
        "evidence files (a scanned sign-in sheet and a site photo), "
        "a finalised and ranked 2026H1 evaluation and the commendations that followed it, "
        "plenaries that confirmed each council and adopted its work report and plan, "
        "the communities' 2026H1 reports to their street and its decisions"
    )
