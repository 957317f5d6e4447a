"""Commands on access tokens: issue (the secret is shown once) and revoke."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from pydantic import Field

from domain.access import AccessToken, Role
from domain.errors import InvalidValue, NotFound
from domain.tenants import TenantKind
from domain.units import MemberUnit
from tenants.ledger import CommandResult
from tenants.messages.base import (
    PLATFORM_LOG,
    CommandAccepted,
    Handling,
    Message,
    RecordCommand,
    Route,
)
from tenants.messages.fields import Ref
from tenants.pipeline.errors import Forbidden

TAG = "access tokens"
# The kind of tenant a role's token must be scoped to (None: no tenant at all).
SCOPE_KIND: dict[str, TenantKind | None] = {
    "platform_admin": None,
    "street_admin": TenantKind.STREET,
    "community_secretary": TenantKind.COMMUNITY,
}


class TokenIssued(CommandAccepted):
    token_id: str
    token: str | None = Field(
        None, description="the bearer token, shown once (null when an idempotent retry replays)"
    )
    expires_at: str | None


class IssueToken(Message):
    """Issue a bearer token for a role in this tenant (its secret is shown once)."""

    route = Route("/tokens", TAG, 201, TokenIssued)
    role: Role
    user_id: Ref
    unit_id: Ref | None = Field(None, description="a unit liaison's unit")
    member_id: UUID | None = Field(None, description="a party member's record (new if absent)")
    expires_days: int | None = Field(90, ge=1, le=3650, strict=True)

    def log_tenant(self, tenant_id: str | None) -> str:
        return PLATFORM_LOG

    def handle(self, h: Handling) -> CommandResult:
        from tenants.pipeline.identity import new_token

        scope = self._scope(h)
        token_id, bearer, digest = new_token()
        expires = (
            datetime.now(UTC) + timedelta(days=self.expires_days) if self.expires_days else None
        )
        result = h.ledger.issue_token(
            h.stamp, token_id, digest, self.role.value, self.user_id, scope, expires, idem=h.idem
        )
        return dataclasses.replace(result, once={"token": bearer})

    def _scope(self, h: Handling) -> tuple[str | None, str | None, str | None]:
        from tenants.pipeline.policy import ISSUABLE

        role = self.role
        if role not in ISSUABLE.get(h.principal.role, frozenset()):
            raise Forbidden(f"a {h.principal.role.value} may not issue {role.value} tokens")
        tenant = h.authority
        kind = h.ledgers[tenant].tenant().kind if tenant else None
        if role.value in SCOPE_KIND and SCOPE_KIND[role.value] != kind:
            raise InvalidValue(f"a {role.value} token is scoped to a {SCOPE_KIND[role.value]}")
        if tenant is None and role is not Role.PLATFORM_ADMIN:
            raise InvalidValue(f"a {role.value} token needs a tenant")
        unit = self.unit_id if role is Role.UNIT_LIAISON else None
        if role is Role.UNIT_LIAISON:
            if unit is None or tenant is None:
                raise InvalidValue("a unit liaison's token names its unit")
            h.ledgers[tenant].load(MemberUnit, _uuid(unit))
        member = str(self.member_id or uuid4()) if role is Role.PARTY_MEMBER else None
        return tenant, unit, member


class RevokeToken(RecordCommand):
    """Revoke a token issued for this tenant; it stops working at once."""

    route = Route("/tokens/{token_id}/revocation", TAG)
    token_id: UUID

    def target(self, tenant_id: str) -> UUID:
        return self.token_id

    def log_tenant(self, tenant_id: str | None) -> str:
        return PLATFORM_LOG

    def handle(self, h: Handling) -> CommandResult:
        from tenants.pipeline.policy import ISSUABLE

        token = h.ledger.load(AccessToken, self.token_id)
        if token.tenant_id != h.authority:
            raise NotFound(f"no token {self.token_id} in tenant {h.authority}")
        if token.role not in ISSUABLE.get(h.principal.role, frozenset()):
            raise Forbidden(f"a {h.principal.role.value} may not revoke {token.role} tokens")
        return h.ledger.revoke_token(h.stamp, self.token_id, idem=h.idem)


def _uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise NotFound(f"no member unit {value}") from None
