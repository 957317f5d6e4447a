"""The FastAPI application factory."""

from __future__ import annotations

import gc
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from api import assets, health, metrics, problems, rate_limits
from api.graphql import answers
from api.graphql.errors import ProblemGraphQLRouter, concurrency, time_limit
from api.graphql.loaders import Context
from api.graphql.schema import schema
from api.platform import Platform
from api.request_log import RequestLog
from api.rest import web_console
from api.rest.calendars import calendar_router
from api.rest.documents import document_router
from api.rest.evidence_files import RAW_UPLOAD, evidence_router
from api.rest.exports import export_router
from api.rest.public_page import public_page_router
from api.rest.routes import command_router
from tenants.store import keys

MAX_BODY_BYTES = 256 * 1024


class PublishedKey(BaseModel):
    kid: str
    alg: str
    public_key: str


class PublishedKeys(BaseModel):
    keys: list[PublishedKey]


class BodyLimit:
    """Refuse request bodies over the limit with 413 before anything is parsed; a file
    upload's route (``own_limit``) reads its body against a limit of its own."""

    def __init__(
        self, app: ASGIApp, limit: int = MAX_BODY_BYTES, own_limit: str = RAW_UPLOAD
    ) -> None:
        self.app, self.limit, self.own_limit = app, limit, re.compile(own_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        exempt = scope["type"] == "http" and scope["method"] == "POST"
        if scope["type"] != "http" or (exempt and self.own_limit.match(scope["path"])):
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and int(length) > self.limit:
            await _too_large(scope, receive, send, self.limit)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise problems.ApiProblem(
                    413, "payload-too-large", f"request bodies are limited to {self.limit} bytes"
                )
            return message

        await self.app(scope, limited, send)


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = problems.problem(
        413,
        "payload-too-large",
        "Payload too large",
        f"request bodies are limited to {limit} bytes",
    )
    await response(scope, receive, send)


def create_app(platform: Platform | None = None, *, serving: bool | None = None) -> FastAPI:
    """Build the HTTP app around a platform (the configured database by default).
    ``serving``: this process only serves (default: when the app built its platform)."""
    owned = platform is None
    serving = owned if serving is None else serving

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.platform.start()
        if serving:
            # A serving process: what start-up built lives as long as the process, so
            # take it out of the cyclic collector's walks. Full collections over it
            # paused every request for 100 ms and more: the p99 of a 1 ms cached
            # answer was 140 ms at 10 clients, 30 ms frozen (500 → 775 answers/s).
            gc.collect()
            gc.freeze()
        yield
        if serving:
            metrics.process_stopped()
        if owned:
            app.state.platform.close()

    app = FastAPI(
        title="Gongjian 共建",
        summary="Joint meetings of streets and communities, recorded as events.",
        version="0.1.0",
        lifespan=lifespan,
        # Served by api/assets.py from vendored files: FastAPI's own pages load a CDN's.
        docs_url=None,
        redoc_url=None,
    )
    app.state.platform = platform or Platform.from_url()
    app.state.command_rate_limit = rate_limits.configured(rate_limits.COMMANDS_SETTING)
    app.state.graphql_rate_limit = rate_limits.configured(rate_limits.GRAPHQL_SETTING)
    problems.install(app)
    assets.install(app)
    app.add_middleware(BodyLimit)
    app.add_middleware(RequestLog)  # outermost: it logs refused bodies too
    health.install(app)
    metrics.install(app)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, Any]:
        """Liveness and database reachability; "degraded" while projection is parked
        for some tenants (each at an event it could not apply; the others go on)."""
        parked = app.state.platform.projector.parked()
        if parked:
            return {"status": "degraded", "parked_tenants": len(parked)}
        return {"status": "ok", "parked_tenants": 0}

    # Read once: a missing or malformed key file stops the server at start-up.
    app.state.public_keys = keys.published(keys.trusted(keys.configured()))

    @app.get(
        "/.well-known/gongjian-keys",
        tags=["verification"],
        response_model=PublishedKeys,
    )
    def published_keys() -> dict[str, Any]:
        """The Ed25519 public keys that sign checkpoints (no token needed): `kid` is
        the first 16 hex digits of SHA-256 over the raw key, `public_key` the raw
        32-byte key in base64. See docs/verification.md."""
        result: dict[str, Any] = app.state.public_keys
        return result

    async def context(request: HTTPConnection) -> Context:
        # Who asks is settled by the router, on the same thread and connection as the
        # rest of the request's bookkeeping (api/graphql/errors.py), or for a websocket
        # in its connection_init; the GraphiQL page is a static asset and needs no token.
        page_only = request.scope["type"] == "websocket" or (
            request.scope["method"] == "GET" and "query" not in request.query_params
        )
        authorization = None if page_only else request.headers.get("authorization", "")
        return Context(request.app.state.platform, authorization=authorization)

    graphql = ProblemGraphQLRouter(
        schema,
        # Its own path, not a prefix: the request log names routes by their path.
        path="/graphql",
        context_getter=context,
        graphql_ide="graphiql",
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        max_subscriptions_per_connection=10,
    )
    graphql.answers = answers.configured()
    graphql.time_limit = time_limit()
    graphql.concurrency = concurrency()
    app.include_router(graphql, tags=["graphql"])
    # The command routes join the app's own route list rather than an included
    # router: FastAPI matches an included router's routes twice per request (once to
    # pick the router, once inside it), a quarter of a command's HTTP time.
    app.router.routes.extend(command_router().routes)
    app.include_router(export_router())
    app.include_router(evidence_router())
    app.include_router(public_page_router())
    app.include_router(calendar_router())
    app.include_router(document_router())
    web_console.install(app)
    _declare_problem_media_type(app)
    return app


def _declare_problem_media_type(app: FastAPI) -> None:
    """Publish error answers as application/problem+json, as the server sends them."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for operation in (op for ops in schema["paths"].values() for op in ops.values()):
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if status[0] in "45" and "application/json" in content:
                        content["application/problem+json"] = content.pop("application/json")
            _describe_graphql(schema["paths"]["/graphql"])
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _describe_graphql(path: dict[str, Any]) -> None:
    """Declare what /graphql really answers: the GraphiQL page as HTML, results as
    JSON, a refused document as JSON with coded errors, anything else as a problem."""
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    result = {"application/json": {"schema": {"type": "object"}}}
    path["get"]["responses"] = {
        "200": {"description": "the GraphiQL page (text/html), or a query's result",
                "content": {"text/html": {"schema": {"type": "string"}}, **result}},
        "400": {"description": "a refused document", "content": {**result, **problem}},
        "401": {"description": "no or invalid bearer token", "content": problem},
    }  # fmt: skip
    request = {"type": "object", "required": ["query"], "properties": {
        "query": {"type": "string"}, "operationName": {"type": ["string", "null"]},
        "variables": {"type": ["object", "null"]}}}  # fmt: skip
    path["post"]["requestBody"] = {
        "required": True,
        "content": {"application/json": {"schema": request}},
    }
    path["post"]["responses"] = {
        "200": {"description": "the result", "content": result},
        "400": {"description": "a refused document (JSON with coded errors), or a body "
                               "that is not a GraphQL request (problem)",
                "content": {**result, **problem}},
        "401": {"description": "no or invalid bearer token", "content": problem},
        "413": {"description": "request body too large", "content": problem},
        "500": {"description": "a field failed while resolving", "content": result},
    }  # fmt: skip
