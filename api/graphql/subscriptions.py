"""Live pages: a GraphQL subscription on a tenant's events, over a websocket.

``subscription { tenantEvents(tenant: ID!, after: Int) { position type recordId data } }``
streams each event of the tenant's feed after ``after`` (default: from now on), as
the read models record it, masked for the reader exactly as the ``events`` list is.

The socket speaks ``graphql-transport-ws``. Its ``connection_init`` payload carries the
token (``{"Authorization": "Bearer <token>"}``; the handshake's own header is taken
if the payload has none): a connection without a valid one is closed with 4403
before anything is read. Only subscriptions run over the socket: queries and
mutations go to POST /graphql, where limits, the answer cache and the request's
snapshot apply. Each subscription polls the feed (``GONGJIAN_SUBSCRIPTION_POLL``
seconds, 0.5 by default) on a connection it takes only for the read, narrowed to
the reader's tenants, checks that the token is still valid at every poll, and ends
with ``UNAUTHENTICATED`` once it is not. A process serves at most
``GONGJIAN_SUBSCRIPTION_LIMIT`` (100) subscriptions at once; one more is refused with
``TOO_MANY_SUBSCRIPTIONS``.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from graphql import (
    GraphQLError,
    GraphQLFormattedError,
    OperationDefinitionNode,
    OperationType,
    parse,
)
from sqlalchemy import Row, select
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ErrorMessage,
    SubscribeMessage,
)

from api.graphql.loaders import Context
from api.graphql.types import Ctx, Event
from projections import queries
from projections.tables import events as feed
from tenants.pipeline.errors import Unauthenticated
from tenants.store import row_security

LIMIT_SETTING = "GONGJIAN_SUBSCRIPTION_LIMIT"
POLL_SETTING = "GONGJIAN_SUBSCRIPTION_POLL"
PAGE = 100  # events read per poll


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip() or str(default)
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive")
    return value


class Slots:
    """How many subscriptions this process serves at once, at most ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.taken = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Take a slot; False when every one is taken."""
        with self._lock:
            if self.taken >= self.limit:
                return False
            self.taken += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.taken -= 1


SLOTS = Slots(int(_number(LIMIT_SETTING, 100)))


def _authorization(context: Context) -> str | None:
    """The token the socket presented: in ``connection_init``, else the handshake's header."""
    params = context.connection_params or {}
    for name, value in params.items():
        if str(name).lower() == "authorization" and isinstance(value, str):
            return value
    request = getattr(context, "request", None)
    headers = getattr(request, "headers", None)
    return None if headers is None else headers.get("authorization")


async def connect(context: Context) -> None:
    """Accept a socket's ``connection_init`` with a valid token (else close it, 4403)."""
    authorization = _authorization(context)
    context.authorization = authorization or ""
    try:
        await asyncio.to_thread(context.authenticate)
    except Unauthenticated:
        raise ConnectionRejectionError({"code": "UNAUTHENTICATED"}) from None
    # A socket lives long: every read opens its own connection and sees the latest
    # commits, rather than holding one snapshot (and a pooled connection) for hours.
    context.reads.read_committed()
    # Its operations run in tasks made from this one's context: every transaction
    # they begin sees only the reader's tenants.
    row_security.narrow(await asyncio.to_thread(context.reading_scope))


def _operation(query: str, name: str | None) -> OperationType | None:
    """The type of the operation a document runs (None: not a runnable document)."""
    try:
        document = parse(query)
    except GraphQLError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if name is None or (o.name and o.name.value == name)]
    return chosen[0].operation if len(chosen) == 1 else None


def subscribes(body: bytes, query: str | None, name: str | None) -> bool:
    """Whether an HTTP request (its POST body, or GET's query and operation name) asks
    for a subscription: those run over the websocket only."""
    if b"subscription" not in body and "subscription" not in (query or ""):
        return False  # the word every subscription document holds
    requests: Any = [{"query": query, "operationName": name}]
    if body:
        try:
            requests = json.loads(body)
        except ValueError:
            return False  # not JSON: refused as such
    for request in requests if isinstance(requests, list) else [requests]:
        if isinstance(request, dict) and isinstance(request.get("query"), str):
            named = request.get("operationName")
            kind = _operation(request["query"], named if isinstance(named, str) else None)
            if kind is OperationType.SUBSCRIPTION:
                return True
    return False


class SubscriptionsOnly(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws that runs subscriptions only: a query or mutation sent
    over the socket gets an error naming POST /graphql."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        payload = message.get("payload") or {}
        kind = _operation(str(payload.get("query", "")), payload.get("operationName"))
        if kind is not OperationType.SUBSCRIPTION and self.connection_acknowledged:
            error: GraphQLFormattedError = {
                "message": "only subscriptions run over the websocket: send queries and "
                "mutations to POST /graphql",
                "extensions": {"code": "BAD_USER_INPUT"},
            }
            await self.send_message(ErrorMessage(id=message["id"], type="error", payload=[error]))
            return
        await super().handle_subscribe(message)


def _refuse(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def _page(context: Context, tenant_id: str, after: int) -> list[Row[Any]]:
    """The feed's next events after ``after`` (in the reader's tenants only: ``connect``)."""
    query = (
        select(feed)
        .where(feed.c.tenant_id == tenant_id, feed.c.position > after)
        .order_by(feed.c.position)
        .limit(PAGE)
    )
    with context.engine.connect() as conn:
        return list(conn.execute(query))


def _still_valid(context: Context) -> bool:
    """Whether the socket's token still opens (not revoked, not expired)."""
    try:
        context.platform.authenticator.principal(_authorization(context))
    except Unauthenticated:
        return False
    return True


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="The tenant's events as they are recorded, oldest first: those after "
        "log position `after` (default: from now on), each masked as the `events` list "
        "masks it. Over a websocket (graphql-transport-ws), the token in `connection_init`."
    )
    async def tenant_events(
        self, info: Ctx, tenant: strawberry.ID, after: int | None = None
    ) -> AsyncGenerator[Event, None]:
        context, tenant_id = info.context, str(tenant)
        if not await asyncio.to_thread(context.readable, tenant_id):
            raise _refuse(f"no tenant {tenant_id}", "NOT_FOUND")
        head = await asyncio.to_thread(queries.head_position, context.engine, tenant_id)
        if after is not None and not 0 <= after <= head:
            raise _refuse("after must lie between 0 and the tenant's head position",
                          "BAD_USER_INPUT")  # fmt: skip
        position = head if after is None else after
        if not SLOTS.take():
            raise _refuse(f"this server already serves {SLOTS.limit} subscriptions: try "
                          "again later", "TOO_MANY_SUBSCRIPTIONS")  # fmt: skip
        interval = _number(POLL_SETTING, 0.5)
        try:
            while True:
                if not await asyncio.to_thread(_still_valid, context):
                    raise _refuse("the token has expired or was revoked", "UNAUTHENTICATED")
                rows = await asyncio.to_thread(_page, context, tenant_id, position)
                for row in rows:
                    context.renew()
                    position = int(row.position)
                    yield Event(row=row)
                if len(rows) < PAGE:
                    await asyncio.sleep(interval)
        finally:
            SLOTS.give_back()
