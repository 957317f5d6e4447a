"""Realistic tenant histories for the scale benchmark, made by the real command code.

Each tenant's history is made by a ``tenants.drafts.DraftLedger``: the tenant's own
ledger (every command, the real aggregates, the real mapper that seals personal data
under keys kept in the target database) whose new events are kept in memory. What
it holds is exactly what the per-command path would have appended, so that it can
be bulk-appended (``tenants.store.bulk_append``) and the projector applies it like
any other log. A history is a street or a community's year: registration, member
units with their representatives and liaisons, party members and service posts,
then meetings (agenda, notice, leave, sign-in, positions, decisions, minutes) each
followed by its resolution's reports and verification, until the tenant holds
about the number of events asked for. Deterministic: ids derive from the tenant and
a counter, times are fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.agenda import ItemKind
from domain.charters import Charter
from domain.decisions import Position
from domain.meetings import MeetingKind
from domain.members import MemberClass
from domain.posts import PostCategory
from domain.resolutions import ReportKind
from domain.stamp import Actor, Stamp
from domain.tenants import Tenant, TenantKind
from domain.units import UnitKind
from tenants.commands.meetings import ProposedResolution
from tenants.drafts import DraftLedger

STREET_EVERY = 50  # one street, then 49 communities under it
START = datetime(2024, 1, 8, 9, tzinfo=UTC)  # the latest a tenant's year may begin
EVENTS_PER_MEETING = 40  # at least: a meeting and what follows it
MEETING_DAYS = 14  # one meeting a fortnight
FOLLOW_UP_DAYS = 60  # a meeting's last follow-up, after it
UNITS = 8
MEMBERS = 6
TOPICS = ["老旧小区加装电梯", "垃圾分类督导", "停车难综合治理", "为老助餐点建设"]


def tenant_ids(count: int, prefix: str = "scale") -> list[str]:
    """``count`` tenants: a street, then the communities under it, and so on."""
    return [f"{prefix}-{n:05d}" for n in range(count)]


def street_of(tenant_id: str) -> str | None:
    """The street a tenant belongs to (None: it is a street)."""
    prefix, number = tenant_id.rsplit("-", 1)
    street = int(number) // STREET_EVERY * STREET_EVERY
    return None if street == int(number) else f"{prefix}-{street:05d}"


def history(ledger: DraftLedger, events: int, communities: Sequence[str] = ()) -> None:
    """Run about ``events`` events' worth of a tenant's year through its commands."""
    # A long history begins earlier, so that its last meeting's follow-up is still in
    # the past (the domain refuses service logged for a day after the tenant's today).
    meetings = events // EVENTS_PER_MEETING + 1
    latest = datetime.now(UTC) - timedelta(days=MEETING_DAYS * meetings + FOLLOW_UP_DAYS)
    script = _Script(ledger, min(START, latest))
    script.register(communities)
    script.units_and_members()
    n = 0
    while ledger.head_position() < events:
        script.meeting(n)
        n += 1


class _Script:
    def __init__(self, ledger: DraftLedger, start: datetime) -> None:
        self.ledger = ledger
        self.start = start
        self.tenant_id = ledger.tenant_id
        self.actor = Actor(f"secretary-{self.tenant_id}", "community_secretary")
        self.units: list[str] = []
        self.members: list[UUID] = []
        self.posts: list[UUID] = []

    def id(self, *parts: object) -> UUID:
        return uuid5(NAMESPACE_URL, ":".join(map(str, ("scale", self.tenant_id, *parts))))

    def s(self, at: datetime, reason: str | None = None) -> Stamp:
        return Stamp(self.tenant_id, self.actor, occurred_at=at, reason=reason)

    def register(self, communities: Sequence[str]) -> None:
        street = street_of(self.tenant_id)
        at = self.start - timedelta(days=7)
        if street is None:
            self.ledger.register(self.s(at), TenantKind.STREET, "街道", Charter(), None)
            for community in communities:
                self.ledger.record_community(self.s(at), community, f"社区{community}")
            return
        # The street's record as its own log holds it: the command reads its kind and id.
        parent = Tenant.register(
            Stamp(street, self.actor, occurred_at=at),
            kind=TenantKind.STREET,
            name="街道",
            charter=Charter(),
        )
        charter = Charter(notice_days=3)
        self.ledger.register(self.s(at), TenantKind.COMMUNITY, "社区", charter, parent)

    def units_and_members(self) -> None:
        at = self.start - timedelta(days=5)
        led = self.ledger
        for n in range(UNITS):
            unit = self.id("unit", n)
            led.join_unit(self.s(at), unit, f"成员单位{n}", list(UnitKind)[n % len(UnitKind)])
            led.appoint(self.s(at), unit, "representative", f"代表{n}", "13800000000")
            led.appoint(self.s(at), unit, "liaison", f"联络员{n}", None)
            self.units.append(str(unit))
        for n in range(3):
            post = self.id("post", n)
            led.define_post(self.s(at), post, f"岗位{n}", list(PostCategory)[n], 4, "")
            self.posts.append(post)
        for n in range(MEMBERS):
            member = self.id("member", n)
            led.register_member(self.s(at), member, f"党员{n}", MemberClass.IN_SERVICE, "某单位")
            led.report_residence(self.s(at), member, self.start.date())
            led.claim_post(self.s(at), member, self.posts[n % len(self.posts)])
            self.members.append(member)

    def meeting(self, n: int) -> None:
        """One meeting (about 45 events with what follows it)."""
        led, units = self.ledger, self.units
        meeting = self.id("meeting", n)
        at = self.start + timedelta(days=MEETING_DAYS * n)
        before = at - timedelta(days=8)
        title = f"第{n + 1}次党建联席会议"
        led.schedule_meeting(
            self.s(before), meeting, MeetingKind.REGULAR, title, at, "党群服务中心"
        )
        led.add_item(self.s(before), meeting, "a", TOPICS[n % 4], ItemKind.TOPIC, None)
        led.add_item(self.s(before), meeting, "b", TOPICS[(n + 1) % 4], ItemKind.TOPIC, None)
        led.issue_notice(self.s(at - timedelta(days=7)), meeting, at - timedelta(days=7), False)
        led.request_leave(self.s(at - timedelta(days=1), "外出培训"), meeting, units[-1], {})
        led.decide_leave(self.s(at - timedelta(days=1)), meeting, units[-1], approved=True)
        present = units[:-1]
        for unit in present:
            led.sign_in(self.s(at), meeting, unit, "代表", False)
        led.open_meeting(self.s(at), meeting, present[0])
        for unit in present:
            led.record_position(self.s(at), meeting, "a", unit, Position.AGREE)
        resolution = self.id("resolution", n)
        deadline = (at + timedelta(days=60)).date()
        proposal = ProposedResolution(resolution, "制定方案并组织实施", present[:2], deadline)
        led.decide_item(self.s(at), meeting, "a", proposal)
        for unit in present:
            position = Position.OBJECT if unit == present[-1] else Position.AGREE
            led.record_position(self.s(at, "意见"), meeting, "b", unit, position)
        rejected = ProposedResolution(self.id("rejected", n), "暂缓", present[:1], deadline)
        led.decide_item(self.s(at), meeting, "b", rejected)
        led.close_meeting(self.s(at + timedelta(hours=2)), meeting)
        led.issue_minutes(self.s(at + timedelta(days=2)), meeting, f"第{n + 1}次会议纪要", False)
        self.follow_up(n, at, resolution, present[0])

    def follow_up(self, n: int, at: datetime, resolution: UUID, unit: str) -> None:
        led = self.ledger
        led.notify_resolution(self.s(at + timedelta(days=3)), resolution, None)
        progress = ReportKind.PROGRESS
        led.report_execution(
            self.s(at + timedelta(days=20)), resolution, unit, progress, "已入户走访", []
        )
        done = ReportKind.COMPLETED
        for responsible in (unit, self.units[1]):
            led.report_execution(
                self.s(at + timedelta(days=40)), resolution, responsible, done, "已完成", []
            )
        led.verify_resolution(self.s(at + timedelta(days=45)), resolution)
        member = self.members[n % len(self.members)]
        served = date.fromordinal(at.date().toordinal() + 1)
        post = self.posts[n % len(self.members) % len(self.posts)]
        log = f"log-{n}"
        led.log_service(self.s(at), member, log, post, served, Decimal("2"), "入户走访")
        led.review_service_log(self.s(at), member, log, True)
