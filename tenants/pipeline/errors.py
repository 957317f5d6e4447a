"""Refusals of the pipeline itself: who is calling, and whether they may."""

from __future__ import annotations

from domain.errors import DomainError


class Unauthenticated(DomainError):
    """No valid bearer token: missing, unknown, expired or revoked."""

    code = "unauthenticated"


class Forbidden(DomainError):
    """The caller is known but its role may not do this here."""

    code = "forbidden"


class IdempotencyKeyReused(DomainError):
    """The Idempotency-Key was already used for a different request."""

    code = "idempotency-key-reused"
