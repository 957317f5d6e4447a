"""One log line per HTTP request, and a request id on every line logged while it runs.

The request id is the caller's ``X-Request-ID`` when it is a plain token (letters,
digits and ``._:-``, at most 128), else a new one; the response carries it back. The
line names the route's path template, never the path itself (a path can hold a
calendar's secret or a file's name, a query string a search for a person), the
principal by user id and role (never a name) and the tenant; request and response
bodies are never logged.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.structured_logs import RequestContext
from api.structured_logs import serving as _current
from tenants.pipeline.identity import Principal

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
logger = logging.getLogger("gongjian.requests")


def current() -> RequestContext | None:
    """The request being served in this context, if any."""
    return _current.get()


def note_principal(principal: Principal | None) -> None:
    """Record who the current request authenticated as (user id and role)."""
    context = _current.get()
    if context is None or principal is None:
        return
    context.user, context.role = principal.user_id, principal.role.value
    if context.tenant is None:
        context.tenant = principal.tenant_id


def request_id(scope: Scope) -> str:
    """The caller's request id if it is acceptable, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            sent: str = value.decode("latin-1")
            if _ACCEPTED.match(sent):
                return sent
            break
    return uuid.uuid4().hex


class RequestLog:
    """ASGI middleware: the request id in, out and on every line; one line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context = RequestContext(request_id(scope))
        token = _current.set(context)
        start = time.perf_counter()
        status = 500  # unless a response starts: an error no handler answered

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append(HEADER, context.request_id)
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            _log(scope, context, status, time.perf_counter() - start)
            _current.reset(token)


def _log(scope: Scope, context: RequestContext, status: int, seconds: float) -> None:
    route = getattr(scope.get("route"), "path", None)  # None: no route matched
    tenant = (scope.get("path_params") or {}).get("tenant_id")
    if isinstance(tenant, str) and route is not None:
        context.tenant = tenant
    milliseconds = round(seconds * 1000, 3)
    logger.info(
        "%s %s %s %.1f ms",
        scope["method"],
        route or "(no route)",
        status,
        milliseconds,
        extra={
            "request_id": context.request_id,
            "user": context.user,
            "role": context.role,
            "tenant": context.tenant,
            "method": scope["method"],
            "route": route,
            "status": status,
            "duration_ms": milliseconds,
        },
    )
