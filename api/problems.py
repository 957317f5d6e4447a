"""RFC 9457 problem details: one table maps every error to a status and stable type."""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.persistence import IntegrityError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from domain import errors
from tenants.ledger import VersionConflict
from tenants.pipeline.errors import Forbidden, IdempotencyKeyReused, Unauthenticated

PROBLEM_BASE = "urn:gongjian:problem:"
logger = logging.getLogger(__name__)


class ApiProblem(Exception):
    """An error raised by the HTTP layer itself (auth, idempotency, size)."""

    def __init__(
        self, status: int, code: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.headers = headers or {}


class Problem(BaseModel):
    """RFC 9457 problem details, as every error is answered."""

    type: str = Field(description="urn:gongjian:problem:<code>; stable per error")
    title: str
    status: int
    detail: str
    code: str = Field(description="the stable machine-readable code, e.g. quorum-not-met")


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": meaning}
    for status, meaning in [
        (400, "the body is not JSON (malformed-body)"),
        (401, "no or invalid bearer token"),
        (403, "the role may not issue commands"),
        (404, "unknown id in this tenant (another tenant's ids are unknown here)"),
        (409, "a business rule refused the command, or expected_version conflicts"),
        (413, "request body too large"),
        (429, "too many requests from this principal (only if configured); see Retry-After"),
        (422, "the body does not match the command, or a required reason is missing"),
    ]
}


# Errors the HTTP layer raises before a command exists; 400 is a body that is not JSON.
HTTP_ERROR_CODES = {400: "malformed-body", 404: "not-found", 405: "method-not-allowed"}

# Most specific first: the first matching class decides the status.
STATUS_BY_ERROR: list[tuple[type[errors.DomainError], int]] = [
    (Unauthenticated, 401),
    (Forbidden, 403),
    (IdempotencyKeyReused, 422),
    (errors.NotFound, 404),
    (VersionConflict, 409),
    (errors.EvidenceFileTooLarge, 413),
    (errors.UnsupportedFileType, 415),
    (errors.EvidenceFileDamaged, 500),
    (errors.InvalidValue, 422),
    (errors.ReasonRequired, 422),
    (errors.RuleViolation, 409),
    (errors.FiguresUnavailable, 503),
    (errors.CjkFontUnavailable, 503),
    (errors.DomainError, 400),
]


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    """Build a problem-details response."""
    body = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def status_of(error: errors.DomainError) -> int:
    """The HTTP status for a domain error."""
    return next(status for cls, status in STATUS_BY_ERROR if isinstance(error, cls))


def install(app: FastAPI) -> None:
    """Register the exception handlers on the app."""

    @app.exception_handler(errors.DomainError)
    async def domain_error(_: Request, error: errors.DomainError) -> JSONResponse:
        return problem(
            status_of(error), error.code, type(error).__name__, error.message, **error.details
        )

    @app.exception_handler(IntegrityError)
    async def integrity(_: Request, error: IntegrityError) -> JSONResponse:
        # Two commands raced on one record: the loser must re-read and retry.
        return problem(
            409,
            VersionConflict.code,
            "VersionConflict",
            "the record was changed by another command; reload and retry",
        )

    @app.exception_handler(ApiProblem)
    async def api_problem(_: Request, error: ApiProblem) -> JSONResponse:
        answer = problem(error.status, error.code, error.code, error.detail)
        answer.headers.update(error.headers)
        return answer

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
            for e in error.errors()
        ]
        return problem(
            422,
            "validation-error",
            "Invalid request",
            "the request does not match the command's schema",
            errors=details,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = HTTP_ERROR_CODES.get(error.status_code, "http-error")
        answer = problem(error.status_code, code, code, str(error.detail))
        answer.headers.update(error.headers or {})
        if error.status_code == 405:
            # RFC 9110: list every method the path allows, across all its routes.
            answer.headers["Allow"] = ", ".join(_allowed_methods(request))
        return answer


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.router.routes:
        # PARTIAL: the path matches, the method does not.
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return sorted(methods)
