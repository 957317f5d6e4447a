"""Malformed GraphQL gets a 400 with a machine-readable code, not a 200."""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any

from cross_web import HTTPException
from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from api import assets, metrics, request_log
from api.graphql import answers, subscriptions
from api.graphql.answers import Answer, AnswerCache, Fingerprint
from api.graphql.loaders import Context
from api.graphql.snapshot import Held
from api.problems import ApiProblem, status_of
from domain.errors import DomainError
from domain.tenants import TenantKind
from tenants.pipeline.identity import Principal
from tenants.store import row_security

CLIENT_ERROR_CODES = {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"}
TIME_LIMIT_SETTING = "GONGJIAN_GRAPHQL_TIME_LIMIT"
DEFAULT_TIME_LIMIT = 10.0  # seconds; above the 5 s that waits for positions may take
CACHE_HEADER = "X-Gongjian-Answer"  # hit: from the answer cache; miss: just computed
WAITS = b"waitForPosition"
# A webhook's delivery log changes without any tenant's log or projection moving, so
# the answer cache's state cannot tell when an answer holding it is stale.
UNCACHED = (WAITS, b"deliveries")
CONCURRENCY_SETTING = "GONGJIAN_GRAPHQL_CONCURRENCY"
DEFAULT_CONCURRENCY = 8  # well under the pool's 20 connections


def concurrency() -> int:
    """How many GraphQL requests run at once per process (``GONGJIAN_GRAPHQL_CONCURRENCY``)."""
    raw = os.environ.get(CONCURRENCY_SETTING, str(DEFAULT_CONCURRENCY)).strip()
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{CONCURRENCY_SETTING} must be a whole number of at least 1")
    return int(raw)


def time_limit() -> float:
    """The configured time limit of one query (``GONGJIAN_GRAPHQL_TIME_LIMIT`` seconds)."""
    raw = os.environ.get(TIME_LIMIT_SETTING, str(DEFAULT_TIME_LIMIT)).strip()
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"{TIME_LIMIT_SETTING} must be a number of seconds, not {raw!r}") from None
    if not seconds > 0:
        raise ValueError(f"{TIME_LIMIT_SETTING} must be positive")
    return seconds


def _who_and_state(context: Context, rate_limit: Any, cacheable: bool) -> Fingerprint | None:
    """Who asks and, if the answer may be cached, the state of the tenants they read:
    in one thread, on one connection, before the request's own snapshot begins (so
    an answer read in it is as new as the state or newer, never older). A token
    checked before costs the state's statement (two for a street's principal), which
    also reads the platform log's head that keeps the remembered token true."""
    # Bookkeeping reads of single statements: in autocommit, each is one round trip
    # (no BEGIN, no ROLLBACK when the connection goes back to the pool).
    with context.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        held = Held(conn)
        remembered = context.remembered() if cacheable else None
        if remembered is not None:
            principal, checked_at = remembered
            head, state = answers.state(held, principal, _has_communities(context, principal))
            if checked_at is None or checked_at == head:
                context.authorization, context.principal = None, principal
                if rate_limit is not None:
                    rate_limit.take(principal)
                return state
        context.authenticate(rate_limit, held)
        if not cacheable or context.principal is None:
            return None
        principal = context.principal
        return answers.state(held, principal, _has_communities(context, principal))[1]


def _has_communities(context: Context, principal: Principal) -> bool:
    """Whether the principal's tenant may have communities (a street's, or unknown):
    a community's principal reads its state in one statement."""
    if principal.tenant_id is None:
        return True
    place = context.platform.pipeline.directory.find(principal.tenant_id)
    return place is None or place.kind is TenantKind.STREET


def _replay(answer: Answer, how: str) -> Response:
    return Response(
        answer.body,
        status_code=answer.status,
        media_type=answer.media_type,
        headers={CACHE_HEADER: how},
    )


def _timed_out(limit: float) -> Response:
    error = {
        "message": f"this query ran longer than the limit of {limit:g} s: ask for smaller "
        "pages or fewer fields",
        "extensions": {"code": "QUERY_TIMED_OUT", "limit": limit},
    }
    body = json.dumps({"data": None, "errors": [error]}, ensure_ascii=False)
    return Response(body, status_code=400, media_type="application/json")


class ProblemGraphQLRouter(GraphQLRouter[Context, None]):
    """Adds an error ``code`` to every GraphQL error; a refused document answers 400;
    a request that is not GraphQL over HTTP at all answers a problem document."""

    answers: AnswerCache | None = None
    time_limit: float = DEFAULT_TIME_LIMIT
    graphql_transport_ws_handler_class = subscriptions.SubscriptionsOnly
    concurrency: int = DEFAULT_CONCURRENCY
    _running: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        context: Context | None = kwargs.get("context")
        request: Request = kwargs.get("request") or args[0]
        if context is None or request.scope["type"] == "websocket":
            # A websocket authenticates in its connection_init (``on_ws_connect``).
            return await self._run(args, kwargs)
        body = await request.body() if request.method == "POST" else b""
        if request.method == "GET" and "query" not in request.query_params:
            return await self._run(args, kwargs)  # the GraphiQL page: no operation
        start, status = time.perf_counter(), 500
        try:
            response = await self._answer(args, kwargs, context, request, body)
            status = response.status_code
            return response
        except ApiProblem as problem:
            status = problem.status
            raise
        except DomainError as error:  # an invalid token (401)
            status = status_of(error)
            raise
        finally:
            name = _operation_name(request, body)
            seconds = time.perf_counter() - start
            metrics.GRAPHQL.labels(name, str(status)).observe(seconds)

    async def _answer(
        self,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        context: Context,
        request: Request,
        body: bytes,
    ) -> Any:
        params = request.query_params
        if subscriptions.subscribes(body, params.get("query"), params.get("operationName")):
            raise ApiProblem(
                400,
                "graphql-request-invalid",
                "subscriptions run over a websocket at /graphql (graphql-transport-ws)",
            )
        if WAITS in body or WAITS.decode() in str(request.query_params):
            context.reads.read_committed()
        context.reads.time_limit = self.time_limit
        limit = request.app.state.graphql_rate_limit
        cacheable = self.answers is not None and bool(body)
        cacheable = cacheable and not any(word in body for word in UNCACHED)
        state = await asyncio.to_thread(_who_and_state, context, limit, cacheable)
        request_log.note_principal(context.principal)
        cache, principal, key = self.answers, context.principal, None
        if cache is not None and cacheable and principal is not None:
            key = cache.key(principal, body)
        if cache is not None and key is not None and state is not None:
            kept = cache.get(key, state)
            if kept is not None:
                return _replay(kept, "hit")
        # Every transaction of this request sees only the tenants its principal reads.
        scope = await asyncio.to_thread(context.reading_scope)
        async with self._slots():
            try:
                with row_security.reading_only(scope):
                    response = await self._limited(args, kwargs)
            finally:
                await asyncio.to_thread(context.reads.close)
        ok = response.status_code == 200
        if cache is not None and key is not None and state is not None and ok:
            cache.put(key, Answer(state, 200, bytes(response.body), "application/json"))
            response.headers[CACHE_HEADER] = "miss"
        return response

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        # The page's scripts and styles come from this app, never from a CDN.
        root_path = request.scope.get("root_path", "").rstrip("/")
        return HTMLResponse(assets.local_graphiql(self.graphql_ide_html, root_path))

    async def on_ws_connect(self, context: Context) -> None:
        await subscriptions.connect(context)

    def _slots(self) -> asyncio.Semaphore:
        """Requests running at once in this process (each holds a connection)."""
        loop = asyncio.get_running_loop()
        if self._running is None or self._running[0] is not loop:
            # One per event loop: a test client may run each request in a new loop.
            self._running = (loop, asyncio.Semaphore(self.concurrency))
        return self._running[1]

    async def _limited(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Run the query within the time limit."""
        try:
            async with asyncio.timeout(self.time_limit):
                return await self._run(args, kwargs)
        except TimeoutError:
            return _timed_out(self.time_limit)

    async def _run(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        try:
            return await super().run(*args, **kwargs)
        except HTTPException as error:
            raise ApiProblem(error.status_code, "graphql-request-invalid", error.reason) from None

    def parse_json(self, data: str | bytes) -> Any:
        parsed = super().parse_json(data)
        # A JSON body that is not an object (null, 42, "text") is not a GraphQL request.
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "the body must be a JSON object with a `query`")
        return parsed

    def encode_json(self, data: object) -> str:
        # Chinese text stays readable in raw responses and logs.
        return json.dumps(data, ensure_ascii=False)

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        if isinstance(response_data, dict) and response_data.get("data") is None:
            errors: list[Any] = list(response_data.get("errors") or [])
            codes = {(e.get("extensions") or {}).get("code") for e in errors}
            if codes:
                # A refused document is the client's fault; a failed execution is ours.
                sub_response.status_code = 500 if codes == {"INTERNAL"} else 400
        return super().create_response(response_data, sub_response)

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        data: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            data["errors"] = [
                _with_code(dict(error.formatted), result.data) for error in result.errors
            ]
        if result.extensions:
            data["extensions"] = result.extensions
        return data


def _operation_name(request: Request, body: bytes) -> str:
    """The operation's name as a metric label (bounded: api/metrics.py)."""
    requested: Any = request.query_params.get("operationName")
    if requested is None and b'"operationName"' in body:
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        requested = parsed.get("operationName") if isinstance(parsed, dict) else None
    query = body or request.query_params.get("query", "").encode()
    return metrics.operation_names.label(requested, query)


def _with_code(formatted: dict[str, Any], data: Any) -> dict[str, Any]:
    extensions = dict(formatted.get("extensions") or {})
    if "code" not in extensions:
        # An error without a path is about the document itself (syntax, validation,
        # limits); one with a path happened while resolving a field.
        extensions["code"] = "INTERNAL" if formatted.get("path") else "GRAPHQL_VALIDATION_FAILED"
    return {**formatted, "extensions": extensions}
