"""GraphQL types for co-construction agreements (共建责任书): a tenant's and a unit's
agreements, each term's line items with their fulfilment, and those expiring soon."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import Row

from api.graphql.filters import AgreementStatusFilter, value
from api.graphql.nodes import Node
from api.graphql.paging import Connection, Window, page
from api.graphql.records import record_fields
from api.graphql.tenant_engagement import visible_rows
from api.graphql.types import Ctx, Event, history_of
from domain.agreements import days_to_end, is_expiring
from projections import rules
from projections.handlers_agreements import line_ref
from projections.tables_agreements import AGREEMENT_LINES, AGREEMENTS, agreement_lines, agreements

MAX_DAYS = 3660
"""The longest look-ahead for agreements expiring (ten years)."""


def _within(days: int | None) -> int | None:
    if days is not None and not 0 <= days <= MAX_DAYS:
        raise GraphQLError(
            f"expiringWithinDays must be between 0 and {MAX_DAYS}",
            extensions={"code": "BAD_USER_INPUT"},
        )
    return days


@strawberry.type(description="One party's undertaking for one term, and its review.")
@record_fields(AGREEMENT_LINES)
class AgreementLine(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        ref = line_ref(self.row.agreement_id, self.row.term, self.row.line_id)
        return await history_of(info, self.row.tenant_id, ref)


@strawberry.type(description="A co-construction agreement (共建责任书) with a member unit.")
@record_fields(AGREEMENTS)
class Agreement(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field(
        description="days from the tenant's today to the term's last day while in force "
        "(negative: the term is over and awaits review); null when reviewed or ended (derived)"
    )
    async def days_to_end(self, info: Ctx) -> int | None:
        today = await info.context.today(self.row.tenant_id)
        return days_to_end(self.row.ends_on, self.row.status, today)

    @strawberry.field(
        description="in force and the term ends within `withinDays` days, or is over and "
        "awaits review (derived)"
    )
    async def expiring(self, info: Ctx, within_days: int = 30) -> bool:
        today = await info.context.today(self.row.tenant_id)
        days = _within(within_days)
        assert days is not None
        return is_expiring(self.row.ends_on, self.row.status, today, days)

    @strawberry.field(description="Line items of the running term (or of `term`), in order.")
    async def lines(self, info: Ctx, term: int | None = None) -> list[AgreementLine]:
        t = agreement_lines
        rows = await visible_rows(
            info,
            t,
            self.row.tenant_id,
            t.c.agreement_id == self.row.agreement_id,
            t.c.term == (self.row.term if term is None else term),
            order=(t.c.seq,),
        )
        return [AgreementLine(row=r) for r in rows]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.agreement_id)


async def agreements_page(
    info: Ctx,
    tenant_id: str,
    window: Window,
    *,
    unit_id: str | None,
    status: Any,
    expiring_within_days: int | None,
) -> Connection[Agreement]:
    """A tenant's agreements, oldest signed first, filtered, as of the request's position."""
    a = agreements
    filters: list[Any] = []
    if unit_id is not None:
        filters.append(a.c.unit_id == unit_id)
    if status is not None:
        filters.append(a.c.status == value(status))
    days = _within(expiring_within_days)
    if days is not None:
        today = await info.context.today(tenant_id)
        filters.append(rules.expiring_agreement(a, today, days))
    return await page(
        info, a, tenant_id, a.c.created_position, window, lambda r: Agreement(row=r),
        descending=False, filters=filters,
    )  # fmt: skip


@strawberry.type
class TenantAgreements:
    """A tenant's co-construction agreements (fields of Tenant)."""

    row: strawberry.Private[Row[Any]]

    @strawberry.field(description="Co-construction agreements, in the order they were signed.")
    async def agreements(
        self,
        info: Ctx,
        first: int = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        unit_id: str | None = None,
        status: AgreementStatusFilter | None = None,
        expiring_within_days: Annotated[
            int | None,
            strawberry.argument(
                description="only those in force whose term ends within this many days of "
                "the tenant's today, or is over and awaits review"
            ),
        ] = None,
    ) -> Connection[Agreement]:
        return await agreements_page(
            info, self.row.tenant_id, Window(first, after, last, before),
            unit_id=unit_id, status=status, expiring_within_days=expiring_within_days,
        )  # fmt: skip

    @strawberry.field
    async def agreement(self, info: Ctx, id: strawberry.ID) -> Agreement | None:
        a = agreements
        found = await visible_rows(info, a, self.row.tenant_id, a.c.agreement_id == str(id))
        return Agreement(row=found[0]) if found else None


@strawberry.type
class UnitAgreements:
    """A member unit's co-construction agreements (a field of MemberUnit)."""

    row: strawberry.Private[Row[Any]]

    @strawberry.field(description="This unit's co-construction agreements, oldest first.")
    async def agreements(
        self,
        info: Ctx,
        first: int = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: AgreementStatusFilter | None = None,
    ) -> Connection[Agreement]:
        return await agreements_page(
            info, self.row.tenant_id, Window(first, after, last, before),
            unit_id=str(self.row.unit_id), status=status, expiring_within_days=None,
        )  # fmt: skip
