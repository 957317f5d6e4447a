"""Full-text search in GraphQL: ``tenant(id:) { search(query:) }`` (as of the position
the tenant is read at) and the root ``search(query:, tenants:)`` across the tenants the
reader may read. Every hit names its record (``nodeId`` for ``node(id:)``) and can give
it (``record``), shown as its own type shows it (personal data masked there); the
index itself holds no personal data (``projections.search_index``)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import Row, and_, or_, select
from strawberry.dataloader import DataLoader

from api.graphql import nodes
from api.graphql.paging import MAX_PAGE, Connection, Edge, PageInfo, Window
from api.graphql.types import Ctx, decode_key, encode_key
from projections import queries
from projections import search_query as search
from projections.context import utc
from projections.queries import Reader
from projections.searchable import BY_KIND, SEARCHABLE

MAX_TENANTS = 200
"""Tenants one root search may name."""

_KINDS = "; ".join(f"{k.kind.upper()}: {k.description} ({k.label})" for k in SEARCHABLE)
_KIND_VALUES: Any = Enum("SearchKind", {k.kind.upper(): k.kind for k in SEARCHABLE})  # type: ignore[misc]
SearchKind: Any = strawberry.enum(_KIND_VALUES, description=f"What a search hit is. {_KINDS}.")

RecordKey = tuple[str, str, tuple[Any, ...], int | None]  # kind, tenant, key, position


def _bad(message: str, argument: str, reason: str) -> GraphQLError:
    return GraphQLError(
        message, extensions={"code": "BAD_USER_INPUT", "argument": argument, "reason": reason}
    )


def _parse(query: str) -> search.SearchQuery:
    try:
        return search.SearchQuery.parse(query)
    except search.BadQuery as error:
        raise _bad(str(error), "query", error.reason) from error


@strawberry.type(
    description="A record whose text holds every term of a search: what it is, where it "
    "is, and the text around the first term found."
)
class SearchHit:
    row: strawberry.Private[Row[Any]]
    terms: strawberry.Private[tuple[str, ...]]
    at: strawberry.Private[int | None]  # the position its tenant is read at (None: now)

    @strawberry.field
    def kind(self) -> SearchKind:
        return SearchKind(self.row.kind)

    @strawberry.field(description="the kind's Chinese name (会议, 会议纪要, 议题, …)")
    def kind_label(self) -> str:
        return BY_KIND[self.row.kind].label

    @strawberry.field
    def tenant_id(self) -> strawberry.ID:
        return strawberry.ID(self.row.tenant_id)

    @strawberry.field(
        description="the record's id in its tenant (an agenda item's is '<meetingId>/<itemId>', "
        "as its history names it)"
    )
    def record_id(self) -> strawberry.ID:
        return strawberry.ID(self.row.record_id)

    @strawberry.field(description="the record's global id: `node(id:)` fetches it")
    def node_id(self) -> strawberry.ID:
        kind = BY_KIND[self.row.kind]
        key = list(self.row.record_key)
        return strawberry.ID(nodes.global_id(kind.node_type, self.row.tenant_id, key))

    @strawberry.field(description="the record's title (a commitment's text, cut at 120 characters)")
    def title(self) -> str:
        return str(self.row.title)

    @strawberry.field(
        description="the text around the first term found (… where it is cut), from `field`"
    )
    def snippet(self) -> str:
        return search.excerpt(self.row.body, self.terms).text

    @strawberry.field(description="the record's field the snippet is from (title, minutes, …)")
    def field(self) -> str:
        kind = BY_KIND[self.row.kind]
        return kind.fields[search.excerpt(self.row.body, self.terms).field]

    @strawberry.field(description="the log position at which the record's text became this")
    def position(self) -> int:
        return int(self.row.valid_from)

    @strawberry.field(description="when the record's text became this")
    def recorded_at(self) -> datetime:
        return utc(self.row.written_at)

    @strawberry.field(
        description="the record itself, as its own type shows it to this reader (personal "
        "data masked), read at the same position as the hit"
    )
    async def record(self, info: Ctx) -> nodes.Node | None:
        loader = info.context.shared("search_records", lambda: _records(info.context.reads))
        key = (self.row.kind, self.row.tenant_id, tuple(self.row.record_key), self.at)
        row = await loader.load(key)
        return None if row is None else nodes.of_row(BY_KIND[self.row.kind].node_type, row)


def _records(reads: Reader) -> DataLoader[RecordKey, Row[Any] | None]:
    """The records a page of hits names: one query per kind and position."""

    def fetch(keys: list[RecordKey]) -> list[Row[Any] | None]:
        groups: dict[tuple[str, int | None], set[tuple[str, tuple[Any, ...]]]] = {}
        for kind, tenant, key, position in keys:
            groups.setdefault((kind, position), set()).add((tenant, key))
        found: dict[RecordKey, Row[Any]] = {}
        with reads.connect() as conn:
            for (kind, position), wanted in groups.items():
                record = BY_KIND[kind].record
                table = record.table
                named = [
                    and_(
                        table.c.tenant_id == tenant,
                        *(table.c[c] == v for c, v in zip(record.keys, key, strict=True)),
                    )
                    for tenant, key in sorted(wanted)
                ]
                query = select(table).where(or_(*named), *queries.visible(table, position))
                for row in conn.execute(query):
                    found[(kind, row.tenant_id, record_key(record.keys, row), position)] = row
        return [found.get(key) for key in keys]

    async def load(keys: list[RecordKey]) -> list[Row[Any] | None]:
        return await asyncio.to_thread(fetch, keys)

    return DataLoader(load_fn=load)


def record_key(columns: tuple[str, ...], row: Row[Any]) -> tuple[Any, ...]:
    return tuple(getattr(row, column) for column in columns)


def _size(value: int, name: str) -> int:
    if not 1 <= value <= MAX_PAGE:
        raise _bad(f"{name} must be between 1 and {MAX_PAGE}", name, "OUT_OF_RANGE")
    return value


def _cursor(text: str | None, name: str) -> list[Any] | None:
    if text is None:
        return None
    try:
        values = decode_key(text, search.KEY_TYPES)
    except ValueError as error:
        raise _bad(str(error), name, "MALFORMED_CURSOR") from error
    values[1] = utc(values[1])
    return values


async def hits(info: Ctx, query: str, scope: search.Scope, window: Window) -> Connection[SearchHit]:
    """One page of the query's hits in the scope, as a connection."""
    parsed = _parse(query)
    forward = window.last is None
    size = _size(window.first, "first") if forward else _size(window.last or 0, "last")
    after = _cursor(window.after if forward else window.before, "after" if forward else "before")
    reads, terms, at = info.context.reads, parsed.terms, scope.position

    def fetch() -> tuple[list[Row[Any]], bool, bool]:
        return search.hits(reads, parsed, scope, first=size, after=after, backward=not forward)

    rows, more, behind = await asyncio.to_thread(fetch)
    if not forward:
        rows = rows[::-1]

    async def count() -> int:
        return await asyncio.to_thread(search.count, reads, parsed, scope)

    edges = [
        Edge(cursor=encode_key(search.sort_key(row)), node=SearchHit(row=row, terms=terms, at=at))
        for row in rows
    ]
    page = PageInfo(
        has_next_page=more if forward else behind,
        has_previous_page=behind if forward else more,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=page, count=count)


def kinds_of(kinds: list[Any] | None) -> list[str] | None:
    """The kinds a search is limited to (None: every kind)."""
    return None if kinds is None else [kind.value for kind in kinds]


async def everywhere(
    info: Ctx,
    query: str,
    tenants: list[strawberry.ID] | None,
    kinds: list[Any] | None,
    window: Window,
) -> Connection[SearchHit]:
    """Search the tenants named (default: every tenant the reader may read); a tenant
    the reader may not read is searched as one without hits (as `tenant(id:)` answers
    null for it alike)."""
    context = info.context
    scope: list[str] | None
    if tenants is not None:
        if len(tenants) > MAX_TENANTS:
            raise _bad(f"name at most {MAX_TENANTS} tenants", "tenants", "TOO_MANY_TENANTS")
        named = list(dict.fromkeys(str(t) for t in tenants))
        scope = await asyncio.to_thread(lambda: [t for t in named if context.readable(t)])
    else:
        scope = await asyncio.to_thread(_readable, info)
    return await hits(info, query, search.Scope(kinds_of(kinds), scope), window)


def _readable(info: Ctx) -> list[str] | None:
    """Every tenant the reader may read (None: every tenant there is)."""
    context = info.context
    scope = context.reading_scope(context.reads)
    # The scope is the readability rule in SQL; the one check has the last word.
    return None if scope is None else [t for t in scope if context.readable(t)]


@strawberry.type
class TenantSearch:
    """Search within one tenant (a field of Tenant)."""

    row: strawberry.Private[Row[Any]]

    @strawberry.field(
        description="Records of this tenant whose text holds every term of `query` (terms "
        "separated by spaces; a term may be one Chinese character or more), as of the "
        "position the tenant is read at: titles holding every term first, then the newest "
        "text. `kinds` limits the hits to those kinds. A query that is empty, longer than "
        "100 characters, holds a control character or more than 8 terms is BAD_USER_INPUT "
        "(`extensions.reason`: EMPTY, TOO_LONG, CONTROL_CHARACTER, TOO_MANY_TERMS)."
    )
    async def search(
        self,
        info: Ctx,
        query: str,
        kinds: list[SearchKind] | None = None,
        first: int = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[SearchHit]:
        tenant_id = self.row.tenant_id
        scope = search.Scope(kinds_of(kinds), [tenant_id], info.context.position(info, tenant_id))
        return await hits(info, query, scope, Window(first, after, last, before))
