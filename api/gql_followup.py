"""GraphQL types for commitments, members and posts, rubrics and evaluations."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import Row

from api.gql_types import Ctx, Event, _history
from domain.commitments import Channel, CommitmentStatus, MakerKind
from domain.evaluations import EvaluationStatus, SubjectKind
from domain.members import MemberClass, MemberStatus, ReviewRating
from domain.periods import Period
from domain.posts import PostCategory
from domain.rubrics import Indicator, RubricStructure
from projections import indicators
from projections.context import utc


def _today() -> date:
    return datetime.now(UTC).date()


def _hours(total: Decimal) -> str:
    """Hours shown with two decimals (the sum itself is exact)."""
    return str(total.quantize(Decimal("0.01")))


@strawberry.type(
    description="A share of counted facts, exact, with its target where the rubric sets one."
)
class Share:
    numerator: int
    denominator: int
    rate: str | None = strawberry.field(description="numerator/denominator to 4 places")
    target: str | None
    meets_target: bool | None

    @classmethod
    def of(cls, figure: indicators.Figure) -> Share:
        return cls(
            numerator=figure.numerator,
            denominator=figure.denominator,
            rate=str(figure.rate) if figure.rate is not None else None,
            target=str(figure.target) if figure.target is not None else None,
            meets_target=figure.meets_target,
        )


# -- commitments --------------------------------------------------------------


@strawberry.type
class Milestone:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.milestone_id)

    @strawberry.field
    def title(self) -> str:
        return str(self.row.title)

    @strawberry.field
    def due(self) -> date:
        return self.row.due  # type: ignore[no-any-return]

    @strawberry.field
    def percent(self) -> int:
        return int(self.row.percent)

    @strawberry.field
    def evidence(self) -> list[str]:
        return list(self.row.evidence)

    @strawberry.field(description="past due and not at 100% (derived)")
    def overdue(self) -> bool:
        return bool(self.row.percent < 100 and _today() > self.row.due)

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        ref = f"{self.row.commitment_id}/{self.row.milestone_id}"
        return await _history(info, self.row.tenant_id, ref)


@strawberry.type
class Rating:
    resident_id: str
    period: str
    rating: int
    comment: str
    current: bool = strawberry.field(description="false once the resident rated again")
    rated_at: datetime


@strawberry.type
class Commitment:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.commitment_id)

    @strawberry.field
    def maker_kind(self) -> str:
        return str(self.row.maker_kind)

    @strawberry.field
    def maker_kind_label(self) -> str:
        return MakerKind(self.row.maker_kind).label

    @strawberry.field
    def maker_id(self) -> str:
        return str(self.row.maker_id)

    @strawberry.field
    def text(self) -> str:
        return str(self.row.text)

    @strawberry.field
    def category(self) -> str:
        return str(self.row.category)

    @strawberry.field
    def due(self) -> date:
        return self.row.due  # type: ignore[no-any-return]

    @strawberry.field
    def status(self) -> str:
        return str(self.row.status)

    @strawberry.field
    def status_label(self) -> str:
        return CommitmentStatus(self.row.status).label

    @strawberry.field
    def channel_label(self) -> str | None:
        return Channel(self.row.channel).label if self.row.channel else None

    @strawberry.field
    def published_on(self) -> date | None:
        return self.row.published_on  # type: ignore[no-any-return]

    @strawberry.field(description="past due, neither fulfilled nor withdrawn (derived)")
    def lapsed(self) -> bool:
        return self.row.status in ("made", "published") and _today() > self.row.due

    @strawberry.field
    def version(self) -> int:
        return int(self.row.version)

    @strawberry.field
    async def milestones(self, info: Ctx) -> list[Milestone]:
        key = (self.row.tenant_id, self.row.commitment_id)
        return [Milestone(row=r) for r in await info.context.loaders.milestones.load(key)]

    @strawberry.field
    async def ratings(self, info: Ctx, current_only: bool = True) -> list[Rating]:
        key = (self.row.tenant_id, self.row.commitment_id)
        return [
            Rating(
                resident_id=r.resident_id,
                period=r.period,
                rating=r.rating,
                comment=r.comment,
                current=r.current,
                rated_at=utc(r.rated_at),
            )
            for r in await info.context.loaders.ratings.load(key)
            if r.current or not current_only
        ]

    @strawberry.field(description="current ratings of 4 or 5 over all current ratings; target 0.9")
    async def satisfaction(self, info: Ctx) -> Share:
        rows = await info.context.loaders.ratings.load((self.row.tenant_id, self.row.commitment_id))
        current = [r.rating for r in rows if r.current]
        figure = indicators.Figure(
            sum(1 for v in current if v >= 4), len(current), indicators.SATISFACTION_TARGET
        )
        return Share.of(figure)

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await _history(info, self.row.tenant_id, self.row.commitment_id)


@strawberry.type
class MakerSatisfaction:
    maker_kind: str
    maker_id: str
    satisfaction: Share


# -- members and posts --------------------------------------------------------


@strawberry.type
class Claim:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def post_id(self) -> str:
        return str(self.row.post_id)

    @strawberry.field
    def member_id(self) -> str:
        return str(self.row.member_id)

    @strawberry.field
    def claimed_at(self) -> datetime:
        return utc(self.row.claimed_at)

    @strawberry.field
    def ended_at(self) -> datetime | None:
        return utc(self.row.ended_at) if self.row.ended_at else None

    @strawberry.field(description="released | post_retired, once ended")
    def end_reason(self) -> str | None:
        return self.row.end_reason  # type: ignore[no-any-return]

    @strawberry.field
    def active(self) -> bool:
        return self.row.ended_at is None

    @strawberry.field
    async def post(self, info: Ctx) -> ServicePost | None:
        rows = await info.context.loaders.posts.load((self.row.tenant_id, self.row.post_id))
        return ServicePost(row=rows[0]) if rows else None

    @strawberry.field
    async def member(self, info: Ctx) -> PartyMember | None:
        return await load_member(info, self.row.tenant_id, self.row.member_id)


@strawberry.type
class ServiceLog:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.log_id)

    @strawberry.field
    def post_id(self) -> str:
        return str(self.row.post_id)

    @strawberry.field
    def served_on(self) -> date:
        return self.row.served_on  # type: ignore[no-any-return]

    @strawberry.field(description="exact decimal hours")
    def hours(self) -> str:
        return str(self.row.hours)

    @strawberry.field
    def what(self) -> str:
        return str(self.row.what)

    @strawberry.field(description="pending | confirmed | rejected")
    def status(self) -> str:
        return str(self.row.status)

    @strawberry.field
    def reject_reason(self) -> str | None:
        return self.row.reject_reason  # type: ignore[no-any-return]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await _history(info, self.row.tenant_id, f"{self.row.member_id}/{self.row.log_id}")


@strawberry.type
class YearReview:
    year: int
    rating: str
    rating_label: str
    feedback: str = strawberry.field(description="the note fed back to the member's work unit")


@strawberry.type
class PendingTransfer:
    transfer_id: str
    to_tenant_id: str


@strawberry.type
class PartyMember:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.member_id)

    @strawberry.field
    def name(self) -> str:
        return str(self.row.name)

    @strawberry.field
    def member_class(self) -> str:
        return str(self.row.member_class)

    @strawberry.field
    def member_class_label(self) -> str:
        return MemberClass(self.row.member_class).label

    @strawberry.field
    def work_unit(self) -> str | None:
        return self.row.work_unit  # type: ignore[no-any-return]

    @strawberry.field
    def status(self) -> str:
        return str(self.row.status)

    @strawberry.field
    def status_label(self) -> str:
        return MemberStatus(self.row.status).label

    @strawberry.field(description="membership (组织关系) is in this community")
    def membership_here(self) -> bool:
        return bool(self.row.member_class != MemberClass.IN_SERVICE.value)

    @strawberry.field(description="when an in-service member reported (报到) here")
    def reported_on(self) -> date | None:
        return self.row.reported_on  # type: ignore[no-any-return]

    @strawberry.field(description="'<tenant>/<member id>' this member was transferred from")
    def transferred_from(self) -> str | None:
        return self.row.transferred_from  # type: ignore[no-any-return]

    @strawberry.field(description="set while a transfer out is recorded here but not completed")
    def pending_transfer(self) -> PendingTransfer | None:
        if self.row.status != MemberStatus.TRANSFER_PENDING.value:
            return None
        return PendingTransfer(transfer_id=self.row.transfer_id, to_tenant_id=self.row.transfer_to)

    @strawberry.field
    def version(self) -> int:
        return int(self.row.version)

    @strawberry.field
    async def claims(self, info: Ctx, active_only: bool = False) -> list[Claim]:
        key = (self.row.tenant_id, self.row.member_id)
        rows = await info.context.loaders.claims_by_member.load(key)
        return [Claim(row=r) for r in rows if r.ended_at is None or not active_only]

    @strawberry.field(description="the activity record card")
    async def service_logs(self, info: Ctx) -> list[ServiceLog]:
        key = (self.row.tenant_id, self.row.member_id)
        return [ServiceLog(row=r) for r in await info.context.loaders.service_logs.load(key)]

    @strawberry.field(description="hours of confirmed service, exact")
    async def confirmed_hours(self, info: Ctx) -> str:
        rows = await info.context.loaders.service_logs.load(
            (self.row.tenant_id, self.row.member_id)
        )
        return _hours(sum((Decimal(r.hours) for r in rows if r.status == "confirmed"), Decimal(0)))

    @strawberry.field
    async def year_reviews(self, info: Ctx) -> list[YearReview]:
        rows = await info.context.loaders.year_reviews.load(
            (self.row.tenant_id, self.row.member_id)
        )
        return [
            YearReview(
                year=r.year,
                rating=r.rating,
                rating_label=ReviewRating(r.rating).label,
                feedback=r.feedback,
            )
            for r in rows
        ]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await _history(info, self.row.tenant_id, self.row.member_id)


async def load_member(info: Ctx, tenant_id: str, member_id: str) -> PartyMember | None:
    rows = await info.context.loaders.members.load((tenant_id, member_id))
    return PartyMember(row=rows[0]) if rows else None


@strawberry.type
class ServicePost:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.post_id)

    @strawberry.field
    def title(self) -> str:
        return str(self.row.title)

    @strawberry.field
    def category(self) -> str:
        return str(self.row.category)

    @strawberry.field
    def category_label(self) -> str:
        return PostCategory(self.row.category).label

    @strawberry.field
    def capacity(self) -> int:
        return int(self.row.capacity)

    @strawberry.field
    def description(self) -> str:
        return str(self.row.description)

    @strawberry.field
    def retired(self) -> bool:
        return bool(self.row.retired)

    @strawberry.field
    async def claims(self, info: Ctx, active_only: bool = False) -> list[Claim]:
        rows = await info.context.loaders.claims_by_post.load(
            (self.row.tenant_id, self.row.post_id)
        )
        return [Claim(row=r) for r in rows if r.ended_at is None or not active_only]

    @strawberry.field
    async def holders(self, info: Ctx) -> list[PartyMember]:
        rows = await info.context.loaders.claims_by_post.load(
            (self.row.tenant_id, self.row.post_id)
        )
        found = [
            await load_member(info, self.row.tenant_id, r.member_id)
            for r in rows
            if r.ended_at is None
        ]
        return [m for m in found if m is not None]

    @strawberry.field(description="confirmed hours logged on this post, exact")
    async def confirmed_hours(self, info: Ctx) -> str:
        rows = await info.context.loaders.claims_by_post.load(
            (self.row.tenant_id, self.row.post_id)
        )
        total = Decimal(0)
        for member_id in {r.member_id for r in rows}:
            logs = await info.context.loaders.service_logs.load((self.row.tenant_id, member_id))
            total += sum(
                (
                    Decimal(x.hours)
                    for x in logs
                    if x.status == "confirmed" and x.post_id == self.row.post_id
                ),
                Decimal(0),
            )
        return _hours(total)

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await _history(info, self.row.tenant_id, self.row.post_id)


@strawberry.type
class Participation:
    members: Share = strawberry.field(
        description="members whose membership is here with "
        "confirmed service in the window; target 0.6"
    )
    window_days: int
    as_of: date
    last_collective_activity: date | None
    collective_activity_within_two_months: bool


@strawberry.type
class CollectiveActivity:
    id: strawberry.ID
    title: str
    held_on: date
    participant_ids: list[str]


# -- rubrics and evaluations -------------------------------------------------


@strawberry.type
class RubricItem:
    id: strawberry.ID
    label_zh: str
    label_en: str
    max_points: str
    indicator: str | None
    indicator_label: str | None


@strawberry.type
class RubricCategory:
    id: strawberry.ID
    label_zh: str
    label_en: str
    weight: str
    items: list[RubricItem]


def categories_of(structure: dict[str, Any]) -> list[RubricCategory]:
    """GraphQL categories from a stored rubric structure."""
    parsed = RubricStructure.from_dict(structure)
    return [
        RubricCategory(
            id=strawberry.ID(c.id),
            label_zh=c.label_zh,
            label_en=c.label_en,
            weight=str(c.weight),
            items=[
                RubricItem(
                    id=strawberry.ID(i.id),
                    label_zh=i.label_zh,
                    label_en=i.label_en,
                    max_points=str(i.max_points),
                    indicator=i.indicator.value if i.indicator else None,
                    indicator_label=i.indicator.label if i.indicator else None,
                )
                for i in c.items
            ],
        )
        for c in parsed.categories
    ]


@strawberry.type
class RubricRevision:
    revision: int
    published: bool
    total: str
    categories: list[RubricCategory]


@strawberry.type
class Rubric:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.rubric_id)

    @strawberry.field
    def name(self) -> str:
        return str(self.row.name)

    @strawberry.field
    async def revisions(self, info: Ctx) -> list[RubricRevision]:
        rows = await info.context.loaders.revisions.load((self.row.tenant_id, self.row.rubric_id))
        return [
            RubricRevision(
                revision=r.revision,
                published=r.published,
                total=str(r.structure["total"]),
                categories=categories_of(r.structure),
            )
            for r in rows
        ]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await _history(info, self.row.tenant_id, self.row.rubric_id)


@strawberry.type
class Score:
    source_id: str
    points: str
    evidence: str
    revisions: int = strawberry.field(description="how often it was re-scored (see history)")


@strawberry.type
class EvaluationItem:
    id: strawberry.ID
    category_id: str
    label_zh: str
    label_en: str
    max_points: str
    scores: list[Score]
    indicator: str | None = strawberry.field(description="a recorded figure shown as evidence")
    indicator_label: str | None
    indicator_figure: Share | None = strawberry.field(
        description="computed from the platform's records for the subject and period; not a score"
    )


@strawberry.type
class SourceTotal:
    source_id: str
    label: str
    weight: str
    total: str | None


@strawberry.type
class Rectification:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.rectification_id)

    @strawberry.field
    def evaluation_id(self) -> str:
        return str(self.row.evaluation_id)

    @strawberry.field
    def problem(self) -> str:
        return str(self.row.problem)

    @strawberry.field
    def responsible(self) -> str:
        return str(self.row.responsible)

    @strawberry.field
    def deadline(self) -> date:
        return self.row.deadline  # type: ignore[no-any-return]

    @strawberry.field
    def closed(self) -> bool:
        return bool(self.row.closed)

    @strawberry.field
    def evidence(self) -> str | None:
        return self.row.evidence  # type: ignore[no-any-return]

    @strawberry.field(description="open past its deadline (derived)")
    def overdue(self) -> bool:
        return not self.row.closed and _today() > self.row.deadline

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        ref = f"{self.row.evaluation_id}/{self.row.rectification_id}"
        return await _history(info, self.row.tenant_id, ref)


@strawberry.type
class Evaluation:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.evaluation_id)

    @strawberry.field
    def subject_kind(self) -> str:
        return str(self.row.subject_kind)

    @strawberry.field
    def subject_kind_label(self) -> str:
        return SubjectKind(self.row.subject_kind).label

    @strawberry.field
    def subject_id(self) -> str:
        return str(self.row.subject_id)

    @strawberry.field
    def period(self) -> str:
        return str(self.row.period)

    @strawberry.field
    def rubric_id(self) -> str:
        return str(self.row.rubric_id)

    @strawberry.field
    def revision(self) -> int:
        return int(self.row.revision)

    @strawberry.field
    def status(self) -> str:
        return str(self.row.status)

    @strawberry.field
    def status_label(self) -> str:
        return EvaluationStatus(self.row.status).label

    @strawberry.field(description="Σ source weight × source total, exact; set when finalised")
    def weighted_total(self) -> str | None:
        return self.row.weighted_total  # type: ignore[no-any-return]

    @strawberry.field
    def version(self) -> int:
        return int(self.row.version)

    @strawberry.field
    def sources(self) -> list[SourceTotal]:
        totals = self.row.source_totals or {}
        return [
            SourceTotal(
                source_id=s["id"], label=s["label"], weight=s["weight"], total=totals.get(s["id"])
            )
            for s in self.row.sources
        ]

    @strawberry.field
    async def items(self, info: Ctx) -> list[EvaluationItem]:
        key = (self.row.tenant_id, self.row.evaluation_id)
        by_item: dict[str, list[Score]] = {}
        for r in await info.context.loaders.scores.load(key):
            by_item.setdefault(r.item_id, []).append(
                Score(
                    source_id=r.source_id,
                    points=r.points,
                    evidence=r.evidence,
                    revisions=r.revisions,
                )
            )
        figures = await asyncio.to_thread(self._figures, info.context.engine)
        structure = RubricStructure.from_dict(self.row.structure)
        return [
            EvaluationItem(
                id=strawberry.ID(i.id),
                category_id=c.id,
                label_zh=i.label_zh,
                label_en=i.label_en,
                max_points=str(i.max_points),
                scores=by_item.get(i.id, []),
                indicator=i.indicator.value if i.indicator else None,
                indicator_label=i.indicator.label if i.indicator else None,
                indicator_figure=figures.get(i.indicator) if i.indicator else None,
            )
            for c in structure.categories
            for i in c.items
        ]

    def _figures(self, engine: Any) -> dict[Indicator, Share | None]:
        period = Period.parse(self.row.period)
        result: dict[Indicator, Share | None] = {}
        for indicator in Indicator:
            figure = indicators.figure_for(
                engine,
                indicator,
                self.row.subject_kind,
                self.row.subject_id,
                self.row.tenant_id,
                period,
            )
            result[indicator] = Share.of(figure) if figure else None
        return result

    @strawberry.field
    async def rectifications(self, info: Ctx) -> list[Rectification]:
        key = (self.row.tenant_id, self.row.evaluation_id)
        return [Rectification(row=r) for r in await info.context.loaders.rectifications.load(key)]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await _history(info, self.row.tenant_id, self.row.evaluation_id)


@strawberry.type
class RankingEntry:
    rank: int
    subject_id: str
    subject_name: str | None
    weighted_total: str
    evaluation_id: str
