"""Access tokens: who may call the platform, as which role, for which tenant and unit.

A token's secret is never recorded; its SHA-256 digest is. Issuing and revoking
are events in the platform's own log.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue
from domain.stamp import Stamp


class Role(StrEnum):
    """Every role a principal can hold."""

    PLATFORM_ADMIN = "platform_admin"
    STREET_ADMIN = "street_admin"
    COMMUNITY_SECRETARY = "community_secretary"
    UNIT_LIAISON = "unit_liaison"
    PARTY_MEMBER = "party_member"
    RESIDENT = "resident"
    AUDITOR = "auditor"
    INTEGRATOR = "integrator"
    # No token: given only to readers of a community's public page (api/rest/public_page.py).
    PUBLIC = "public"


class AccessToken(Aggregate):
    """A bearer token's grant: role, scope, expiry; revocable."""

    TOPIC = "gongjian.AccessToken"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.AccessToken.Created"

    @event("Issued", topic="gongjian.AccessToken.Issued")
    def __init__(
        self,
        id: UUID,
        stamp: Stamp,
        digest: str,
        role: str,
        user_id: str,
        tenant_id: str | None,
        unit_id: str | None,
        member_id: str | None,
        expires_at: datetime | None,
    ) -> None:
        self.digest = digest
        self.role = role
        self.user_id = user_id
        self.tenant_id = tenant_id
        self.unit_id = unit_id
        self.member_id = member_id
        self.expires_at = expires_at
        self.revoked = False

    @classmethod
    def issue(
        cls,
        stamp: Stamp,
        *,
        token_id: UUID,
        digest: str,
        role: str,
        user_id: str,
        scope: tuple[str | None, str | None, str | None],
        expires_at: datetime | None,
    ) -> AccessToken:
        """Issue a token for ``role`` scoped to (tenant, unit, member)."""
        if expires_at is not None and expires_at.tzinfo is None:
            raise InvalidValue("a token's expiry needs a time zone")
        tenant_id, unit_id, member_id = scope
        return cls(
            id=token_id,
            stamp=stamp,
            digest=digest,
            role=role,
            user_id=user_id,
            tenant_id=tenant_id,
            unit_id=unit_id,
            member_id=member_id,
            expires_at=expires_at,
        )

    def matches(self, digest: str, now: datetime) -> bool:
        """Tell whether a presented secret's digest opens this token now."""
        if self.revoked or (self.expires_at is not None and now >= self.expires_at):
            return False
        return hmac.compare_digest(self.digest, digest)

    def revoke(self, stamp: Stamp) -> None:
        """Revoke the token; revoking twice changes nothing."""
        if not self.revoked:
            self._revoked(stamp)

    @event("Revoked", topic="gongjian.AccessToken.Revoked")
    def _revoked(self, stamp: Stamp) -> None:
        self.revoked = True
