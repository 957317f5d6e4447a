"""Calendar feed tokens: opaque, random, shown once, stored as a digest.

A token reads ``<tenant id>.<feed id>.<secret>``: the tenant names the log, the
feed id the record in it, and only the SHA-256 digest of the secret was
recorded. None of the three parts can contain a dot, so the token splits back
unambiguously.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import NamedTuple
from uuid import UUID, uuid4

_TOKEN = re.compile(r"^([a-z0-9][a-z0-9-]{1,62})\.([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$")


class FeedToken(NamedTuple):
    """A presented token, split: whose feed, which one, and its secret's digest."""

    tenant_id: str
    feed_id: UUID
    digest: str


def digest(secret: str) -> str:
    """The recorded form of a feed's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_feed_token(tenant_id: str) -> tuple[UUID, str, str]:
    """A fresh feed: its id, the full token (shown once), its secret's digest."""
    feed_id, secret = uuid4(), secrets.token_urlsafe(32)
    return feed_id, f"{tenant_id}.{feed_id.hex}.{secret}", digest(secret)


def parse_feed_token(token: str) -> FeedToken | None:
    """Split a presented token; None when it is not one."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    return FeedToken(match[1], UUID(match[2]), digest(match[3]))
