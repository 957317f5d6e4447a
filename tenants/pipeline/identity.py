"""Principals and their bearer tokens: opaque, random, shown once, stored as a digest.

A token reads ``gj_<token id>_<secret>``. The id finds the token's record in the
platform log; only the SHA-256 digest of the secret was recorded, so neither the
log nor a database dump can be replayed as a credential.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.access import AccessToken, Role
from domain.errors import NotFound
from domain.stamp import Actor
from tenants.messages.base import PLATFORM_LOG
from tenants.pipeline.errors import Unauthenticated
from tenants.registry import Ledgers

__all__ = ["SYSTEM", "Authenticator", "Principal", "Role", "digest", "new_token"]

_TOKEN = re.compile(r"^gj_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$")
_DEV_PART = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a user acting in one role, scoped to a tenant."""

    user_id: str
    role: Role
    tenant_id: str | None = None  # None only for the platform admin
    unit_id: str | None = None  # a unit liaison's unit
    member_id: UUID | None = None  # a party member's own member record
    token_id: UUID | None = None

    @property
    def actor(self) -> Actor:
        """Who the events record as having acted."""
        return Actor(self.user_id, self.role.value, self.unit_id)

    @property
    def binding(self) -> str | None:
        """The one record a bound role acts for: its unit, its member record, itself."""
        if self.role is Role.UNIT_LIAISON:
            return self.unit_id or ""
        if self.role is Role.PARTY_MEMBER:
            return str(self.member_id) if self.member_id else ""
        if self.role is Role.RESIDENT:
            return self.user_id
        return None


SYSTEM = Principal("system", Role.PLATFORM_ADMIN)  # the operator's command line


def digest(secret: str) -> str:
    """The recorded form of a token's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token() -> tuple[UUID, str, str]:
    """A fresh token: its id, the full bearer string (shown once), its digest."""
    token_id, secret = uuid4(), secrets.token_urlsafe(32)
    return token_id, f"gj_{token_id.hex}_{secret}", digest(secret)


KEPT_TOKENS = 10_000  # tokens kept per process between changes of the platform log


class Authenticator:
    """Turn a bearer string into a principal, or refuse."""

    def __init__(self, ledgers: Ledgers, allow_dev_tokens: bool = False) -> None:
        self.ledgers = ledgers
        self.allow_dev_tokens = allow_dev_tokens
        # Tokens as of the platform log's head: every issue or revocation appends
        # there, so while the head stands still a token read before is still true.
        self._tokens: dict[UUID, AccessToken | None] = {}
        self._tokens_at = -1
        self._lock = threading.Lock()

    def principal(
        self, authorization: str | None, platform_head: Callable[[], int] | None = None
    ) -> Principal:
        """Authenticate an ``Authorization`` header value. ``platform_head`` reads the
        platform log's head (by default on a connection of its own)."""
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthenticated("send 'Authorization: Bearer <token>'")
        bearer = authorization.removeprefix("Bearer ").strip()
        if bearer.startswith("dev:") and self.allow_dev_tokens:
            return _dev_principal(bearer)
        match = _TOKEN.match(bearer)
        if match is None:
            raise Unauthenticated("the token is not valid")
        token = self._token(UUID(match[1]), platform_head)
        if token is None or not token.matches(digest(match[2]), datetime.now(UTC)):
            raise Unauthenticated("the token is not valid, has expired or was revoked")
        return _principal(token)

    def remembered(self, authorization: str | None) -> tuple[Principal, int | None] | None:
        """The principal this header named when it was last checked, and the platform
        log's head it was checked at (None: a development token, not checked there);
        None when it is not remembered. Valid only while that head stands still."""
        if not authorization or not authorization.startswith("Bearer "):
            return None
        bearer = authorization.removeprefix("Bearer ").strip()
        if bearer.startswith("dev:") and self.allow_dev_tokens:
            return _dev_principal(bearer), None
        match = _TOKEN.match(bearer)
        if match is None:
            return None
        with self._lock:
            token, head = self._tokens.get(UUID(match[1])), self._tokens_at
        if token is None or not token.matches(digest(match[2]), datetime.now(UTC)):
            return None
        return _principal(token), head

    def _token(
        self, token_id: UUID, platform_head: Callable[[], int] | None = None
    ) -> AccessToken | None:
        ledger = self.ledgers[PLATFORM_LOG]
        # The platform log's head, read once: it validates the remembered tokens, and
        # a token read from the ledger's records is read as of it.
        with ledger.current(platform_head() if platform_head is not None else None) as head:
            with self._lock:
                if head != self._tokens_at or len(self._tokens) >= KEPT_TOKENS:
                    self._tokens, self._tokens_at = {}, head
                if token_id in self._tokens:
                    return self._tokens[token_id]
            try:
                token: AccessToken | None = ledger.load(AccessToken, token_id)
            except NotFound:
                token = None
        with self._lock:
            # Read at ``head`` or later: a later change has moved the head, so the
            # next request reads the token afresh.
            if self._tokens_at == head:
                self._tokens[token_id] = token
        return token


def _principal(token: AccessToken) -> Principal:
    return Principal(
        token.user_id,
        Role(token.role),
        token.tenant_id,
        token.unit_id,
        UUID(token.member_id) if token.member_id else None,
        token.id,
    )


def _dev_principal(bearer: str) -> Principal:
    # dev:<user>:<role>:<tenant>[:<unit or member>] — development only.
    parts = bearer.split(":")
    if len(parts) not in (4, 5) or not all(_DEV_PART.match(p) for p in parts):
        raise Unauthenticated("a development token reads dev:<user>:<role>:<tenant>[:<unit>]")
    try:
        role = Role(parts[2])
    except ValueError:
        raise Unauthenticated(f"unknown role {parts[2]}") from None
    tenant = None if parts[3] == "-" else parts[3]
    extra = parts[4] if len(parts) == 5 else None
    member = UUID(extra) if role is Role.PARTY_MEMBER and extra else None
    unit = extra if role is Role.UNIT_LIAISON else None
    return Principal(parts[1], role, tenant, unit, member)
