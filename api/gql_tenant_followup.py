"""Tenant-level GraphQL fields for commitments, members, posts and evaluations."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from graphql import GraphQLError
from sqlalchemy import Engine, Row, select

from api.gql_followup import (
    CollectiveActivity,
    Evaluation,
    MakerSatisfaction,
    Participation,
    RankingEntry,
    Rectification,
    Rubric,
    ServicePost,
    Share,
)
from api.gql_types import Ctx
from domain import errors
from domain.periods import Period
from projections import indicators, queries
from projections import tables_followup as f
from projections.tables import tenants


def parse_period(period: str | None) -> Period | None:
    """Read a period argument, refusing a malformed one as bad input."""
    if period is None:
        return None
    try:
        return Period.parse(period)
    except errors.InvalidValue as error:
        raise GraphQLError(error.message, extensions={"code": "BAD_USER_INPUT"}) from error


def _rows(engine: Engine, query: Any) -> list[Row[Any]]:
    with engine.connect() as conn:
        return list(conn.execute(query))


async def rows(info: Ctx, query: Any) -> list[Row[Any]]:
    """Run a read-model query off the event loop."""
    return await asyncio.to_thread(_rows, info.context.engine, query)


async def commitment_page(
    info: Ctx,
    tenant_id: str,
    first: int,
    after: int | None,
    status: str | None,
    maker_id: str | None,
) -> tuple[list[Row[Any]], bool]:
    c = f.commitments
    filters = []
    if status:
        filters.append(c.c.status == status)
    if maker_id:
        filters.append(c.c.maker_id == maker_id)
    return await asyncio.to_thread(
        queries.page,
        info.context.engine,
        c,
        tenant_id,
        c.c.created_position,
        after=after,
        first=first,
        descending=True,
        filters=filters,
    )


async def satisfaction(info: Ctx, tenant_id: str, period: str | None) -> Share:
    within = parse_period(period)
    figure = await asyncio.to_thread(
        indicators.commitment_satisfaction, info.context.engine, tenant_id, within
    )
    return Share.of(figure)


async def satisfaction_by_maker(info: Ctx, tenant_id: str) -> list[MakerSatisfaction]:
    makers = await rows(
        info,
        select(f.commitments.c.maker_kind, f.commitments.c.maker_id)
        .where(f.commitments.c.tenant_id == tenant_id)
        .distinct()
        .order_by(f.commitments.c.maker_id),
    )
    result = []
    for maker in makers:
        figure = await asyncio.to_thread(
            indicators.commitment_satisfaction, info.context.engine, tenant_id, None, maker.maker_id
        )
        result.append(
            MakerSatisfaction(
                maker_kind=maker.maker_kind, maker_id=maker.maker_id, satisfaction=Share.of(figure)
            )
        )
    return result


async def member_page(
    info: Ctx, tenant_id: str, first: int, after: int | None, member_class: str | None
) -> tuple[list[Row[Any]], bool]:
    m = f.members
    filters = [m.c.member_class == member_class] if member_class else []
    return await asyncio.to_thread(
        queries.page,
        info.context.engine,
        m,
        tenant_id,
        m.c.created_position,
        after=after,
        first=first,
        descending=False,
        filters=filters,
    )


async def posts(info: Ctx, tenant_id: str, include_retired: bool) -> list[ServicePost]:
    query = select(f.posts).where(f.posts.c.tenant_id == tenant_id)
    if not include_retired:
        query = query.where(f.posts.c.retired.is_(False))
    found = await rows(info, query.order_by(f.posts.c.created_position))
    return [ServicePost(row=r) for r in found]


async def activities(info: Ctx, tenant_id: str) -> list[CollectiveActivity]:
    a = f.activities
    found = await rows(info, select(a).where(a.c.tenant_id == tenant_id).order_by(a.c.held_on))
    return [
        CollectiveActivity(
            id=r.activity_id,
            title=r.title,
            held_on=r.held_on,
            participant_ids=list(r.participant_ids),
        )
        for r in found
    ]


async def participation(info: Ctx, tenant_id: str, days: int, as_of: date | None) -> Participation:
    if not 1 <= days <= 366:
        raise GraphQLError("days must be between 1 and 366", extensions={"code": "BAD_USER_INPUT"})
    on = as_of or datetime.now(UTC).date()
    engine = info.context.engine
    figure = await asyncio.to_thread(indicators.post_participation, engine, tenant_id, on, days)
    last = await asyncio.to_thread(indicators.last_collective_activity, engine, tenant_id, on)
    return Participation(
        members=Share.of(figure),
        window_days=days,
        as_of=on,
        last_collective_activity=last,
        collective_activity_within_two_months=bool(last and on - last <= timedelta(days=61)),
    )


async def rubrics(info: Ctx, tenant_id: str) -> list[Rubric]:
    r = f.rubrics
    found = await rows(
        info, select(r).where(r.c.tenant_id == tenant_id).order_by(r.c.created_position)
    )
    return [Rubric(row=row) for row in found]


async def evaluations(
    info: Ctx, tenant_id: str, period: str | None, subject_kind: str | None
) -> list[Evaluation]:
    e = f.evaluations
    query = select(e).where(e.c.tenant_id == tenant_id)
    if period:
        query = query.where(e.c.period == period)
    if subject_kind:
        query = query.where(e.c.subject_kind == subject_kind)
    found = await rows(info, query.order_by(e.c.created_position))
    return [Evaluation(row=r) for r in found]


async def ranking(info: Ctx, tenant_id: str, period: str) -> list[RankingEntry]:
    """Finalised community evaluations of this street for a period, best first."""
    parse_period(period)
    e = f.evaluations
    found = await rows(
        info,
        select(e).where(
            e.c.tenant_id == tenant_id,
            e.c.period == period,
            e.c.subject_kind == "community",
            e.c.status == "final",
        ),
    )
    names = {
        r.tenant_id: r.name
        for r in await rows(
            info,
            select(tenants.c.tenant_id, tenants.c.name).where(tenants.c.parent_id == tenant_id),
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


async def open_rectifications(info: Ctx, tenant_id: str) -> list[Rectification]:
    r = f.rectifications
    found = await rows(
        info,
        select(r)
        .where(r.c.tenant_id == tenant_id, r.c.closed.is_(False))
        .order_by(r.c.deadline, r.c.rectification_id),
    )
    return [Rectification(row=row) for row in found]
