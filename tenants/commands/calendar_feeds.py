"""Issuing and revoking calendar feeds in the tenant's own log."""

from __future__ import annotations

from uuid import UUID

from domain.calendar_feeds import CalendarFeed
from domain.errors import NotFound
from domain.stamp import Stamp
from domain.units import MemberUnit
from tenants.ledger import CommandResult, LedgerBase
from tenants.store.recorder import IdempotentCommand


class CalendarFeedCommands(LedgerBase):
    """Calendar feeds are records of the tenant they publish."""

    def issue_calendar_feed(
        self,
        stamp: Stamp,
        feed_id: UUID,
        digest: str,
        unit_id: str | None,
        idem: IdempotentCommand | None = None,
    ) -> CommandResult:
        """Record a new feed (its secret's digest, never the secret)."""
        if unit_id is not None:
            self.load(MemberUnit, _unit_uuid(unit_id))
        feed = CalendarFeed.issue(stamp, feed_id=feed_id, digest=digest, unit_id=unit_id)
        return self.commit(feed, idempotent=idem, extra={"feed_id": str(feed_id)})

    def revoke_calendar_feed(
        self, stamp: Stamp, feed_id: UUID, idem: IdempotentCommand | None = None
    ) -> CommandResult:
        """Revoke a feed: its URL answers 404 from now on."""
        feed = self.load(CalendarFeed, feed_id)
        feed.revoke(stamp)
        return self.commit(feed, idempotent=idem)


def _unit_uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise NotFound(f"no member unit {value}") from None
