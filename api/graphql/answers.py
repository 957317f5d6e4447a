"""Answers to repeated GraphQL requests, kept while what they read is unchanged.

Integrators poll: the same document, again and again, while most tenants' logs
have not moved. The read models change only when the projector commits, and it
commits each tenant's rows together with its tracking position; so an answer is
fully determined by

- the request body (document, variables, operation),
- who asks (personal data is masked per principal),
- the calendar day in each tenant's time zone (overdue and lapsed are judged against
  it): stood for by the current quarter hour in UTC, since every zone's midnight
  falls on a quarter hour, and
- the *state* of the tenants the principal may read: how many of them are tracked
  and the sum of their projected positions, the same of their log heads
  (``atPosition`` is checked against the head), their parked rows, how many
  signed checkpoints they have (checkpoints are only ever added), and how many of
  their persons are erased plus how many restricted (forgetting or restricting a
  person only adds to it, in the transaction that empties the tenant's read models
  to be replayed).

Positions only grow, so a sum is unchanged exactly when every position in it is.
The state is read before the request's snapshot
(``api.graphql.snapshot``) begins, so an answer kept under it was read in that
state or a later one: never older than the state says. It also reads the
platform log's head, which tells whether a token checked earlier still holds
(``Authenticator.remembered``). It names the tenants read by value, so that on
PostgreSQL it reads only their partitions: a street's principal, who reads its
communities too, first needs them found (a second statement). A repeated request
from a known token costs one round trip to the database (two for a street's) and no
execution. A request that waits for a position
is never answered from here.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, text

from projections.queries import Reader
from tenants.messages.base import PLATFORM_LOG
from tenants.pipeline.identity import Principal, Role

SIZE_SETTING = "GONGJIAN_GRAPHQL_CACHE_MB"
DEFAULT_SIZE_MB = 64
LARGEST_SHARE = 8  # no single answer may take more than 1/8 of the cache


def configured() -> AnswerCache | None:
    """The cache ``GONGJIAN_GRAPHQL_CACHE_MB`` asks for (64 MB by default; 0: none)."""
    raw = os.environ.get(SIZE_SETTING, str(DEFAULT_SIZE_MB)).strip()
    try:
        megabytes = float(raw)
    except ValueError:
        raise ValueError(f"{SIZE_SETTING} must be a number of megabytes, not {raw!r}") from None
    if megabytes < 0:
        raise ValueError(f"{SIZE_SETTING} must not be negative")
    return AnswerCache(int(megabytes * 1024 * 1024)) if megabytes else None


Fingerprint = tuple[Any, ...]


# One row per tenant with a log (every tracked or parked tenant has one): its head,
# and its projection's position and parking, summed over the tenants the principal
# reads.
_STATE = """
SELECT count(*), coalesce(sum(h.position), 0), count(t.position),
       coalesce(sum(t.position), 0), count(p.position), coalesce(sum(p.position), 0),
       max(p.parked_at),
       coalesce(sum((SELECT count(*) FROM es_checkpoints c
                     WHERE c.tenant_id = h.tenant_id {c})), 0),
       coalesce(sum((SELECT count(CASE WHEN k.key IS NULL THEN 1 END) + count(k.restricted_at)
                     FROM es_person_keys k WHERE k.tenant_id = h.tenant_id {k}
                     AND (k.key IS NULL OR k.restricted_at IS NOT NULL))), 0)
FROM es_tenant_heads h
LEFT JOIN es_tracking t ON t.tenant_id = h.tenant_id {t}
LEFT JOIN es_parked p ON p.tenant_id = h.tenant_id {p} AND p.projection = t.projection
"""
_EVERY_TENANT = text(_STATE.format(c="", k="", t="", p=""))
# A principal of a tenant reads it and, for a street, its communities now (as
# ``Context.reading_scope`` lists them). The tenants are named by value, so that on
# PostgreSQL the statement reads only their partitions (docs/deployment.md).
# Every table is given the list itself: the planner carries a value compared by
# equality across a join, but not a list.
_SOME_TENANTS = text(
    _STATE.format(**{alias: f"AND {alias}.tenant_id IN :tenants" for alias in "ctkp"})
    + "WHERE h.tenant_id IN :tenants"
).bindparams(bindparam("tenants", expanding=True))
# A tenant without communities: the platform log's head (named in a list too, so that
# the statement names every tenant whose partitions it reads) and the tenant's state,
# one round trip.
_HEAD_AND_STATE = text(
    _STATE.replace(
        "SELECT count(*)",
        "SELECT (SELECT position FROM es_tenant_heads WHERE tenant_id IN :platform), count(*)",
        1,
    ).format(**{alias: f"AND {alias}.tenant_id IN :tenants" for alias in "ctkp"})
    + "WHERE h.tenant_id IN :tenants"
).bindparams(bindparam("tenants", expanding=True), bindparam("platform", expanding=True))
# The platform log's head (every token issued or revoked moves it) and the communities
# of the principal's tenant (none unless it is a street): one round trip, before the
# state of the tenants read.
_HEAD_AND_COMMUNITIES = text(
    "SELECT tenant_id, position FROM es_tenant_heads WHERE tenant_id = :platform "
    "UNION ALL SELECT c.tenant_id, NULL FROM rm_tenants c "
    "WHERE c.parent_id = :tenant AND c.valid_to IS NULL"
)


def state(
    reads: Reader, principal: Principal, has_communities: bool = True
) -> tuple[int, Fingerprint]:
    """The platform log's head, and the state of the tenants ``principal`` reads as
    read models show it: one statement, or two for a street's principal (the first
    finds its communities; ``has_communities`` False: the tenant is a community)."""
    if principal.tenant_id is None and principal.role is not Role.PLATFORM_ADMIN:
        with reads.connect() as conn:
            head = conn.execute(_PLATFORM_HEAD, {"platform": PLATFORM_LOG}).scalar()
        return int(head or 0), (_quarter_hour(),)
    with reads.connect() as conn:
        if principal.tenant_id is None:
            head = conn.execute(_PLATFORM_HEAD, {"platform": PLATFORM_LOG}).scalar()
            row = conn.execute(_EVERY_TENANT).one()
        elif not has_communities:
            asked_one = {"platform": [PLATFORM_LOG], "tenants": [principal.tenant_id]}
            head, *values = conn.execute(_HEAD_AND_STATE, asked_one).one()
            return int(head or 0), (*(str(value) for value in values), _quarter_hour())
        else:
            asked = {"platform": PLATFORM_LOG, "tenant": principal.tenant_id}
            found = dict(conn.execute(_HEAD_AND_COMMUNITIES, asked).tuples().all())
            head = found.pop(PLATFORM_LOG, None)
            tenants = [principal.tenant_id, *sorted(found)]
            row = conn.execute(_SOME_TENANTS, {"tenants": tenants}).one()
    return int(head or 0), (*(str(value) for value in row), _quarter_hour())


def _quarter_hour() -> str:
    """The current quarter hour (UTC): a new one may be a new day in some zone."""
    now = datetime.now(UTC)
    return f"{now:%Y-%m-%dT%H}:{now.minute // 15 * 15:02d}"


_PLATFORM_HEAD = text("SELECT position FROM es_tenant_heads WHERE tenant_id = :platform")


@dataclass(frozen=True)
class Answer:
    """A kept answer: the state it was read in, and what was sent."""

    fingerprint: Fingerprint
    status: int
    body: bytes
    media_type: str


class AnswerCache:
    """Answers by (principal, request body), least recently used out first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._answers: OrderedDict[bytes, Answer] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    @staticmethod
    def key(principal: Principal, body: bytes) -> bytes:
        """What identifies a request: every field of the principal, and its body."""
        digest = hashlib.sha256(repr(principal).encode())
        digest.update(b"\0")
        digest.update(body)
        return digest.digest()

    def get(self, key: bytes, now: Fingerprint) -> Answer | None:
        """The kept answer for ``key`` if it was read in the state ``now``."""
        with self._lock:
            answer = self._answers.get(key)
            if answer is None or answer.fingerprint != now:
                return None
            self._answers.move_to_end(key)
            return answer

    def put(self, key: bytes, answer: Answer) -> None:
        """Keep ``answer``, replacing an older one for the same request."""
        if len(answer.body) * LARGEST_SHARE > self.capacity:
            return
        with self._lock:
            old = self._answers.pop(key, None)
            if old is not None:
                self._size -= len(old.body)
            self._answers[key] = answer
            self._size += len(answer.body)
            while self._size > self.capacity:
                _, dropped = self._answers.popitem(last=False)
                self._size -= len(dropped.body)
