"""Searching the index (``projections.search_index``): what a query is, which rows
match it, in which order, and the excerpt shown for each.

A query is up to eight terms separated by spaces; a record matches when its text holds
every term (case aside, full-width digits and letters as ASCII). A term of three
characters or more can be looked up in the trigram index (SQLite FTS5, PostgreSQL
pg_trgm), every candidate's text then checked; a shorter one (电梯, 加装: Chinese
words are mostly two characters) has no trigram, so the text of the rows in scope is
read (the tenants asked about, through the primary key that leads with the tenant).
On SQLite a search of a few tenants reads their rows whatever its terms
(``SCANNED_TENANTS``).

Hits are ordered by how many terms their title lacks (a title that says it all
first), then newest text first (when it was recorded), then by tenant, kind and
record: a total order whose values are the page cursor's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    func,
    literal_column,
    or_,
    select,
    text,
)

from projections.queries import Reader
from projections.search_index import FTS_TABLE, SEPARATOR, fold, search_entries
from projections.temporal import visible_at

MAX_LENGTH = 100
"""Characters in a query."""
MAX_TERMS = 8
TRIGRAM = 3
SNIPPET_BEFORE = 20
SNIPPET_AFTER = 40
SCANNED_TENANTS = 20
"""On SQLite, a search of this many tenants or fewer reads their rows rather than ask
the trigram index: the index's candidates are every tenant's, so for a common term
they cost more than one tenant's rows, and the more so the more tenants there are.
(PostgreSQL's planner weighs the two itself.)"""

s = search_entries
KEY_TYPES: tuple[type, ...] = (int, datetime, str, str, str)
"""The types of a hit's sort key (the cursor's values): tier, time, tenant, kind, record."""


class BadQuery(ValueError):
    """A query that cannot be searched; ``reason`` says why, for machines."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class SearchQuery:
    """The terms a record's text must all hold."""

    terms: tuple[str, ...]

    @classmethod
    def parse(cls, query: str) -> SearchQuery:
        """Read a query as typed; raise ``BadQuery`` if it is empty, too long, holds a
        control character or too many terms."""
        bad = next((ch for ch in query if unicodedata.category(ch) in ("Cc", "Cs")), None)
        if bad is not None:
            raise BadQuery(
                "CONTROL_CHARACTER",
                f"the query holds the control character U+{ord(bad):04X}: separate terms "
                "with spaces",
            )
        if len(query) > MAX_LENGTH:
            raise BadQuery(
                "TOO_LONG", f"the query has {len(query)} characters, at most {MAX_LENGTH}"
            )
        terms = tuple(dict.fromkeys(fold(query).split()))  # in order, each once
        if not terms:
            raise BadQuery("EMPTY", "the query is empty: give a word to search for")
        if len(terms) > MAX_TERMS:
            raise BadQuery(
                "TOO_MANY_TERMS", f"the query has {len(terms)} terms, at most {MAX_TERMS}"
            )
        return cls(terms)


@dataclass(frozen=True)
class Scope:
    """Where to search: kinds (None: all), tenants (None: every tenant) and the log
    position they are read at (None: now; only with one tenant)."""

    kinds: Sequence[str] | None
    tenants: Sequence[str] | None
    position: int | None = None


def _escaped(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _holds(column: Any, term: str, dialect: str) -> ColumnElement[bool]:
    """Whether the column's text holds the term, case aside."""
    if dialect == "postgresql":
        # pg_trgm's GIN index answers this for a term of three characters or more.
        return column.ilike(f"%{_escaped(term)}%", escape="\\")  # type: ignore[no-any-return]
    return func.instr(func.lower(column), term.lower()) > 0


def _trigram_match(terms: Sequence[str]) -> str | None:
    """An FTS5 query for rows holding every trigram of the long terms (None: no long
    term). Only candidates: the index keeps no positions, so the text is checked."""
    grams = {term[n : n + TRIGRAM] for term in terms for n in range(len(term) - TRIGRAM + 1)}
    if not grams:
        return None
    return " AND ".join('"' + gram.replace('"', '""') + '"' for gram in sorted(grams))


def _filters(query: SearchQuery, scope: Scope, dialect: str) -> list[ColumnElement[bool]]:
    where = [visible_at(s, scope.position)]
    if scope.tenants is not None:
        where.append(s.c.tenant_id.in_(sorted(set(scope.tenants))))
    if scope.kinds is not None:
        where.append(s.c.kind.in_(sorted(set(scope.kinds))))
    where.extend(_holds(s.c.body, term, dialect) for term in query.terms)
    few = scope.tenants is not None and len(set(scope.tenants)) <= SCANNED_TENANTS
    if dialect == "sqlite" and not few:
        trigrams = _trigram_match(query.terms)
        if trigrams is not None:
            candidates = (
                text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :trigrams")
                .bindparams(trigrams=trigrams)
                .columns(rowid=Integer)
            )
            where.append(literal_column(f"{s.name}.rowid").in_(candidates))
    return where


def _tier(query: SearchQuery, dialect: str) -> ColumnElement[int]:
    """How many terms the title lacks."""
    missing = [case((_holds(s.c.title, term, dialect), 0), else_=1) for term in query.terms]
    total: ColumnElement[int] = missing[0]
    for more in missing[1:]:
        total = total + more
    return total


def _order(query: SearchQuery, dialect: str) -> list[tuple[ColumnElement[Any], bool]]:
    """The sort key: each expression and whether it ascends."""
    return [
        (_tier(query, dialect), True),
        (s.c.written_at, False),
        (s.c.tenant_id, True),
        (s.c.kind, True),
        (s.c.record_id, True),
    ]


def _past(order: list[tuple[ColumnElement[Any], bool]], values: Sequence[Any]) -> Any:
    """Rows strictly past a sort key's values (each expression in its own direction)."""
    steps = []
    for n, (expression, ascending) in enumerate(order):
        ties = [e == v for (e, _), v in zip(order[:n], values[:n], strict=True)]
        beyond = expression > values[n] if ascending else expression < values[n]
        steps.append(and_(*ties, beyond))
    return or_(*steps)


def hits(
    reader: Reader,
    query: SearchQuery,
    scope: Scope,
    *,
    first: int,
    after: Sequence[Any] | None = None,
    backward: bool = False,
) -> tuple[list[Any], bool, bool]:
    """A page of hits past the sort key ``after`` (forward, or backward towards the
    start); also whether more follow it, and whether any lie at or before ``after``."""
    with reader.connect() as conn:
        dialect = conn.dialect.name
        order = _order(query, dialect)
        if backward:
            order = [(expression, not ascending) for expression, ascending in order]
        where = _filters(query, scope, dialect)
        statement = select(s, order[0][0].label("tier")).where(*where)
        if after is not None:
            statement = statement.where(_past(order, after))
        sort = [e.asc() if ascending else e.desc() for e, ascending in order]
        rows = list(conn.execute(statement.order_by(*sort).limit(first + 1)))
        behind = False
        if after is not None:
            other = select(s.c.tenant_id).where(*where, ~_past(order, after)).limit(1)
            behind = conn.execute(other).first() is not None
    return rows[:first], len(rows) > first, behind


def count(reader: Reader, query: SearchQuery, scope: Scope) -> int:
    """How many hits the query has in the scope."""
    with reader.connect() as conn:
        inner = select(s.c.tenant_id).where(*_filters(query, scope, conn.dialect.name))
        return int(conn.execute(select(func.count()).select_from(inner.subquery())).scalar_one())


def sort_key(row: Any) -> list[Any]:
    """A hit's sort key: the values of its cursor."""
    return [int(row.tier), row.written_at, row.tenant_id, row.kind, row.record_id]


@dataclass(frozen=True)
class Excerpt:
    """Where in a hit's text the query was found: the field, and text around the match."""

    field: int
    """The index of the field among its kind's searched fields."""
    text: str


def excerpt(body: str, terms: Sequence[str]) -> Excerpt:
    """The text around the first place a term is found (in the first field holding
    one), cut at about ``SNIPPET_BEFORE`` characters before and ``SNIPPET_AFTER``
    after, with runs of white space made one space."""
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    fields = body.split(SEPARATOR)
    for n, value in enumerate(fields):
        found = pattern.search(value)
        if found is not None:
            return Excerpt(n, _around(value, found.start(), found.end()))
    return Excerpt(0, _around(fields[0], 0, 0))


def _around(value: str, start: int, end: int) -> str:
    begin = max(start - SNIPPET_BEFORE, 0)
    stop = min(end + SNIPPET_AFTER, len(value))
    shown = " ".join(value[begin:stop].split())
    return ("…" if begin > 0 else "") + shown + ("…" if stop < len(value) else "")
