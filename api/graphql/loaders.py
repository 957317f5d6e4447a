"""DataLoaders: a page of records costs a bounded number of SQL queries."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Row
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from api.graphql import personal
from projections import queries, tables, tables_engagement
from projections.queries import Key
from tenants.pipeline.identity import Principal, Role

Rows = list[Row[Any]]


def _loader(
    engine: Engine, as_of: dict[str, int], table: Any, column: str, order: Any = ()
) -> DataLoader[Key, Rows]:
    async def load(keys: list[Key]) -> list[Rows]:
        return await asyncio.to_thread(
            queries.grouped, engine, table, column, keys, order, dict(as_of)
        )

    return DataLoader(load_fn=load)


def _history(engine: Engine, as_of: dict[str, int]) -> DataLoader[Key, Rows]:
    async def load(keys: list[Key]) -> list[Rows]:
        return await asyncio.to_thread(queries.history, engine, keys, dict(as_of))

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    """One set of loaders per request (they cache)."""

    engine: Engine
    as_of: dict[str, int]
    units: DataLoader[Key, Rows] = field(init=False)
    meetings: DataLoader[Key, Rows] = field(init=False)
    agenda: DataLoader[Key, Rows] = field(init=False)
    attendance: DataLoader[Key, Rows] = field(init=False)
    opinions: DataLoader[Key, Rows] = field(init=False)
    positions: DataLoader[Key, Rows] = field(init=False)
    resolutions: DataLoader[Key, Rows] = field(init=False)
    reports: DataLoader[Key, Rows] = field(init=False)
    history: DataLoader[Key, Rows] = field(init=False)
    members: DataLoader[Key, Rows] = field(init=False)
    milestones: DataLoader[Key, Rows] = field(init=False)
    ratings: DataLoader[Key, Rows] = field(init=False)
    claims_by_member: DataLoader[Key, Rows] = field(init=False)
    claims_by_post: DataLoader[Key, Rows] = field(init=False)
    service_logs: DataLoader[Key, Rows] = field(init=False)
    year_reviews: DataLoader[Key, Rows] = field(init=False)
    posts: DataLoader[Key, Rows] = field(init=False)
    revisions: DataLoader[Key, Rows] = field(init=False)
    scores: DataLoader[Key, Rows] = field(init=False)
    rectifications: DataLoader[Key, Rows] = field(init=False)

    def __post_init__(self) -> None:
        e, t, p = self.engine, tables, self.as_of
        self.units = _loader(e, p, t.units, "unit_id")
        self.meetings = _loader(e, p, t.meetings, "meeting_id")
        self.agenda = _loader(e, p, t.agenda_items, "meeting_id", [t.agenda_items.c.seq])
        self.attendance = _loader(e, p, t.attendance, "meeting_id", [t.attendance.c.unit_id])
        self.opinions = _loader(e, p, t.opinions, "meeting_id", [t.opinions.c.position])
        self.positions = _loader(e, p, t.positions, "meeting_id", [t.positions.c.unit_id])
        self.resolutions = _loader(e, p, t.resolutions, "resolution_id")
        self.reports = _loader(
            e, p, t.execution_reports, "resolution_id", [t.execution_reports.c.position]
        )
        self.history = _history(e, p)
        f = tables_engagement
        self.members = _loader(e, p, f.members, "member_id")
        self.milestones = _loader(e, p, f.milestones, "commitment_id", [f.milestones.c.seq])
        self.ratings = _loader(e, p, f.ratings, "commitment_id", [f.ratings.c.position])
        self.claims_by_member = _loader(e, p, f.claims, "member_id", [f.claims.c.claimed_position])
        self.claims_by_post = _loader(e, p, f.claims, "post_id", [f.claims.c.claimed_position])
        self.service_logs = _loader(e, p, f.service_logs, "member_id", [f.service_logs.c.position])
        self.year_reviews = _loader(e, p, f.year_reviews, "member_id", [f.year_reviews.c.year])
        self.posts = _loader(e, p, f.posts, "post_id")
        self.revisions = _loader(
            e, p, f.rubric_revisions, "rubric_id", [f.rubric_revisions.c.revision]
        )
        self.scores = _loader(e, p, f.scores, "evaluation_id", [f.scores.c.item_id])
        self.rectifications = _loader(
            e, p, f.rectifications, "evaluation_id", [f.rectifications.c.rectification_id]
        )


class Context(BaseContext):
    """The GraphQL request context: the platform and this request's loaders."""

    def __init__(self, platform: Any, principal: Principal | None = None) -> None:
        super().__init__()
        self.platform = platform
        self.principal = principal
        self._readable: dict[str, bool] = {}
        self._wait_deadline: float | None = None
        self.engine: Engine = platform.engine
        # Per tenant, the log position this request reads as of (absent: now).
        self.as_of: dict[str, int] = {}
        self.loaders = Loaders(platform.engine, self.as_of)

    def readable(self, tenant_id: str) -> bool:
        """Whether this request's principal may read the tenant (checked once per request)."""
        if self.principal is None:
            return False
        if tenant_id not in self._readable:
            policy = self.platform.pipeline.policy
            self._readable[tenant_id] = policy.may_read(self.principal, tenant_id)
        return self._readable[tenant_id]

    def wait_deadline(self, budget: float) -> float:
        """When waits for positions in this request must end: one budget of
        ``budget`` seconds for all of them, however many aliases wait."""
        if self._wait_deadline is None:
            self._wait_deadline = time.monotonic() + budget
        return self._wait_deadline

    def reading_scope(self) -> list[str] | None:
        """The tenants this request may read (None: every tenant): the principal's
        own, and a street's communities. Row-level security holds reads to them."""
        principal = self.principal
        if principal is None or (
            principal.tenant_id is None and principal.role is not Role.PLATFORM_ADMIN
        ):
            return []
        if principal.tenant_id is None:
            return None
        communities = queries.tenant_rows(self.engine, parent_id=principal.tenant_id)
        return [principal.tenant_id, *(row.tenant_id for row in communities)]

    def sees_personal(self, owner: str | None = None) -> bool:
        """Whether personal data of the record ``owner`` (a member, unit or resident
        id) is shown in full (see api.graphql.personal)."""
        return personal.sees_personal(self.principal, owner)
