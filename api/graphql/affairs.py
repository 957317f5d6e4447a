"""GraphQL types for residents' affairs, and the Tenant's fields that list and count them."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import strawberry
from sqlalchemy import Row

from api.graphql import personal
from api.graphql.attached_files import AttachedFile, attached_files
from api.graphql.figures import Share
from api.graphql.filters import AffairStatusFilter, value
from api.graphql.nodes import Node
from api.graphql.paging import Connection, Window, page
from api.graphql.records import record_fields
from api.graphql.tenant_engagement import as_of, parse_period, visible_rows
from api.graphql.types import Ctx, Event, history_of
from api.graphql.units import Person
from domain.affairs import CLOSED_STATUSES, AssigneeKind, is_overdue, time_to_close
from projections import indicators, rules
from projections.tables_affairs import AFFAIR_FEEDBACK, AFFAIRS, affair_feedback, affairs


@strawberry.type(description="A resident's feedback on an affair's result (结果反馈).")
@record_fields(AFFAIR_FEEDBACK)
class AffairFeedback:
    row: strawberry.Private[Row[Any]]


@strawberry.type(
    description="A resident's affair on four cards: intake, assignment, result, feedback."
)
@record_fields(AFFAIRS)
class Affair(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field(
        description="uploaded evidence files attached to the latest result (downloaded "
        "only by readers who see personal data)"
    )
    def files(self) -> list[AttachedFile]:
        return attached_files(self.row.tenant_id, self.row.files)

    @strawberry.field(
        description="who brought it (masked unless the reader may see personal data: the "
        "surname, the telephone's last four digits)"
    )
    def resident(self, info: Ctx) -> Person:
        data: dict[str, Any] = self.row.resident
        if not info.context.sees_personal(self.row.affair_id):
            data = personal.person(data)
        return Person(name=data["name"], phone=data.get("phone"))

    @strawberry.field(description="assigned, past its deadline and not closed (derived)")
    async def overdue(self, info: Ctx) -> bool:
        today = await info.context.today(self.row.tenant_id)
        return is_overdue(self.row.deadline, self.row.status, today)

    @strawberry.field(description="every feedback the resident gave, oldest first")
    async def feedback(self, info: Ctx) -> list[AffairFeedback]:
        t = affair_feedback
        rows = await visible_rows(
            info, t, self.row.tenant_id, t.c.affair_id == self.row.affair_id, order=[t.c.position]
        )
        return [AffairFeedback(row=r) for r in rows]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.affair_id)


@strawberry.type(description="How many affairs an assignee holds open, and how many are overdue.")
class AffairLoad:
    assignee_kind: str
    assignee_id: str
    open: int
    overdue: int


@strawberry.type(description="Affairs closed in a period and the residents' satisfaction.")
class AffairFigures:
    period: str | None = strawberry.field(description="null: the whole record")
    closed: int = strawberry.field(description="affairs closed (resident satisfied)")
    median_days_to_close: str | None
    mean_days_to_close: str | None
    satisfaction: Share = strawberry.field(
        description="feedback given that was satisfied, over all feedback given; target 0.9"
    )


@strawberry.type
class TenantAffairs:
    """A tenant's residents' affairs (fields of Tenant)."""

    row: strawberry.Private[Row[Any]]

    @strawberry.field(
        description="Residents' affairs, newest first; `overdue` filters derived overdue, "
        "`assignedUnitId` those assigned to one member unit."
    )
    async def affairs(
        self,
        info: Ctx,
        first: int = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: AffairStatusFilter | None = None,
        overdue: bool | None = None,
        assigned_unit_id: strawberry.ID | None = None,
    ) -> Connection[Affair]:
        a = affairs
        filters = [a.c.status == value(status)] if status else []
        if overdue is not None:
            late = rules.overdue_affair(a, await info.context.today(self.row.tenant_id))
            filters.append(late if overdue else ~late)
        if assigned_unit_id is not None:
            filters.append(a.c.assignee_kind == AssigneeKind.UNIT.value)
            filters.append(a.c.assignee_id == str(assigned_unit_id))
        return await page(
            info, a, self.row.tenant_id, [a.c.created_position],
            Window(first, after, last, before), lambda r: Affair(row=r), filters=filters,
        )  # fmt: skip

    @strawberry.field
    async def affair(self, info: Ctx, id: strawberry.ID) -> Affair | None:
        rows = await visible_rows(info, affairs, self.row.tenant_id, affairs.c.affair_id == id)
        return Affair(row=rows[0]) if rows else None

    @strawberry.field(
        description="Open affairs per assignee (unit or member), most open first, with "
        "how many of them are overdue."
    )
    async def affair_load(self, info: Ctx) -> list[AffairLoad]:
        tenant_id = self.row.tenant_id
        today = await info.context.today(tenant_id)
        a = affairs
        late = rules.overdue_affair(a, today)
        held = await visible_rows(info, a, tenant_id, a.c.assignee_id.is_not(None), ~late)
        overdue = await visible_rows(info, a, tenant_id, a.c.assignee_id.is_not(None), late)
        open_rows = [r for r in held if r.status not in CLOSED_STATUSES] + overdue
        opened = Counter((r.assignee_kind, r.assignee_id) for r in open_rows)
        late_by = Counter((r.assignee_kind, r.assignee_id) for r in overdue)
        return [
            AffairLoad(assignee_kind=kind, assignee_id=who, open=n, overdue=late_by[(kind, who)])
            for (kind, who), n in sorted(opened.items(), key=lambda item: (-item[1], item[0]))
        ]

    @strawberry.field(
        description="Time to close and satisfaction rate, for affairs closed and "
        "feedback given within a period (2025, 2025H1, 2025Q3), or over the whole record."
    )
    async def affair_figures(self, info: Ctx, period: str | None = None) -> AffairFigures:
        within = parse_period(period)
        tenant_id = self.row.tenant_id
        closed = await visible_rows(info, affairs, tenant_id, affairs.c.closed_on.is_not(None))
        if within is not None:
            closed = [r for r in closed if r.closed_on in within]
        median, mean = time_to_close([r.days_to_close for r in closed])
        satisfaction = await asyncio.to_thread(
            indicators.affair_satisfaction,
            info.context.reads,
            tenant_id,
            within,
            as_of(info, tenant_id),
        )
        return AffairFigures(
            period=period,
            closed=len(closed),
            median_days_to_close=None if median is None else str(median),
            mean_days_to_close=None if mean is None else str(mean),
            satisfaction=Share.of(satisfaction),
        )
