"""Issuing and revoking access tokens in the platform's log."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.access import AccessToken
from domain.stamp import Stamp
from tenants.ledger import CommandResult, LedgerBase
from tenants.store.recorder import IdempotentCommand


class AccessCommands(LedgerBase):
    """Tokens are records of the platform's own log."""

    def issue_token(
        self,
        stamp: Stamp,
        token_id: UUID,
        digest: str,
        role: str,
        user_id: str,
        scope: tuple[str | None, str | None, str | None],
        expires_at: datetime | None,
        idem: IdempotentCommand | None = None,
    ) -> CommandResult:
        """Record a new token's grant (its secret's digest, never the secret)."""
        token = AccessToken.issue(
            stamp,
            token_id=token_id,
            digest=digest,
            role=role,
            user_id=user_id,
            scope=scope,
            expires_at=expires_at,
        )
        expires = expires_at.isoformat() if expires_at else None
        extra = {"token_id": str(token_id), "expires_at": expires}
        return self.commit(token, idempotent=idem, extra=extra)

    def revoke_token(
        self, stamp: Stamp, token_id: UUID, idem: IdempotentCommand | None = None
    ) -> CommandResult:
        """Revoke a token."""
        token = self.load(AccessToken, token_id)
        token.revoke(stamp)
        return self.commit(token, idempotent=idem)
