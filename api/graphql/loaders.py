"""DataLoaders: a page of records costs a bounded number of SQL queries."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import Engine, Row
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from api.graphql import personal
from api.graphql.snapshot import Snapshot
from domain.charters import DEFAULT_TIME_ZONE, local_date
from projections import changes, queries, tables, tables_engagement
from projections.queries import Key, Reader
from tenants.messages.base import PLATFORM_LOG
from tenants.pipeline.identity import Principal, Role

T = TypeVar("T")

Rows = list[Row[Any]]


AtKey = tuple[str, str, int | None]  # tenant, record, position read at (None: now)


def _at_positions(
    fetch: Callable[[list[Key], dict[str, int]], list[Rows]], keys: list[AtKey]
) -> list[Rows]:
    """Answer keys read at different positions: one query per distinct position."""
    found: list[Rows] = [[] for _ in keys]
    groups: dict[int | None, list[int]] = {}
    for index, (_, _, position) in enumerate(keys):
        groups.setdefault(position, []).append(index)
    for position, indexes in groups.items():
        plain = [(keys[i][0], keys[i][1]) for i in indexes]
        at = {} if position is None else {tenant: position for tenant, _ in plain}
        for index, rows in zip(indexes, fetch(plain, at), strict=True):
            found[index] = rows
    return found


def _loader(engine: Reader, table: Any, column: str, order: Any = ()) -> DataLoader[AtKey, Rows]:
    def fetch(keys: list[Key], at: dict[str, int]) -> list[Rows]:
        return queries.grouped(engine, table, column, keys, order, at)

    async def load(keys: list[AtKey]) -> list[Rows]:
        return await asyncio.to_thread(_at_positions, fetch, keys)

    return DataLoader(load_fn=load)


def _history(engine: Reader) -> DataLoader[AtKey, Rows]:
    def fetch(keys: list[Key], at: dict[str, int]) -> list[Rows]:
        return queries.history(engine, keys, at)

    async def load(keys: list[AtKey]) -> list[Rows]:
        return await asyncio.to_thread(_at_positions, fetch, keys)

    return DataLoader(load_fn=load)


ChangeKey = tuple[str, int]  # tenant, log position of the event
Changes = list[changes.RecordChange]


def _changes(engine: Reader) -> DataLoader[ChangeKey, Changes]:
    def fetch(keys: list[ChangeKey]) -> list[Changes]:
        by_tenant: dict[str, set[int]] = {}
        for tenant_id, position in keys:
            by_tenant.setdefault(tenant_id, set()).add(position)
        found = {
            tenant_id: changes.at_positions(engine, tenant_id, wanted)
            for tenant_id, wanted in by_tenant.items()
        }
        return [found[tenant_id][position] for tenant_id, position in keys]

    async def load(keys: list[ChangeKey]) -> list[Changes]:
        return await asyncio.to_thread(fetch, keys)

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    """One set of loaders per request (they cache)."""

    engine: Reader
    units: DataLoader[AtKey, Rows] = field(init=False)
    meetings: DataLoader[AtKey, Rows] = field(init=False)
    agenda: DataLoader[AtKey, Rows] = field(init=False)
    attendance: DataLoader[AtKey, Rows] = field(init=False)
    opinions: DataLoader[AtKey, Rows] = field(init=False)
    positions: DataLoader[AtKey, Rows] = field(init=False)
    resolutions: DataLoader[AtKey, Rows] = field(init=False)
    reports: DataLoader[AtKey, Rows] = field(init=False)
    history: DataLoader[AtKey, Rows] = field(init=False)
    changes: DataLoader[ChangeKey, Changes] = field(init=False)
    members: DataLoader[AtKey, Rows] = field(init=False)
    milestones: DataLoader[AtKey, Rows] = field(init=False)
    ratings: DataLoader[AtKey, Rows] = field(init=False)
    claims_by_member: DataLoader[AtKey, Rows] = field(init=False)
    claims_by_post: DataLoader[AtKey, Rows] = field(init=False)
    service_logs: DataLoader[AtKey, Rows] = field(init=False)
    year_reviews: DataLoader[AtKey, Rows] = field(init=False)
    posts: DataLoader[AtKey, Rows] = field(init=False)
    revisions: DataLoader[AtKey, Rows] = field(init=False)
    scores: DataLoader[AtKey, Rows] = field(init=False)
    rectifications: DataLoader[AtKey, Rows] = field(init=False)
    tenants: DataLoader[AtKey, Rows] = field(init=False)
    minutes_receipts: DataLoader[AtKey, Rows] = field(init=False)

    def __post_init__(self) -> None:
        e, t = self.engine, tables
        self.tenants = _loader(e, t.tenants, "tenant_id")
        self.minutes_receipts = _loader(
            e, t.minutes_receipts, "meeting_id", [t.minutes_receipts.c.unit_id]
        )
        self.units = _loader(e, t.units, "unit_id")
        self.meetings = _loader(e, t.meetings, "meeting_id")
        self.agenda = _loader(e, t.agenda_items, "meeting_id", [t.agenda_items.c.seq])
        self.attendance = _loader(e, t.attendance, "meeting_id", [t.attendance.c.unit_id])
        self.opinions = _loader(e, t.opinions, "meeting_id", [t.opinions.c.position])
        self.positions = _loader(e, t.positions, "meeting_id", [t.positions.c.unit_id])
        self.resolutions = _loader(e, t.resolutions, "resolution_id")
        self.reports = _loader(
            e, t.execution_reports, "resolution_id", [t.execution_reports.c.position]
        )
        self.history = _history(e)
        # What an event changed does not depend on the position a field reads at.
        self.changes = _changes(e)
        f = tables_engagement
        self.members = _loader(e, f.members, "member_id")
        self.milestones = _loader(e, f.milestones, "commitment_id", [f.milestones.c.seq])
        self.ratings = _loader(e, f.ratings, "commitment_id", [f.ratings.c.position])
        self.claims_by_member = _loader(e, f.claims, "member_id", [f.claims.c.claimed_position])
        self.claims_by_post = _loader(e, f.claims, "post_id", [f.claims.c.claimed_position])
        self.service_logs = _loader(e, f.service_logs, "member_id", [f.service_logs.c.position])
        self.year_reviews = _loader(e, f.year_reviews, "member_id", [f.year_reviews.c.year])
        self.posts = _loader(e, f.posts, "post_id")
        self.revisions = _loader(
            e, f.rubric_revisions, "rubric_id", [f.rubric_revisions.c.revision]
        )
        self.scores = _loader(e, f.scores, "evaluation_id", [f.scores.c.item_id])
        self.rectifications = _loader(
            e, f.rectifications, "evaluation_id", [f.rectifications.c.rectification_id]
        )


class Context(BaseContext):
    """The GraphQL request context: the platform and this request's loaders."""

    def __init__(
        self,
        platform: Any,
        principal: Principal | None = None,
        *,
        authorization: str | None = None,
    ) -> None:
        super().__init__()
        self.platform = platform
        self.principal = principal
        # The Authorization header, until ``authenticate`` turns it into the principal.
        self.authorization = authorization
        self._readable: dict[str, bool] = {}
        self._wait_deadline: float | None = None
        # The engine answers who may read what, before the request's reads are
        # narrowed to those tenants; every read of data goes through the snapshot.
        # Both are the read engine (a replica, when one is configured): the answer
        # cache's state and the answers must come from the same copy of the data.
        self.engine: Engine = platform.read_engine
        self.reads = Snapshot(platform.read_engine)
        # Per top-level field (its alias), the tenant it reads and the log position it
        # reads it at: each `tenant(...)` alias honours its own atPosition or asOf.
        self._read_at: dict[str | int, tuple[str, int]] = {}
        self._shared: dict[str, Any] = {}
        # A websocket's connection_init payload (strawberry sets it; it holds the token).
        self.connection_params: dict[str, Any] | None = None

    @cached_property
    def loaders(self) -> Loaders:
        """This request's loaders, made on first use (an answer from the cache needs none)."""
        return Loaders(self.reads)

    async def zone(self, tenant_id: str) -> str:
        """The IANA time zone of the tenant's charter (as it is now)."""
        rows = await self.loaders.tenants.load((tenant_id, tenant_id, None))
        charter = rows[0].charter if rows else {}
        return str(charter.get("time_zone") or DEFAULT_TIME_ZONE)

    async def today(self, tenant_id: str) -> date:
        """Today in the tenant's time zone: every derived date rule (overdue, lapsed)
        is read against it."""
        return local_date(datetime.now(UTC), await self.zone(tenant_id))

    def renew(self) -> None:
        """Forget what the loaders have read: a subscription's context lives as long as
        its socket, and each event it sends is read afresh."""
        self.__dict__.pop("loaders", None)
        self._shared.clear()

    def shared(self, name: str, make: Callable[[], T]) -> T:
        """The per-request object ``name`` (a module's own DataLoader), made on first use."""
        if name not in self._shared:
            self._shared[name] = make()
        return self._shared[name]  # type: ignore[no-any-return]

    def authenticate(self, rate_limit: Any = None, reader: Reader | None = None) -> None:
        """Settle the principal from the Authorization header (401 if it is not
        valid), and take one request from its rate limit (429 when over it)."""
        if self.authorization is None:
            return
        head = None if reader is None else (lambda: queries.head_position(reader, PLATFORM_LOG))
        self.principal = self.platform.authenticator.principal(self.authorization or None, head)
        self.authorization = None
        if rate_limit is not None:
            rate_limit.take(self.principal)

    def remembered(self) -> tuple[Principal, int | None] | None:
        """The principal the Authorization header named when last checked, and the
        platform log's head it was checked at (see ``Authenticator.remembered``)."""
        if self.authorization is None:
            return None
        return self.platform.authenticator.remembered(self.authorization or None)  # type: ignore[no-any-return]

    def readable(self, tenant_id: str) -> bool:
        """Whether this request's principal may read the tenant (checked once per request)."""
        if self.principal is None:
            return False
        if tenant_id not in self._readable:
            policy = self.platform.pipeline.policy
            self._readable[tenant_id] = policy.may_read(self.principal, tenant_id)
        return self._readable[tenant_id]

    def read_at(self, info: Any, tenant_id: str, position: int) -> None:
        """Read ``tenant_id`` at ``position`` under this top-level field (alias)."""
        self._read_at[_root(info)] = (tenant_id, position)

    def position(self, info: Any, tenant_id: str) -> int | None:
        """The position this field reads ``tenant_id`` at (None: now)."""
        read = self._read_at.get(_root(info))
        return read[1] if read is not None and read[0] == tenant_id else None

    def positions(self, info: Any) -> dict[str, int]:
        """The positions this field reads tenants at (tenants absent: now)."""
        read = self._read_at.get(_root(info))
        return {read[0]: read[1]} if read is not None else {}

    def key(self, info: Any, tenant_id: str, record_id: str) -> AtKey:
        """A loader key: the record, and the position this field reads its tenant at."""
        return (tenant_id, record_id, self.position(info, tenant_id))

    def wait_deadline(self, budget: float) -> float:
        """When waits for positions in this request must end: one budget of
        ``budget`` seconds for all of them, however many aliases wait."""
        if self._wait_deadline is None:
            self._wait_deadline = time.monotonic() + budget
        return self._wait_deadline

    def reading_scope(self, reader: Reader | None = None) -> list[str] | None:
        """The tenants this request may read (None: every tenant): the principal's
        own, and a street's communities. Row-level security holds reads to them."""
        principal = self.principal
        if (
            principal is None
            or principal.role is Role.PUBLIC
            or (principal.tenant_id is None and principal.role is not Role.PLATFORM_ADMIN)
        ):
            return []
        if principal.tenant_id is None:
            return None
        communities = queries.community_ids(reader or self.engine, principal.tenant_id)
        return [principal.tenant_id, *communities]

    def sees_personal(self, owner: str | None = None) -> bool:
        """Whether personal data of the record ``owner`` (a member, unit or resident
        id) is shown in full (see api.graphql.personal)."""
        return personal.sees_personal(self.principal, owner)


def _root(info: Any) -> str | int:
    """The response key (alias) of the top-level field ``info`` is under."""
    path = info.path
    while path.prev is not None:
        path = path.prev
    key: str | int = path.key
    return key
