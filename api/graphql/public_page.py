"""A community's public page: what residents may read with no token at all.

Published and fulfilled commitments with their milestones' progress and residents'
satisfaction, resolutions adopted with their status, and closed affairs: matter,
result, days to close and whether the resident was satisfied. These types carry no
personal field at all (no resident, no rating's resident, no history, no actor), so
there is nothing to mask; the derived figures (lapsed, overdue, satisfaction) are
the same functions the staff's types use. The page is its own small schema: a
public reader can ask for this page and nothing else.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Any

import strawberry
from sqlalchemy import Row

from api.graphql.figures import Share
from api.graphql.loaders import Context
from api.graphql.tenant_engagement import visible_rows
from api.graphql.types import Ctx
from domain import affairs as affair_rules
from domain import commitments as commitment_rules
from domain import resolutions as resolution_rules
from domain.tenants import TenantKind
from projections import indicators, queries, tables, tables_engagement
from projections.tables_affairs import affairs
from tenants.pipeline.identity import Principal, Role

SHOWN = 200  # newest records of each kind on the page: a page, not an export
PUBLISHED = (
    commitment_rules.CommitmentStatus.PUBLISHED,
    commitment_rules.CommitmentStatus.FULFILLED,
)


def public_reader(community_id: str, client: str) -> Principal:
    """The principal of a request without a token to one community's public page."""
    return Principal(f"anonymous:{client}", Role.PUBLIC, tenant_id=community_id)


@strawberry.type(description="A milestone's progress.")
class PublicMilestone:
    title: str
    due: date
    percent: int
    overdue: bool = strawberry.field(description="past due and not at 100% (derived)")


@strawberry.type(description="A commitment published to residents, or fulfilled.")
class PublicCommitment:
    id: strawberry.ID
    text: str
    category: str
    due: date
    status: str
    published_on: date | None
    lapsed: bool = strawberry.field(description="past due, not fulfilled (derived)")
    milestones: list[PublicMilestone]
    satisfaction: Share = strawberry.field(
        description="current ratings of 4 or 5 over all current ratings; target 0.9"
    )


@strawberry.type(description="A resolution adopted by a joint meeting, and where it stands.")
class PublicResolution:
    id: strawberry.ID
    title: str
    action: str
    deadline: date
    status: str
    adopted_at: datetime
    overdue: bool = strawberry.field(description="past its deadline, not verified (derived)")


@strawberry.type(description="A resident's affair, closed: never who brought it.")
class PublicAffair:
    matter: str
    result: str | None
    received_on: date
    closed_on: date | None
    days_to_close: int | None
    satisfied: bool | None


@strawberry.type(description="A community's public page.")
class PublicPage:
    community_id: strawberry.ID
    name: str
    today: date = strawberry.field(description="the community's date the page was read on")
    commitments: list[PublicCommitment]
    resolutions: list[PublicResolution]
    closed_affairs: list[PublicAffair]


async def _commitments(info: Ctx, tenant_id: str, today: date) -> list[PublicCommitment]:
    c = tables_engagement.commitments
    rows = await visible_rows(
        info, c, tenant_id, c.c.status.in_([s.value for s in PUBLISHED]),
        order=[c.c.created_position.desc()],
    )  # fmt: skip
    loaders, shown = info.context.loaders, []
    for row in rows[:SHOWN]:
        key = info.context.key(info, tenant_id, row.commitment_id)
        milestones = await loaders.milestones.load(key)
        ratings = await loaders.ratings.load(key)
        shown.append(
            PublicCommitment(
                id=strawberry.ID(row.commitment_id),
                text=row.text,
                category=row.category,
                due=row.due,
                status=row.status,
                published_on=row.published_on,
                lapsed=commitment_rules.is_lapsed(row.due, row.status, today),
                milestones=[_milestone(m, today) for m in milestones],
                satisfaction=Share.of(
                    indicators.satisfaction_of([r.rating for r in ratings if r.current])
                ),
            )
        )
    return shown


def _milestone(row: Row[Any], today: date) -> PublicMilestone:
    return PublicMilestone(
        title=row.title,
        due=row.due,
        percent=row.percent,
        overdue=commitment_rules.is_milestone_overdue(row.due, row.percent, today),
    )


async def _resolutions(info: Ctx, tenant_id: str, today: date) -> list[PublicResolution]:
    r = tables.resolutions
    rows = await visible_rows(info, r, tenant_id, order=[r.c.created_position.desc()])
    return [
        PublicResolution(
            id=strawberry.ID(row.resolution_id),
            title=row.title,
            action=row.action,
            deadline=row.deadline,
            status=row.status,
            adopted_at=row.adopted_at,
            overdue=resolution_rules.is_overdue(row.deadline, row.status, today),
        )
        for row in rows[:SHOWN]
    ]


async def _closed_affairs(info: Ctx, tenant_id: str) -> list[PublicAffair]:
    a = affairs
    closed = [s.value for s in affair_rules.CLOSED_STATUSES]
    rows = await visible_rows(
        info, a, tenant_id, a.c.status.in_(closed), order=[a.c.created_position.desc()]
    )
    return [
        PublicAffair(
            matter=row.matter,
            result=row.result,
            received_on=row.received_on,
            closed_on=row.closed_on,
            days_to_close=row.days_to_close,
            satisfied=row.satisfied,
        )
        for row in rows[:SHOWN]
    ]


async def community_row(context: Context, community_id: str) -> Row[Any] | None:
    """The community's tenant row; None for an unknown id and for a street alike."""
    found = await asyncio.to_thread(
        queries.grouped,
        context.reads,
        tables.tenants,
        "tenant_id",
        [(community_id, community_id)],
        (),
        {},
    )
    rows = found[0]
    if not rows or rows[0].kind != TenantKind.COMMUNITY.value:
        return None
    return rows[0]


@strawberry.type
class PublicQuery:
    @strawberry.field
    async def public_page(self, info: Ctx, community: strawberry.ID) -> PublicPage | None:
        """A community's public page (null: no such community)."""
        context, tenant_id = info.context, str(community)
        principal = context.principal
        # A public reader reads the one community it was given; anyone else reads the
        # page of a community it may read anyway.
        allowed = principal is not None and (
            (principal.role is Role.PUBLIC and principal.tenant_id == tenant_id)
            or await asyncio.to_thread(context.readable, tenant_id)
        )
        row = await community_row(context, tenant_id) if allowed else None
        if row is None:
            return None
        today = await context.today(tenant_id)
        return PublicPage(
            community_id=strawberry.ID(tenant_id),
            name=row.name,
            today=today,
            commitments=await _commitments(info, tenant_id, today),
            resolutions=await _resolutions(info, tenant_id, today),
            closed_affairs=await _closed_affairs(info, tenant_id),
        )


public_schema = strawberry.Schema(query=PublicQuery)

PAGE_QUERY = """
query PublicPage($community: ID!) {
  publicPage(community: $community) {
    communityId name today
    commitments {
      id text category due status publishedOn lapsed
      milestones { title due percent overdue }
      satisfaction { numerator denominator rate target meetsTarget }
    }
    resolutions { id title action deadline status adoptedAt overdue }
    closedAffairs { matter result receivedOn closedOn daysToClose satisfied }
  }
}
"""
"""The one document the public route runs: the whole page."""
