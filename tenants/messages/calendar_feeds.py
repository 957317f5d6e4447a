"""Commands on calendar feeds: issue (the secret URL is shown once) and revoke."""

from __future__ import annotations

import dataclasses
from uuid import UUID

from pydantic import Field

from tenants.ledger import CommandResult
from tenants.messages.base import CommandAccepted, Handling, Message, RecordCommand, Route
from tenants.messages.fields import Ref

TAG = "calendar feeds"


class CalendarFeedIssued(CommandAccepted):
    feed_id: str
    token: str | None = Field(
        None,
        description="the feed's secret token, shown once (null when an idempotent retry "
        "replays): the feed is GET /calendars/<token>.ics",
    )


class IssueCalendarFeed(Message):
    """Issue an iCalendar feed of this tenant's meetings, or of one unit's (its secret
    URL is shown once)."""

    route = Route("/calendar-feeds", TAG, 201, CalendarFeedIssued)
    unit_id: Ref | None = Field(
        None, description="publish only the meetings whose notice reached this unit"
    )

    def bound_value(self, role: str) -> str | None:
        return self.unit_id

    def handle(self, h: Handling) -> CommandResult:
        from tenants.calendar_feed_tokens import new_feed_token

        feed_id, token, digest = new_feed_token(h.tenant_id)
        result = h.ledger.issue_calendar_feed(h.stamp, feed_id, digest, self.unit_id, idem=h.idem)
        return dataclasses.replace(result, once={"token": token})


class RevokeCalendarFeed(RecordCommand):
    """Revoke a calendar feed, with a reason; its URL stops working at once."""

    route = Route("/calendar-feeds/{feed_id}/revocation", TAG)
    feed_id: UUID

    def target(self, tenant_id: str) -> UUID:
        return self.feed_id

    def handle(self, h: Handling) -> CommandResult:
        from domain.calendar_feeds import CalendarFeed

        # A liaison may revoke only its own unit's feed.
        h.require_bound(h.ledger.load(CalendarFeed, self.feed_id).unit_id or "")
        return h.ledger.revoke_calendar_feed(h.stamp, self.feed_id, idem=h.idem)
