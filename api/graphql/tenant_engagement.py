"""The Tenant type's fields for commitments, members and posts, and evaluations."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import Row

from api.graphql.commitments import Commitment, MakerSatisfaction
from api.graphql.evaluations import Evaluation, RankingEntry, Rectification, Rubric
from api.graphql.figures import Share
from api.graphql.filters import (
    CommitmentStatusFilter,
    MemberClassFilter,
    SubjectKindFilter,
    value,
)
from api.graphql.members import (
    CollectiveActivity,
    Participation,
    PartyMember,
    ServicePost,
    load_member,
)
from api.graphql.paging import Connection, Window, page
from api.graphql.types import Ctx
from domain import errors
from domain.evaluations import EvaluationStatus, SubjectKind
from domain.periods import Period
from projections import indicators, queries
from projections import tables_engagement as f


def parse_period(period: str | None) -> Period | None:
    """Read a period argument, refusing a malformed one as bad input."""
    if period is None:
        return None
    try:
        return Period.parse(period)
    except errors.InvalidValue as error:
        raise GraphQLError(error.message, extensions={"code": "BAD_USER_INPUT"}) from error


def as_of(info: Ctx, tenant_id: str) -> int | None:
    """The log position this request reads the tenant as of (None: now)."""
    return info.context.position(info, tenant_id)


async def visible_rows(
    info: Ctx, table: Any, tenant_id: str, *where: Any, order: Any = ()
) -> list[Row[Any]]:
    """A tenant's rows of ``table`` matching ``where``, as of the request's position."""
    return await asyncio.to_thread(
        queries.select_visible,
        info.context.reads,
        table,
        tenant_id,
        *where,
        position=as_of(info, tenant_id),
        order=order,
    )


async def _satisfaction(info: Ctx, tenant_id: str, period: str | None) -> Share:
    within = parse_period(period)
    figure = await asyncio.to_thread(
        indicators.commitment_satisfaction,
        info.context.reads,
        tenant_id,
        within,
        None,
        as_of(info, tenant_id),
    )
    return Share.of(figure)


async def _satisfaction_by_maker(info: Ctx, tenant_id: str) -> list[MakerSatisfaction]:
    c = f.commitments
    makers = sorted(
        {(r.maker_kind, r.maker_id) for r in await visible_rows(info, c, tenant_id)},
        key=lambda m: m[1],
    )
    result = []
    for maker_kind, maker_id in makers:
        figure = await asyncio.to_thread(
            indicators.commitment_satisfaction,
            info.context.reads,
            tenant_id,
            None,
            maker_id,
            as_of(info, tenant_id),
        )
        result.append(
            MakerSatisfaction(
                maker_kind=maker_kind, maker_id=maker_id, satisfaction=Share.of(figure)
            )
        )
    return result


async def _participation(info: Ctx, tenant_id: str, days: int, on: date | None) -> Participation:
    if not 1 <= days <= 366:
        raise GraphQLError("days must be between 1 and 366", extensions={"code": "BAD_USER_INPUT"})
    on = on or await info.context.today(tenant_id)
    engine, at = info.context.reads, as_of(info, tenant_id)
    figure = await asyncio.to_thread(indicators.post_participation, engine, tenant_id, on, days, at)
    last = await asyncio.to_thread(indicators.last_collective_activity, engine, tenant_id, on, at)
    return Participation(
        members=Share.of(figure),
        window_days=days,
        as_of=on,
        last_collective_activity=last,
        collective_activity_within_two_months=bool(last and on - last <= timedelta(days=61)),
    )


async def _ranking(info: Ctx, tenant_id: str, period: str) -> list[RankingEntry]:
    """Finalised community evaluations of this street for a period, best first."""
    parse_period(period)
    e = f.evaluations
    found = await visible_rows(
        info,
        e,
        tenant_id,
        e.c.period == period,
        e.c.subject_kind == SubjectKind.COMMUNITY.value,
        e.c.status == EvaluationStatus.FINAL.value,
    )
    names = {
        r.tenant_id: r.name
        for r in await asyncio.to_thread(
            queries.tenant_rows, info.context.reads, parent_id=tenant_id
        )
    }
    ordered = sorted(found, key=lambda r: (-Decimal(r.weighted_total), r.subject_id))
    entries, rank, previous = [], 0, None
    for n, row in enumerate(ordered, start=1):
        total = Decimal(row.weighted_total)
        rank = rank if total == previous else n  # equal totals share a rank
        previous = total
        entries.append(
            RankingEntry(
                rank=rank,
                subject_id=row.subject_id,
                subject_name=names.get(row.subject_id),
                weighted_total=row.weighted_total,
                evaluation_id=row.evaluation_id,
            )
        )
    return entries


@strawberry.type
class TenantFollowUp:
    """A tenant's commitments, members and posts, and evaluations (fields of Tenant)."""

    row: strawberry.Private[Row[Any]]

    @strawberry.field(description="Public commitments, newest first.")
    async def commitments(
        self,
        info: Ctx,
        first: int = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: CommitmentStatusFilter | None = None,
        maker_id: str | None = None,
    ) -> Connection[Commitment]:
        c = f.commitments
        filters = [c.c.status == value(status)] if status else []
        if maker_id:
            filters.append(c.c.maker_id == maker_id)
        return await page(
            info,
            c,
            self.row.tenant_id,
            c.c.created_position,
            Window(first, after, last, before),
            lambda r: Commitment(row=r),
            filters=filters,
        )

    @strawberry.field
    async def commitment(self, info: Ctx, id: strawberry.ID) -> Commitment | None:
        c = f.commitments
        found = await visible_rows(info, c, self.row.tenant_id, c.c.commitment_id == str(id))
        return Commitment(row=found[0]) if found else None

    @strawberry.field(
        description="Residents' satisfaction with this tenant's commitments "
        "(rating periods inside `period` if given); target 0.9."
    )
    async def commitment_satisfaction(self, info: Ctx, period: str | None = None) -> Share:
        return await _satisfaction(info, self.row.tenant_id, period)

    @strawberry.field(description="Satisfaction per commitment maker.")
    async def satisfaction_by_maker(self, info: Ctx) -> list[MakerSatisfaction]:
        return await _satisfaction_by_maker(info, self.row.tenant_id)

    @strawberry.field(description="Party members registered here, in registration order.")
    async def members(
        self,
        info: Ctx,
        first: int = 50,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        member_class: MemberClassFilter | None = None,
    ) -> Connection[PartyMember]:
        m = f.members
        filters = [m.c.member_class == value(member_class)] if member_class else []
        return await page(
            info,
            m,
            self.row.tenant_id,
            m.c.created_position,
            Window(first, after, last, before),
            lambda r: PartyMember(row=r),
            descending=False,
            filters=filters,
        )

    @strawberry.field
    async def member(self, info: Ctx, id: strawberry.ID) -> PartyMember | None:
        return await load_member(info, self.row.tenant_id, str(id))

    @strawberry.field(
        description="Service posts in the order they were set up; retired ones only "
        "with `includeRetired`."
    )
    async def posts(
        self,
        info: Ctx,
        first: int = 50,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        include_retired: bool = False,
    ) -> Connection[ServicePost]:
        p = f.posts
        return await page(
            info,
            p,
            self.row.tenant_id,
            [p.c.created_position, p.c.post_id],
            Window(first, after, last, before),
            lambda r: ServicePost(row=r),
            descending=False,
            filters=[] if include_retired else [p.c.retired.is_(False)],
        )

    @strawberry.field(description="Collective service activities, by the day they were held.")
    async def activities(
        self,
        info: Ctx,
        first: int = 50,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[CollectiveActivity]:
        a = f.activities
        return await page(
            info,
            a,
            self.row.tenant_id,
            [a.c.held_on, a.c.activity_id],
            Window(first, after, last, before),
            lambda r: CollectiveActivity(row=r),
            descending=False,
        )

    @strawberry.field(
        description="Share of members whose membership is here with confirmed "
        "service in the last `days` (default 60) up to `asOf`; target 0.6."
    )
    async def participation(
        self, info: Ctx, days: int = 60, as_of: date | None = None
    ) -> Participation:
        return await _participation(info, self.row.tenant_id, days, as_of)

    @strawberry.field(description="Evaluation rubrics in the order they were drafted.")
    async def rubrics(
        self,
        info: Ctx,
        first: int = 50,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Rubric]:
        r = f.rubrics
        return await page(
            info,
            r,
            self.row.tenant_id,
            [r.c.created_position, r.c.rubric_id],
            Window(first, after, last, before),
            lambda row: Rubric(row=row),
            descending=False,
        )

    @strawberry.field(
        description="Evaluations this tenant runs (of its communities or units), in the "
        "order they were opened; `period` (e.g. 2026H1) and `subjectKind` filter."
    )
    async def evaluations(
        self,
        info: Ctx,
        first: int = 50,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        period: str | None = None,
        subject_kind: SubjectKindFilter | None = None,
    ) -> Connection[Evaluation]:
        e = f.evaluations
        filters = [e.c.period == period] if period else []
        if subject_kind:
            filters.append(e.c.subject_kind == value(subject_kind))
        return await page(
            info,
            e,
            self.row.tenant_id,
            [e.c.created_position, e.c.evaluation_id],
            Window(first, after, last, before),
            lambda r: Evaluation(row=r),
            descending=False,
            filters=filters,
        )

    @strawberry.field
    async def evaluation(self, info: Ctx, id: strawberry.ID) -> Evaluation | None:
        e = f.evaluations
        found = await visible_rows(info, e, self.row.tenant_id, e.c.evaluation_id == str(id))
        return Evaluation(row=found[0]) if found else None

    @strawberry.field(description="A street's communities ranked by finalised weighted total.")
    async def ranking(self, info: Ctx, period: str) -> list[RankingEntry]:
        return await _ranking(info, self.row.tenant_id, period)

    @strawberry.field(description="Rectification items not yet closed, earliest deadline first.")
    async def open_rectifications(
        self,
        info: Ctx,
        first: int = 50,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Rectification]:
        r = f.rectifications
        return await page(
            info,
            r,
            self.row.tenant_id,
            # Rectification ids are unique within their evaluation only.
            [r.c.deadline, r.c.rectification_id, r.c.evaluation_id],
            Window(first, after, last, before),
            lambda row: Rectification(row=row),
            descending=False,
            filters=[r.c.closed.is_(False)],
        )
