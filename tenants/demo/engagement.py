"""Demo data beyond meetings: commitments, members and posts, a half-year evaluation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from domain.commitments import Channel, MakerKind
from domain.evaluations import SubjectKind
from domain.members import MemberClass
from domain.posts import PostCategory
from domain.rubric_template import six_in_one
from domain.stamp import Actor, Stamp
from tenants.commands.ledger import Ledger

MEMBERS = [
    ("王秀英", MemberClass.RETIRED, None),
    ("陈建华", MemberClass.DIRECTLY_MANAGED, None),
    ("刘桂兰", MemberClass.RETIRED, None),
    ("杨志明", MemberClass.FLOATING, None),
    ("黄海涛", MemberClass.IN_SERVICE, "区税务局"),
    ("周晓燕", MemberClass.IN_SERVICE, "市第三中学"),
    ("吴国庆", MemberClass.IN_SERVICE, "工商银行枫林支行"),
]
POSTS = [
    ("楼道安全巡查", PostCategory.PUBLIC_SAFETY_PATROL, 3),
    ("独居老人结对帮扶", PostCategory.ELDERLY_CARE, 3),
    ("垃圾分类督导", PostCategory.SANITATION_SUPERVISION, 2),
    ("政策宣传讲解", PostCategory.PUBLICITY_EDUCATION, 2),
]
MakeId = Callable[..., UUID]
SOURCES = [
    ("inspection", "街道实地检查", Decimal("0.6")),
    ("self", "社区自评", Decimal("0.2")),
    ("residents", "居民评议", Decimal("0.2")),
]


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


class DemoCommunity:
    """Writes one community's commitments, members, posts and service."""

    def __init__(self, ledger: Ledger, make_id: MakeId, secretary: str, units: list[str]) -> None:
        self.ledger = ledger
        self.id = make_id
        self.actor = Actor(secretary, "community_secretary")
        self.units = units

    def s(self, day: date, reason: str | None = None) -> Stamp:
        return Stamp(self.ledger.tenant_id, self.actor, occurred_at=_at(day), reason=reason)

    def uid(self, *parts: object) -> UUID:
        return self.id(self.ledger.tenant_id, *parts)

    def members_and_posts(self, seed: int) -> None:
        led, start = self.ledger, date(2026, 1, 8)
        members = []
        for n, (name, member_class, unit) in enumerate(MEMBERS):
            member = self.uid("member", n)
            led.register_member(self.s(start), member, name, member_class, unit)
            if member_class is MemberClass.IN_SERVICE:
                led.report_residence(self.s(start), member, start + timedelta(days=n))
            members.append(member)
        posts = []
        for n, (title, category, capacity) in enumerate(POSTS):
            post = self.uid("post", n)
            led.define_post(
                self.s(start), post, title, category, capacity, f"{title}，每月不少于一次"
            )
            posts.append(post)
        # In some communities fewer members whose membership is here serve, so
        # the participation rate differs (seed 0 and 1 meet the 60% target, 2 does not).
        serving = [m for i, m in enumerate(members) if not 1 <= i <= seed]
        for n, member in enumerate(serving):
            post = posts[n % len(posts)]
            led.claim_post(self.s(start + timedelta(days=7)), member, post)
            for month in range(1, 12):
                day = date(2026, month, 10 + n)
                if day > date(2026, 11, 20):
                    break
                log_id = f"{month:02d}"
                hours = Decimal(2) + Decimal(n % 3) / 2
                led.log_service(self.s(day), member, log_id, post, day, hours, "按岗位职责开展服务")
                rejected = month == 3 and n == 1
                led.review_service_log(
                    self.s(day + timedelta(days=2), "当日无签到记录" if rejected else None),
                    member,
                    log_id,
                    not rejected,
                )
        for month in range(2, 12, 2):
            held = date(2026, month, 20)
            led.hold_activity(
                # Those who serve take part: the participation rates stay apart.
                self.s(held),
                self.uid("activity", month),
                "党员集中服务日",
                held,
                serving[:5],
            )

    def commitments(self, seed: int) -> None:
        led = self.ledger
        makers = [
            (MakerKind.COMMUNITY_PARTY_ORGANISATION, led.tenant_id, "党群服务中心延时开放"),
            (MakerKind.UNIT_PARTY_ORGANISATION, self.units[1], "每季度开展一次义诊"),
            (MakerKind.PARTY_MEMBER, str(self.uid("member", 0)), "每周走访两户独居老人"),
        ]
        for n, (kind, maker, text) in enumerate(makers):
            commitment = self.uid("commitment", n)
            made = date(2026, 1, 12)
            led.make_commitment(
                self.s(made),
                commitment,
                kind,
                maker,
                text,
                "为民服务",
                date(2026, 12, 31),
                [("h1", "上半年完成", date(2026, 6, 30)), ("h2", "全年完成", date(2026, 12, 31))],
            )
            led.publish_commitment(self.s(made), commitment, Channel.NOTICE_BOARD, made)
            led.report_commitment_progress(
                self.s(date(2026, 6, 28)), commitment, "h1", 100, ["半年台账.pdf"]
            )
            for resident in range(8):
                rating = 3 if resident <= seed else 5
                led.rate_commitment(
                    self.s(date(2026, 7, 5)),
                    commitment,
                    f"居民{resident + 1:02d}",
                    "2026H1",
                    rating,
                    "服务及时" if rating > 3 else "希望更主动",
                )
            # One resident changes their mind: the earlier rating stays in history.
            led.rate_commitment(
                self.s(date(2026, 7, 20)), commitment, "居民01", "2026H1", 4, "改进了"
            )


def evaluate_communities(
    street: Ledger, secretary: str, communities: list[str], make_id: MakeId
) -> None:
    """The street's 2026H1 evaluation of its communities, finalised and ranked."""
    actor = Actor(secretary, "street_admin")

    def s(day: date, reason: str | None = None) -> Stamp:
        return Stamp(street.tenant_id, actor, occurred_at=_at(day), reason=reason)

    rubric = make_id(street.tenant_id, "rubric")
    street.draft_rubric(s(date(2026, 1, 3)), rubric, "六位一体社区党建机制考评细则", six_in_one())
    street.publish_rubric(s(date(2026, 1, 3)), rubric, 1)
    for n, community in enumerate(communities):
        evaluation = street.open_evaluation(
            s(date(2026, 7, 1)),
            SubjectKind.COMMUNITY,
            community,
            "2026H1",
            rubric,
            1,
            SOURCES,
        ).record_id
        for k, item in enumerate(six_in_one().items()):
            for m, (source, _, _) in enumerate(SOURCES):
                lost = Decimal((k + m + n) % 4) / 2  # deterministic, differs per community
                points = max(item.max_points - lost - Decimal(n) / 2, Decimal(0))
                street.score_item(
                    s(date(2026, 7, 10)),
                    evaluation,
                    item.id,
                    source,
                    points,
                    "检查记录" if source == "inspection" else "",
                )
        street.finalise_evaluation(s(date(2026, 7, 15)), evaluation)
        street.require_rectification(
            s(date(2026, 7, 15)),
            evaluation,
            "r1",
            "流动党员登记卡未及时更新",
            "社区党委",
            date(2026, 8, 31),
        )
        if n != 1:
            # The community reports it done; the street checks and closes it (销号).
            street.report_rectification(
                s(date(2026, 8, 20)), evaluation, "r1", "已补登流动党员登记卡，附更新后的台账"
            )
            street.close_rectification(
                s(date(2026, 8, 25)), evaluation, "r1", "已补登并建立月度核对"
            )
