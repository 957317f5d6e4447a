"""The search index: the searchable text of records, as a temporal read model.

Each kind of search hit is declared once, as a ``Searchable`` (``projections.searchable``):
the read record it comes from, the columns whose text is searched, the column shown as
its title, and the values of a column that take a record out of search (a withdrawn
agenda item). Nothing else is written per kind: ``Indexing`` watches the rows the
handlers write to those records and keeps ``rm_search`` in step, in the same
transaction and through the same temporal helpers (so tracking, folding, rebuilds,
row security and ``atPosition`` treat it as any other read model).

One row per (kind, record): ``body`` is the record's searched fields joined by a
control character, which a query may not contain, so no match spans two fields.
SQLite indexes ``body`` with an FTS5 trigram table kept by triggers; PostgreSQL with a
``pg_trgm`` GIN index (docs/decisions/0009-chinese-search.md).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    event,
    text,
)

from projections.context import Applied
from projections.records import TENANT, Record, UtcDateTime, read_metadata
from projections.temporal import Match, Row, TemporalBackend, close, put, temporal_columns

SEPARATOR = "\x1f"
"""Between a record's searched fields: a query never holds a control character."""
TITLE_LENGTH = 120
"""A title longer than this (a commitment's text) is cut: it is shown, not searched."""
FTS_TABLE = "rm_search_text"

# Full-width digits and Latin letters (an input method's ３号楼, ＷＩＦＩ) are searched as
# their ASCII forms. One character for one, so positions in the text stay put; other
# full-width forms (，：（）) are Chinese punctuation and stay as they are.
_NARROW = str.maketrans(
    {
        **{0xFF10 + n: 0x30 + n for n in range(10)},
        **{0xFF21 + n: 0x41 + n for n in range(26)},
        **{0xFF41 + n: 0x61 + n for n in range(26)},
    }
)

logger = logging.getLogger(__name__)


def fold(value: str) -> str:
    """Text as it is indexed and searched: full-width digits and letters made ASCII."""
    return value.translate(_NARROW)


search_entries = Table(
    "rm_search",
    read_metadata,
    Column("tenant_id", String(TENANT), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("record_id", String(200), nullable=False),  # its key values joined by "/"
    Column("record_key", JSON(), nullable=False),  # its key values, for its global id
    Column("title", Text(), nullable=False),
    Column("body", Text(), nullable=False),
    Column("written_at", UtcDateTime(), nullable=False),  # when this text was recorded
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "kind", "record_id", "valid_from"),
)

# SQLite: an FTS5 index of ``body`` (trigrams, case folded), its text read from
# rm_search itself (external content, by rowid) and kept by triggers. Positions are
# not stored (detail=none): it only proposes rows holding every trigram of a term, and
# the query checks the text of those. VACUUM keeps rowids of such a table in practice,
# but SQLite does not promise it: `gongjian rebuild` recreates the index.
_SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "body, content='rm_search', tokenize='trigram', detail='none')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_added AFTER INSERT ON rm_search BEGIN"
    f" INSERT INTO {FTS_TABLE} (rowid, body) VALUES (new.rowid, new.body); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_removed AFTER DELETE ON rm_search BEGIN"
    f" INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, body) VALUES ('delete', old.rowid, old.body);"
    " END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_changed AFTER UPDATE OF body ON rm_search BEGIN"
    f" INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, body) VALUES ('delete', old.rowid, old.body);"
    f" INSERT INTO {FTS_TABLE} (rowid, body) VALUES (new.rowid, new.body); END",
]
# PostgreSQL: pg_trgm's GIN index answers ILIKE '%term%' for terms of three characters
# or more. Creating the extension needs the CREATE privilege on the database (or a
# superuser) once; `gongjian migrate` runs as the tables' owner.
_POSTGRES_EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"
_POSTGRES_INDEX = (
    "CREATE INDEX IF NOT EXISTS rm_search_body_trgm ON rm_search USING gin (body gin_trgm_ops)"
)
_TRIGRAMS_OF_CHINESE = text("SELECT cardinality(show_trgm('加装电梯')) > 0")


def _before_create(target: Table, connection: Connection, **_: Any) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(_POSTGRES_EXTENSION)


def _after_create(target: Table, connection: Connection, **_: Any) -> None:
    if connection.dialect.name == "sqlite":
        for statement in _SQLITE_CREATE:
            connection.exec_driver_sql(statement)
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(_POSTGRES_INDEX)
        if not connection.execute(_TRIGRAMS_OF_CHINESE).scalar():
            # Search still answers (every candidate's text is checked), unhelped by the index.
            logger.warning(
                "pg_trgm finds no trigrams in Chinese text: this database's LC_CTYPE "
                "(%s) does not class Chinese characters as letters, so searches read "
                "every row in scope (docs/search.md)",
                connection.exec_driver_sql("SHOW lc_ctype").scalar(),
            )


def _before_drop(target: Table, connection: Connection, **_: Any) -> None:
    if connection.dialect.name == "sqlite":
        # Its triggers go with rm_search; the FTS table is a table of its own.
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")


event.listen(search_entries, "before_create", _before_create)
event.listen(search_entries, "after_create", _after_create)
event.listen(search_entries, "before_drop", _before_drop)


@dataclass(frozen=True)
class Document:
    """What the index holds of one record for one kind."""

    title: str
    body: str


@dataclass(frozen=True, eq=False)  # one declaration per kind: equal only to itself
class Searchable:
    """One kind of search hit, declared once: the read record it comes from (one hit
    per record), the columns searched (in order) and the one shown as its title.

    ``hidden`` takes a record out of search while a column holds one of the values
    given (a withdrawn agenda item); a record whose searched columns are all empty is
    not in it either (a meeting's minutes before they are issued). No searched or
    shown column may hold personal data: the index is read by everyone who reads the
    tenant, and masking cannot apply to a match.
    """

    kind: str
    """Its name in GraphQL's SearchKind (upper-cased)."""
    label: str
    """Its Chinese name."""
    record: Record
    node_type: str
    """The GraphQL type that shows the record (``node(id:)`` fetches it)."""
    title: str
    texts: tuple[str, ...]
    hidden: Mapping[str, frozenset[Any]] = field(default_factory=dict)
    description: str = ""

    def __post_init__(self) -> None:
        fields = {f.name: f for f in self.record.fields}
        named = [self.title, *self.texts, *self.hidden]
        unknown = [name for name in named if name not in fields]
        assert not unknown, f"{self.kind}: {self.record.name} has no columns {unknown}"
        personal = [name for name in (self.title, *self.texts) if fields[name].personal]
        assert not personal, f"{self.kind}: {personal} hold personal data and are never indexed"
        assert self.record.temporal and self.record.keys, f"{self.kind}: not a temporal record"

    @property
    def fields(self) -> tuple[str, ...]:
        """The GraphQL names of the searched columns, in order."""
        by_name = {f.name: f for f in self.record.fields}
        return tuple(_camel(by_name[name].shown_name) for name in self.texts)

    def key(self, row: Row) -> tuple[Any, ...]:
        """The record's key (after its tenant)."""
        return tuple(row[name] for name in self.record.keys)

    def document(self, row: Row | None) -> Document | None:
        """What the index holds of the record in this row (None: nothing)."""
        if row is None or any(row.get(name) in values for name, values in self.hidden.items()):
            return None
        texts = [fold(row.get(name) or "") for name in self.texts]
        if not any(texts):
            return None
        title = fold(row.get(self.title) or "")
        if len(title) > TITLE_LENGTH:
            title = title[: TITLE_LENGTH - 1] + "…"
        return Document(title, SEPARATOR.join(texts))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


Seen = tuple[Table, tuple[Any, ...]]


class Indexing:
    """A ``TemporalBackend`` over the event's own that also keeps the search index:
    it notes each searchable record's row before the event and after it, and at the
    end of the event (``finish``) brings the record's search rows in step when the
    text they index changed. A version that only moved the record on (a sign-in
    rewrites its meeting) costs no statement."""

    def __init__(
        self, backend: TemporalBackend, kinds: Mapping[Table, Sequence[Searchable]]
    ) -> None:
        self.backend = backend
        self.kinds = kinds
        self._before: dict[Seen, Row | None] = {}
        self._after: dict[Seen, Row | None] = {}

    def _key(self, table: Table, row: Row) -> Seen:
        return table, self.kinds[table][0].key(row)

    def _was(self, seen: Seen, row: Row | None) -> None:
        # The first row an event touches of a record is its row before the event
        # (or none, when the event adds the record).
        self._before.setdefault(seen, row)

    def insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        self.backend.insert(table, rows)
        if table in self.kinds:
            for row in rows:
                seen = self._key(table, row)
                self._was(seen, None)
                self._after[seen] = row

    def current_rows(self, table: Table, match: Match) -> Sequence[Row]:
        return self.backend.current_rows(table, match)

    def count_current(self, table: Table, match: Match) -> int:
        return self.backend.count_current(table, match)

    def first_value(self, table: Table, column: str, match: Match) -> Any:
        return self.backend.first_value(table, column, match)

    def update(self, table: Table, row: Row, values: dict[str, Any]) -> None:
        self.backend.update(table, row, values)
        if table in self.kinds:
            seen = self._key(table, row)
            self._was(seen, row)
            if values.get("valid_to") is not None:
                self._after[seen] = None
            else:
                self._after[seen] = {**(self._after.get(seen) or row), **values}

    def delete(self, table: Table, row: Row) -> None:
        self.backend.delete(table, row)
        if table in self.kinds:
            seen = self._key(table, row)
            self._was(seen, row)
            self._after[seen] = None

    def close_record(self, table: Table, id_column: str, key: dict[str, Any]) -> Sequence[Row]:
        closed = self.backend.close_record(table, id_column, key)
        if table in self.kinds:
            for row in closed:
                seen = self._key(table, row)
                self._was(seen, row)
                self._after[seen] = None
        return closed

    def amend_record(
        self, table: Table, id_column: str, key: dict[str, Any], values: dict[str, Any]
    ) -> None:
        self.backend.amend_record(table, id_column, key, values)
        if table in self.kinds:
            # Amended: the version this event wrote, so already noted (else none was).
            seen = (table, (key["key_record"],))
            written = self._after.get(seen)
            if written is not None:
                self._after[seen] = {**written, **values}

    def finish(self, a: Applied) -> None:
        """Bring the search rows of the records this event changed in step."""
        for seen, after in self._after.items():
            table, key = seen
            before = self._before.get(seen)
            for kind in self.kinds[table]:
                was, now = kind.document(before), kind.document(after)
                if was == now:
                    continue
                record_id = "/".join(str(value) for value in key)
                match = {"tenant_id": a.tenant_id, "kind": kind.kind, "record_id": record_id}
                if now is None:
                    close(a, search_entries, match)
                else:
                    # put, not add: an index created after its records were (an upgrade
                    # not yet rebuilt) gains them as they change.
                    put(
                        a,
                        search_entries,
                        match,
                        record_key=list(key),
                        title=now.title,
                        body=now.body,
                        written_at=a.recorded_at,
                    )
        self._before.clear()
        self._after.clear()


def by_table(kinds: Sequence[Searchable]) -> dict[Table, list[Searchable]]:
    """The kinds each record table feeds (a meeting feeds two: itself and its minutes)."""
    found: dict[Table, list[Searchable]] = {}
    for kind in kinds:
        found.setdefault(kind.record.table, []).append(kind)
    for table, fed in found.items():
        assert len({k.record.keys for k in fed}) == 1, f"{table.name}: kinds keyed alike"
    return found
