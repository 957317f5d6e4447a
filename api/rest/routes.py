"""REST routes, one per declared command: each builds the message and hands it on.

Nothing here knows what a command does or who may send it: the route takes the
path ids and the JSON body, builds the command's message, and passes it to the
pipeline with the caller's principal and Idempotency-Key.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from api import metrics, request_log
from api.problems import PROBLEM_RESPONSES
from tenants.messages import COMMANDS, Message
from tenants.pipeline.identity import Principal

TENANT_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"


def current_principal(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Principal:
    """Authenticate the request's bearer token (and spend its rate limit, if any)."""
    principal: Principal = request.app.state.platform.authenticator.principal(authorization)
    request_log.note_principal(principal)
    limit = request.app.state.command_rate_limit
    if limit is not None:
        limit.take(principal)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


@dataclass(frozen=True)
class Caller:
    """A command's caller as the edge knows them before the command runs: the
    principal, and how to confirm it in the command's own thread (None: confirmed)."""

    principal: Principal
    confirm: Callable[[], Principal] | None = None


async def command_caller(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Caller:
    """The caller of a command, without leaving the event loop when the token was
    checked before: its principal as remembered, confirmed by the pipeline against
    the platform log's head (a revoked token is refused there, before anything runs).
    A token not remembered is checked here, in a worker thread, as any route's is."""
    authenticator = request.app.state.platform.authenticator
    remembered = authenticator.remembered(authorization)
    if remembered is None:
        principal = await run_in_threadpool(current_principal, request, authorization)
        return Caller(principal)
    principal, checked_at = remembered
    request_log.note_principal(principal)
    limit = request.app.state.command_rate_limit
    if limit is not None:
        limit.take(principal)
    if checked_at is None:
        return Caller(principal)  # a development token: nothing to confirm
    return Caller(principal, functools.partial(authenticator.principal, authorization))


IdempotencyKey = Annotated[
    str | None,
    Header(
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="retrying with the same key returns the first answer and appends nothing",
    ),
]


def body_model(cls: type[Message]) -> type[BaseModel]:
    """The JSON body of a command: its message's fields less those in the path."""
    in_path = set(cls.route.path_fields())
    fields: dict[str, Any] = {
        name: (info.annotation, info)
        for name, info in cls.model_fields.items()
        if name not in in_path
    }
    model: type[BaseModel] = create_model(
        cls.__name__,
        __config__=ConfigDict(extra="forbid", frozen=True),
        __doc__=cls.__doc__,
        **fields,
    )
    return model


def _endpoint(cls: type[Message]) -> Any:
    """A route function whose signature FastAPI reads: path ids, body, caller, key."""
    body_type = body_model(cls)
    path_ids = cls.route.path_fields()

    def endpoint(request: Request, caller: Caller, idempotency_key: str | None, **kw: Any) -> Any:
        body: BaseModel = kw.pop("body")
        tenant_id: str | None = kw.pop("tenant_id", None)
        try:
            message = cls.model_validate({**dict(body), **kw})
        except ValidationError as error:
            raise RequestValidationError(error.errors()) from None
        pipeline = request.app.state.platform.pipeline
        with metrics.timed_command(cls.command_name, cls.route.status):
            return pipeline.handle(
                caller.principal, message, tenant_id, idempotency_key, confirm=caller.confirm
            )

    keyword = inspect.Parameter.KEYWORD_ONLY
    params = [
        inspect.Parameter("request", keyword, annotation=Request),
        inspect.Parameter("caller", keyword, annotation=Annotated[Caller, Depends(command_caller)]),
    ]
    if not cls.route.platform:
        tenant: Any = Annotated[str, Path(pattern=TENANT_PATTERN)]
        params.append(inspect.Parameter("tenant_id", keyword, annotation=tenant))
    for name in path_ids:
        in_path: Any = Annotated[cls.model_fields[name].annotation, Path()]
        params.append(inspect.Parameter(name, keyword, annotation=in_path))
    body: Any = Annotated[body_type, Body()]
    params.append(inspect.Parameter("body", keyword, annotation=body))
    key = inspect.Parameter("idempotency_key", keyword, annotation=IdempotencyKey, default=None)
    params.append(key)
    endpoint.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    endpoint.__name__ = cls.command_name
    endpoint.__doc__ = cls.__doc__
    return endpoint


@cache
def command_router() -> APIRouter:
    """Every declared command with a JSON body as a POST route. Built once per process
    (about a second of FastAPI and pydantic work) and shared by every app made in it:
    it holds no app's state, since each route finds its platform on the request."""
    router = APIRouter()
    for cls in COMMANDS.values():
        route = cls.route
        if route.raw_body:
            continue  # a file upload: its route reads the bytes (api/rest/evidence_files.py)
        prefix = "" if route.platform else "/tenants/{tenant_id}"
        router.add_api_route(
            prefix + route.path,
            _endpoint(cls),
            methods=["POST"],
            status_code=route.status,
            response_model=route.answer,
            responses=PROBLEM_RESPONSES,
            tags=[route.tag],
            operation_id=cls.command_name,
            summary=(cls.__doc__ or cls.command_name).splitlines()[0],
        )
    return router
