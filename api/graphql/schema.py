"""The GraphQL schema: the tenant tree and everything in a tenant's read models."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from time import monotonic as time_now
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import Row, func, select
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from api.graphql import limits, verification
from api.graphql import tenant_engagement as follow
from api.graphql.affairs import TenantAffairs
from api.graphql.agreements import TenantAgreements
from api.graphql.changes import RecordChange, changes_between
from api.graphql.commendations import TenantCommendations
from api.graphql.evidence_files import TenantEvidenceFiles
from api.graphql.filters import (
    MeetingStatusFilter,
    ResolutionStatusFilter,
    TenantKindFilter,
    value,
)
from api.graphql.meetings import Meeting
from api.graphql.nodes import Node, refetch
from api.graphql.paging import Connection, Window, page, page_where
from api.graphql.plenary_business import TenantPlenary
from api.graphql.records import record_fields
from api.graphql.resolutions import Resolution, load_resolution
from api.graphql.search import SearchHit, SearchKind, TenantSearch, everywhere
from api.graphql.subscriptions import Subscription
from api.graphql.tenant_engagement import TenantFollowUp
from api.graphql.types import Ctx, Event, encode_cursor, history_of
from api.graphql.units import Charter, MemberUnit, load_unit
from api.graphql.upward_reports import TenantUpwardReports
from api.graphql.viewer import Viewer, viewer_of
from api.graphql.webhooks import TenantWebhooks
from domain.charters import zone
from projections import audits, queries, rules, tables
from projections.context import utc
from tenants.store import row_security
from tenants.store.schema import checkpoints, tenant_heads

WAIT_STEP = 0.02  # seconds between checks while waiting for a position


@strawberry.type(description="A tenant's projection: its position, and any parked event.")
class ProjectionState:
    position: int = strawberry.field(description="the read models reflect the log up to here")
    head: int = strawberry.field(description="the last position in the log")
    parked: bool = strawberry.field(
        description="projection stopped at an event it could not apply; other tenants go on"
    )
    parked_at_position: int | None
    parked_since: datetime | None
    error: str | None = strawberry.field(
        description="why (street admins, secretaries and auditors only)"
    )


@strawberry.type(description="A street or a community: one tenant with its own event log.")
@record_fields(tables.TENANTS)
class Tenant(
    TenantFollowUp,
    TenantSearch,
    TenantWebhooks,
    TenantAgreements,
    TenantAffairs,
    TenantCommendations,
    TenantPlenary,
    TenantEvidenceFiles,
    TenantUpwardReports,
    Node,
):
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def charter(self) -> Charter:
        return Charter.of(self.row.charter)

    @strawberry.field(description="the plenary resolution that adopted the charter as it now reads")
    async def charter_resolution(self, info: Ctx) -> Resolution | None:
        if not self.row.charter_resolution_id:
            return None
        return await load_resolution(info, self.row.tenant_id, self.row.charter_resolution_id)

    @strawberry.field
    async def parent(self, info: Ctx) -> Tenant | None:
        if not self.row.parent_id:
            return None
        return await _tenant(info, self.row.parent_id)

    @strawberry.field(
        description="A street's communities, by id; read as of a position, those the "
        "street's log had recorded as joined by then."
    )
    async def communities(
        self,
        info: Ctx,
        first: int = 50,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Tenant]:
        street = self.row.tenant_id
        return await _tenants(
            info,
            Window(first, after, last, before),
            parent_id=street,
            joined_by=info.context.position(info, street),
        )

    @strawberry.field(
        description="Member units in the order they joined; `activeOnly` leaves out "
        "those that have left."
    )
    async def units(
        self,
        info: Ctx,
        first: int = 50,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        active_only: bool = False,
    ) -> Connection[MemberUnit]:
        u = tables.units
        return await page(
            info,
            u,
            self.row.tenant_id,
            [u.c.joined_at, u.c.unit_id],
            Window(first, after, last, before),
            lambda r: MemberUnit(row=r),
            descending=False,
            filters=[u.c.active.is_(True)] if active_only else [],
        )

    @strawberry.field(description="Meetings, newest first.")
    async def meetings(
        self,
        info: Ctx,
        first: int = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: MeetingStatusFilter | None = None,
    ) -> Connection[Meeting]:
        m = tables.meetings
        filters = [m.c.status == value(status)] if status else []
        return await page(
            info,
            m,
            self.row.tenant_id,
            m.c.created_position,
            Window(first, after, last, before),
            lambda r: Meeting(row=r),
            filters=filters,
        )

    @strawberry.field
    async def meeting(self, info: Ctx, id: strawberry.ID) -> Meeting | None:
        rows = await info.context.loaders.meetings.load(
            info.context.key(info, self.row.tenant_id, str(id))
        )
        return Meeting(row=rows[0]) if rows else None

    @strawberry.field(
        description="Resolutions, newest first; `overdue` filters derived overdue, "
        "`adoptedIn` a period (2024, 2024H1, 2024Q3) by when they were adopted."
    )
    async def resolutions(
        self,
        info: Ctx,
        first: int = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: ResolutionStatusFilter | None = None,
        overdue: bool | None = None,
        adopted_in: str | None = None,
    ) -> Connection[Resolution]:
        r = tables.resolutions
        filters = [r.c.status == value(status)] if status else []
        period = follow.parse_period(adopted_in)
        if period is not None:
            # The period's days as the tenant counts them (its time zone's midnights).
            local = zone(await info.context.zone(self.row.tenant_id))
            start_at = datetime.combine(period.start, time.min, tzinfo=local)
            end_at = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=local)
            filters += [r.c.adopted_at >= start_at, r.c.adopted_at < end_at]
        if overdue is not None:
            late = rules.overdue_resolution(r, await info.context.today(self.row.tenant_id))
            filters.append(late if overdue else ~late)
        return await page(
            info,
            r,
            self.row.tenant_id,
            r.c.created_position,
            Window(first, after, last, before),
            lambda row: Resolution(row=row),
            filters=filters,
        )

    @strawberry.field
    async def resolution(self, info: Ctx, id: strawberry.ID) -> Resolution | None:
        return await load_resolution(info, self.row.tenant_id, str(id))

    @strawberry.field(
        description="The tenant's event log, oldest first, paged by position; "
        "`afterPosition: P` gives everything recorded after position P. "
        "`recordedFrom`/`recordedTo` filter by when facts were recorded, "
        "`occurredFrom`/`occurredTo` by when they happened (the stated time, else the "
        "recording time); each range includes its start and excludes its end."
    )
    async def events(
        self,
        info: Ctx,
        first: int = 50,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        after_position: int | None = None,
        recorded_from: datetime | None = None,
        recorded_to: datetime | None = None,
        occurred_from: datetime | None = None,
        occurred_to: datetime | None = None,
    ) -> Connection[Event]:
        e = tables.events
        happened = func.coalesce(e.c.occurred_at, e.c.recorded_at)
        filters = []
        if recorded_from is not None:
            filters.append(e.c.recorded_at >= utc(recorded_from))
        if recorded_to is not None:
            filters.append(e.c.recorded_at < utc(recorded_to))
        if occurred_from is not None:
            filters.append(happened >= utc(occurred_from))
        if occurred_to is not None:
            filters.append(happened < utc(occurred_to))
        if after_position is not None:
            if after is not None or after_position < 0:
                raise GraphQLError(
                    "give after or a non-negative afterPosition, not both",
                    extensions={"code": "BAD_USER_INPUT"},
                )
            after = encode_cursor(after_position)
        return await page(
            info,
            e,
            self.row.tenant_id,
            e.c.position,
            Window(first, after, last, before),
            lambda row: Event(row=row),
            descending=False,
            filters=filters,
        )

    @strawberry.field(
        description="The records that changed in the log range (from, to], each with its "
        "version current at `from` (null: created since), the one current at `to` (null: "
        "ended since) and the fields that differ: several changes to a record between the "
        "two show as one, and a record back as it was is left out. Give each end as a log "
        "position (`fromPosition`, `toPosition`) or a time (`from`, `to`: the last "
        "position recorded by then); `from` defaults to 0 (everything), `to` to the head "
        "or the position the tenant is read at. Ordered by table and key."
    )
    async def changes(
        self,
        info: Ctx,
        first: int = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        from_position: int | None = None,
        to_position: int | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
    ) -> Connection[RecordChange]:
        tenant_id = self.row.tenant_id
        start = await _end_position(info, tenant_id, from_position, from_, "fromPosition", "from")
        end = await _end_position(info, tenant_id, to_position, to, "toPosition", "to")
        # Read as of a position, nothing after it is known: the range may not pass it.
        limit = info.context.position(info, tenant_id)
        if limit is None:
            limit = await _head(info, tenant_id)
        start = 0 if start is None else start
        end = limit if end is None else end
        if not 0 <= start <= end <= limit:
            raise GraphQLError(
                "the range must lie between 0 and the tenant's head position (or the "
                "position it is read at), its start not after its end",
                extensions={"code": "BAD_USER_INPUT"},
            )
        return await changes_between(
            info, tenant_id, start, end, Window(first, after, last, before)
        )

    @strawberry.field(
        description="Signed checkpoints of the tenant's log, newest first (read as of a "
        "position: those of at most that many events)."
    )
    async def checkpoints(
        self,
        info: Ctx,
        first: int = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[verification.Checkpoint]:
        tenant_id = self.row.tenant_id
        at = info.context.position(info, tenant_id)
        c = checkpoints
        return await page(
            info,
            c,
            tenant_id,
            c.c.size,
            Window(first, after, last, before),
            verification.Checkpoint.of_row,
            filters=[] if at is None else [c.c.size <= at],
        )

    @strawberry.field(
        description="Proof that the checkpoint of `to` events extends the one of `from` "
        "events (both sizes of this tenant's checkpoints)."
    )
    async def consistency(
        self,
        info: Ctx,
        from_: Annotated[int, strawberry.argument(name="from")],
        to: int,
    ) -> verification.ConsistencyProof:
        return await verification.consistency(info, self.row.tenant_id, from_, to)

    @strawberry.field(description="Position of the last event in the tenant's log.")
    async def head_position(self, info: Ctx) -> int:
        return await _head(info, self.row.tenant_id)

    @strawberry.field(description="Position up to which these read models reflect the log.")
    async def projected_position(self, info: Ctx) -> int:
        tracking = info.context.platform.read_tracking
        return int(await asyncio.to_thread(tracking.position, self.row.tenant_id))

    @strawberry.field(
        description="How far the read models follow this tenant's log, and whether "
        "projection is parked at an event it could not apply."
    )
    async def projection(self, info: Ctx) -> ProjectionState:
        tracking = info.context.platform.read_tracking
        tenant = self.row.tenant_id
        position = await asyncio.to_thread(tracking.position, tenant)
        parked = await asyncio.to_thread(tracking.parked, tenant)
        head = await self.head_position(info)
        stop = parked[0] if parked else None
        # The error may quote the event's content: staff and auditors only.
        error = stop.error if stop and info.context.sees_personal() else None
        return ProjectionState(
            position=position,
            head=head,
            parked=stop is not None,
            parked_at_position=stop.position if stop else None,
            parked_since=utc(stop.parked_at) if stop else None,
            error=error,
        )

    @strawberry.field(
        description="Units that missed each of the last `lastMeetings` held meetings without leave."
    )
    async def absent_without_leave(self, info: Ctx, last_meetings: int = 3) -> list[MemberUnit]:
        if not 1 <= last_meetings <= 24:
            raise GraphQLError(
                "lastMeetings must be between 1 and 24", extensions={"code": "BAD_USER_INPUT"}
            )
        tenant_id = self.row.tenant_id
        unit_ids = await asyncio.to_thread(
            audits.absent_without_leave,
            info.context.reads,
            tenant_id,
            last_meetings,
            info.context.position(info, tenant_id),
        )
        found = [await load_unit(info, tenant_id, unit_id) for unit_id in unit_ids]
        return [unit for unit in found if unit is not None]

    @strawberry.field(description="The log position these answers are as of (null: now).")
    def as_of_position(self, info: Ctx) -> int | None:
        return info.context.position(info, self.row.tenant_id)

    @strawberry.field(
        description="One record's events, oldest first, by the id its events name it by "
        "(`Event.recordId`, or a change's `recordId`: an agenda item's is "
        "'<meetingId>/<itemId>'): what the record's own `history` gives, for any record; "
        "read as of a position, those recorded by then. Empty for an unknown id."
    )
    async def record_history(self, info: Ctx, id: strawberry.ID) -> list[Event]:
        return await history_of(info, self.row.tenant_id, str(id))

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        from domain.tenants import tenant_aggregate_id

        record = str(tenant_aggregate_id(self.row.tenant_id))
        return await history_of(info, self.row.tenant_id, record)


async def _end_position(
    info: Ctx,
    tenant_id: str,
    position: int | None,
    moment: datetime | None,
    position_name: str,
    moment_name: str,
) -> int | None:
    """One end of a range of the log, given as a position or a time (None: not given)."""
    if position is not None and moment is not None:
        raise GraphQLError(
            f"give {position_name} or {moment_name}, not both",
            extensions={"code": "BAD_USER_INPUT"},
        )
    if moment is None:
        return position
    return int(
        await asyncio.to_thread(queries.position_at, info.context.reads, tenant_id, utc(moment))
    )


async def _tenant(info: Ctx, tenant_id: str) -> Tenant | None:
    # The one way to a tenant's rows: another tenant's id answers like an unknown one.
    if not await asyncio.to_thread(info.context.readable, tenant_id):
        return None
    rows = await asyncio.to_thread(
        queries.grouped,
        info.context.reads,
        tables.tenants,
        "tenant_id",
        [(tenant_id, tenant_id)],
        (),
        info.context.positions(info),
    )
    return Tenant(row=rows[0][0]) if rows[0] else None


async def _tenants(
    info: Ctx,
    window: Window,
    *,
    parent_id: str | None = None,
    kind: str | None = None,
    joined_by: int | None = None,
) -> Connection[Tenant]:
    """A page of tenants, as they are now, among those the request may read."""
    scope = await asyncio.to_thread(info.context.reading_scope, info.context.reads)
    where = queries.tenant_filters(scope=scope, parent_id=parent_id, kind=kind, joined_by=joined_by)
    t = tables.tenants
    found = await page_where(
        info, t, where, t.c.tenant_id, window, lambda r: Tenant(row=r), descending=False
    )
    # The scope above is the readability rule in SQL (so pages and totals are exact);
    # the one check every tenant answers through still has the last word.
    readable = info.context.readable
    found.edges = await asyncio.to_thread(
        lambda: [e for e in found.edges if readable(e.node.row.tenant_id)]
    )
    return found


@strawberry.type
class Query:
    @strawberry.field(
        description="Streets and communities the reader may read, by id; `kind` "
        "filters STREET|COMMUNITY."
    )
    async def tenants(
        self,
        info: Ctx,
        first: int = 50,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        kind: TenantKindFilter | None = None,
    ) -> Connection[Tenant]:
        return await _tenants(info, Window(first, after, last, before), kind=value(kind))

    @strawberry.field(
        description="One tenant. `waitForPosition` waits (up to 5 s) until the "
        "read models this server reads reflect that log position (read-your-writes: give "
        "the position a command returned). Served from a read replica, that is the "
        "replica's copy: the wait covers its replay too. If they do not reach it in time, "
        "the answer is the error `NOT_YET_PROJECTED`. `asOf` (a time) or "
        "`atPosition` (a log position) answers everything below as it was recorded then."
    )
    async def tenant(
        self,
        info: Ctx,
        id: strawberry.ID,
        wait_for_position: int | None = None,
        as_of: datetime | None = None,
        at_position: int | None = None,
    ) -> Tenant | None:
        if not await asyncio.to_thread(info.context.readable, str(id)):
            return None
        if as_of is not None and at_position is not None:
            raise GraphQLError(
                "give asOf or atPosition, not both", extensions={"code": "BAD_USER_INPUT"}
            )
        if as_of is not None:
            at_position = await asyncio.to_thread(
                queries.position_at, info.context.reads, str(id), utc(as_of)
            )
        # Waited for first: a replica may not hold a position a command just returned
        # until it has replayed it, and `atPosition` is checked against what it holds.
        if wait_for_position is not None and not await _wait(info, str(id), wait_for_position):
            raise GraphQLError(
                "the read models have not reached that position yet",
                extensions={"code": "NOT_YET_PROJECTED"},
            )
        if at_position is not None:
            if not 0 <= at_position <= await _head(info, str(id)):
                raise GraphQLError(
                    "atPosition must lie between 0 and the tenant's head position",
                    extensions={"code": "BAD_USER_INPUT"},
                )
            info.context.read_at(info, str(id), at_position)
        return await _tenant(info, str(id))

    @strawberry.field(
        description="Records whose text holds every term of `query`, in the tenants named "
        "(default: every tenant the reader may read; one it may not read has no hits), as "
        "they are now; ordered and refused as `Tenant.search` is. At most 200 tenants."
    )
    async def search(
        self,
        info: Ctx,
        query: str,
        tenants: list[strawberry.ID] | None = None,
        kinds: list[SearchKind] | None = None,
        first: int = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[SearchHit]:
        return await everywhere(info, query, tenants, kinds, Window(first, after, last, before))

    @strawberry.field(
        description="The record a global id (a `nodeId`) names; null if it is unknown or "
        "its tenant is not readable."
    )
    async def node(self, info: Ctx, id: strawberry.ID) -> Node | None:
        return await refetch(info, str(id))

    @strawberry.field(
        description="Who is reading: the token's user, role and tenant, and the commands "
        "it may send to a tenant (null without a token)."
    )
    def viewer(self, info: Ctx) -> Viewer | None:
        return viewer_of(info)


async def _head(info: Ctx, tenant_id: str) -> int:
    def head() -> int:
        with info.context.reads.connect() as conn:
            value = conn.execute(
                select(tenant_heads.c.position).where(tenant_heads.c.tenant_id == tenant_id)
            ).scalar()
        return int(value or 0)

    return await asyncio.to_thread(head)


async def _wait(info: Ctx, tenant_id: str, position: int) -> bool:
    """Wait until the read models this request reads (the replica's, when reads go
    to one) reflect the tenant through ``position``, without holding a thread: short
    reads between sleeps, within one budget for the whole request."""
    if position < 0 or (
        position > await _head(info, tenant_id) and position > await _primary_head(info, tenant_id)
    ):
        raise GraphQLError(
            "waitForPosition must lie between 0 and the tenant's head position",
            extensions={"code": "BAD_USER_INPUT"},
        )
    # The replica's own tracking rows: its read models, not the primary's projector.
    tracking = info.context.platform.read_tracking
    deadline = info.context.wait_deadline(info.context.platform.read_wait)
    while True:
        if await asyncio.to_thread(tracking.position, tenant_id) >= position:
            return True
        if time_now() >= deadline or await asyncio.to_thread(tracking.parked, tenant_id):
            return False
        await asyncio.sleep(WAIT_STEP)


async def _primary_head(info: Ctx, tenant_id: str) -> int:
    """The tenant's head on the primary: a position a command just returned is
    there before a replica has replayed it (asked only when the replica's is short)."""
    platform = info.context.platform
    if platform.read_engine is platform.engine:
        return await _head(info, tenant_id)

    def head() -> int:
        with row_security.reading_only([tenant_id]):
            return int(queries.head_position(platform.engine, tenant_id))

    return await asyncio.to_thread(head)


def _internal(error: GraphQLError) -> bool:
    """Hide unexpected failures (they are logged); keep errors meant for the client."""
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


# The depth and alias rules are built once: validation is cached per document and
# set of rules, and rule classes built per request would never hit that cache.
SHAPE_RULES = [
    *QueryDepthLimiter(max_depth=12).validation_rules,
    *MaxAliasesLimiter(max_alias_count=limits.MAX_ALIASES).validation_rules,
]

schema = strawberry.Schema(
    query=Query,
    subscription=Subscription,
    extensions=[
        # Integrators repeat the same documents: parse and validate each once.
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        lambda: AddValidationRules(SHAPE_RULES),
        lambda: MaxTokensLimiter(max_token_count=5000),
        limits.cost_limiter(limits.max_cost()),
        lambda: MaskErrors(should_mask_error=_internal, error_message="internal error"),
    ],
)
