"""Calendar feeds: secret URLs that publish a tenant's (or one unit's) meetings as
iCalendar.

A feed's secret is never recorded; its SHA-256 digest is. Issuing and revoking
are events in the tenant's own log, so the tenant's audit shows who opened a
feed and who closed it.
"""

from __future__ import annotations

import hmac
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue
from domain.stamp import Stamp


class CalendarFeed(Aggregate):
    """A feed's grant: the tenant's meetings, or one unit's; revocable."""

    TOPIC = "gongjian.CalendarFeed"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.CalendarFeed.Created"

    @event("Issued", topic="gongjian.CalendarFeed.Issued")
    def __init__(self, id: UUID, stamp: Stamp, digest: str, unit_id: str | None) -> None:
        self.tenant_id = stamp.tenant_id
        self.digest = digest
        self.unit_id = unit_id
        self.revoked = False

    @classmethod
    def issue(
        cls, stamp: Stamp, *, feed_id: UUID, digest: str, unit_id: str | None
    ) -> CalendarFeed:
        """Issue a feed of the tenant's meetings, or of ``unit_id``'s when given."""
        if len(digest) != 64:
            raise InvalidValue("a calendar feed records the SHA-256 digest of its secret")
        return cls(id=feed_id, stamp=stamp, digest=digest, unit_id=unit_id)

    def opens(self, digest: str) -> bool:
        """Tell whether a presented secret's digest opens this feed now."""
        return not self.revoked and hmac.compare_digest(self.digest, digest)

    def revoke(self, stamp: Stamp) -> None:
        """Revoke the feed with a reason; revoking twice changes nothing."""
        stamp.require_reason("revoking a calendar feed")
        if not self.revoked:
            self._revoked(stamp)

    @event("Revoked", topic="gongjian.CalendarFeed.Revoked")
    def _revoked(self, stamp: Stamp) -> None:
        self.revoked = True
