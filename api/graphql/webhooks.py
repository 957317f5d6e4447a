"""A tenant's webhooks and their delivery logs, for those who manage them.

Whoever may register a webhook in a tenant (its policy row) reads its webhooks: the
street admin or community secretary all of them, an integrator those it registered.
Every other reader gets an empty list. Deliveries are the store's operational log,
read as they are now whatever position the tenant is read at.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import Row, false

from api.graphql.paging import Connection, Window, page, page_where
from api.graphql.records import record_fields
from api.graphql.types import Ctx, Event, history_of
from api.webhooks.dispatcher import DELIVERED, FAILED, PENDING
from domain.errors import NotFound
from projections.tables_webhooks import WEBHOOKS, webhooks
from tenants.pipeline.identity import Principal, Role
from tenants.pipeline.policy import POLICY, Policy
from tenants.store.webhooks import moment, webhook_deliveries


@strawberry.enum(description="Where a delivery stands.")
class DeliveryStatus(Enum):
    PENDING = PENDING
    DELIVERED = DELIVERED
    FAILED = FAILED


def manages_webhooks(policy: Policy, principal: Principal | None, tenant_id: str) -> bool:
    """Whether the principal may manage (and so read) the tenant's webhooks: the grants
    of the ``register_webhook`` policy row."""
    if principal is None:
        return False
    try:
        relation = policy.relation(principal, tenant_id)
    except NotFound:
        return False
    return any(
        grant.role is principal.role and relation in grant.relations
        for grant in POLICY["register_webhook"]
    )


@strawberry.type(description="One event sent, or being sent, to a webhook.")
class WebhookDelivery:
    row: strawberry.Private[Row[Any]]

    @strawberry.field(description="the delivery id, sent as X-Gongjian-Delivery: dedupe on it")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.delivery_id)

    @strawberry.field(description="the event's position in the tenant's log")
    def position(self) -> int:
        return int(self.row.position)

    @strawberry.field(description="Record.Event, e.g. Meeting.MinutesIssued")
    def event_type(self) -> str:
        return str(self.row.event_type)

    @strawberry.field
    def status(self) -> DeliveryStatus:
        return DeliveryStatus(self.row.status)

    @strawberry.field(description="attempts made (a retried delivery counts afresh)")
    def attempts(self) -> int:
        return int(self.row.attempts)

    @strawberry.field(description="the last attempt's HTTP status (null: no answer)")
    def last_status_code(self) -> int | None:
        return self.row.last_status_code  # type: ignore[no-any-return]

    @strawberry.field(description="why the last attempt failed (null: it did not)")
    def last_error(self) -> str | None:
        return self.row.last_error  # type: ignore[no-any-return]

    @strawberry.field
    def last_attempt_at(self) -> datetime | None:
        return moment(self.row.last_attempt_at)

    @strawberry.field(description="when it is tried next (null once delivered or failed)")
    def next_attempt_at(self) -> datetime | None:
        return moment(self.row.next_attempt_at)

    @strawberry.field
    def created_at(self) -> datetime:
        created = moment(self.row.created_at)
        assert created is not None
        return created

    @strawberry.field(description="when it was delivered, or marked failed")
    def settled_at(self) -> datetime | None:
        return moment(self.row.settled_at)


@strawberry.type(description="Where a tenant's events are POSTed, which of them, and how.")
@record_fields(WEBHOOKS)
class Webhook:
    row: strawberry.Private[Row[Any]]

    @strawberry.field(description="where deliveries go (shown in full to who manages it)")
    def url(self) -> str:
        return str(self.row.url)

    @strawberry.field(description="The delivery log, newest event first.")
    async def deliveries(
        self,
        info: Ctx,
        first: int = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: DeliveryStatus | None = None,
    ) -> Connection[WebhookDelivery]:
        t = webhook_deliveries
        where = [t.c.tenant_id == self.row.tenant_id, t.c.webhook_id == self.row.webhook_id]
        if status is not None:
            where.append(t.c.status == status.value)
        return await page_where(
            info, t, where, t.c.position, Window(first, after, last, before),
            lambda row: WebhookDelivery(row=row),
        )  # fmt: skip

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.webhook_id)


@strawberry.type
class TenantWebhooks:
    """A tenant's webhooks (a field of Tenant)."""

    row: strawberry.Private[Row[Any]]

    @strawberry.field(
        description="Webhooks in the order they were registered: all of them for the "
        "tenant's street admin or secretary, an integrator's own for an integrator, "
        "none for other readers."
    )
    async def webhooks(
        self,
        info: Ctx,
        first: int = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Webhook]:
        tenant_id = self.row.tenant_id
        principal = info.context.principal
        policy = info.context.platform.pipeline.policy
        manages = await asyncio.to_thread(manages_webhooks, policy, principal, tenant_id)
        filters: list[Any] = [] if manages else [false()]
        if manages and principal is not None and principal.role is Role.INTEGRATOR:
            filters += [
                webhooks.c.owner == principal.user_id,
                webhooks.c.owner_role == Role.INTEGRATOR.value,
            ]
        return await page(
            info, webhooks, tenant_id, [webhooks.c.created_position],
            Window(first, after, last, before), lambda row: Webhook(row=row),
            descending=False, filters=filters,
        )  # fmt: skip
