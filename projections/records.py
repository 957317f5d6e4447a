"""Read records: each declared once, its table and its GraphQL fields derived.

A ``Record`` is one read-model table: its name, the columns that key a row (after
``tenant_id``), whether its rows are temporal, its indexes and its ``Field``s. A
``Field`` is one column (SQL type, nullability) and how readers see it: shown in
GraphQL or not, under which name and description, with the Chinese label of its
enum (``<name>Label``), masked as personal data. The table is built here, in
``read_metadata``; ``api.graphql.records`` adds a resolver per shown field to the
GraphQL type, so a type holds by hand only what is computed or related.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Dialect,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    TypeDecorator,
)
from sqlalchemy.types import TypeEngine

from domain.charters import LabelledEnum
from projections.context import utc
from projections.temporal import temporal_columns

read_metadata = MetaData()

TENANT = 64
ID = 64


class UtcDateTime(TypeDecorator[datetime]):
    """A moment stored with its time zone and read back in UTC.

    SQLite keeps no time zone (the values it stores are UTC and come back naive);
    PostgreSQL answers in the session's zone. Readers get one form from both.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else utc(value)

    @property
    def python_type(self) -> type[datetime]:
        return datetime


class Masking(StrEnum):
    """How personal data is shown to a reader who may not see it
    (``api.graphql.personal`` holds the rules)."""

    SURNAME = "surname"  # a name with only its surname
    WITHHELD = "withheld"  # null
    HIDDEN = "hidden"  # ***
    PERSON = "person"  # a {name, phone}: the surname and the telephone's last four digits


@dataclass(frozen=True)
class Personal:
    """A field holding personal data of the person or unit whose id is in ``owner``."""

    masking: Masking
    owner: str


@dataclass(frozen=True)
class Field:
    """One column of a read record and how GraphQL shows it."""

    name: str
    sql_type: TypeEngine[Any]
    nullable: bool = False
    description: str | None = None
    labels: type[LabelledEnum] | None = None
    """Its enum: GraphQL also shows ``<name>Label``, the value's Chinese label."""
    exposed: bool = True
    """Shown in GraphQL (its label is shown whenever ``labels`` is given)."""
    exposed_as: str | None = None
    """The GraphQL field's name, if not the column's (``id`` shows an ID)."""
    python: Any = None
    """The type GraphQL shows, if not the SQL type's (JSON columns need one)."""
    personal: Personal | None = None
    default: Any = None
    index: bool = False

    @property
    def shown_name(self) -> str:
        """The name of its GraphQL field (snake case)."""
        return self.exposed_as or self.name

    def value_type(self) -> Any:
        """The Python type GraphQL shows for its value (None: not derivable)."""
        if self.python is not None:
            base = self.python
        elif isinstance(self.sql_type, JSON):
            return None
        else:
            base = self.sql_type.python_type
        if self.nullable or (self.personal and self.personal.masking is Masking.WITHHELD):
            return base | None
        return base

    def label_type(self) -> Any:
        """The Python type of its label."""
        return str | None if self.nullable else str

    def column(self) -> Column[Any]:
        return Column(
            self.name, self.sql_type, nullable=self.nullable, default=self.default, index=self.index
        )


@dataclass(frozen=True, eq=False)  # one declaration per table: equal only to itself
class Record:
    """A read-model table, declared once.

    Its columns are ``tenant_id`` (unless declared among the fields), the fields in
    order, then ``valid_from``/``valid_to`` if temporal; its primary key is
    ``tenant_id``, ``keys`` and, if temporal, ``valid_from``.
    """

    name: str
    keys: tuple[str, ...]
    fields: tuple[Field, ...]
    temporal: bool = True
    indexes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    metadata: MetaData = field(default=read_metadata, repr=False, compare=False)
    table: Table = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", self._table())
        _declared.append(self)

    def _table(self) -> Table:
        names = [f.name for f in self.fields]
        missing = set(self.keys) - set(names)
        assert not missing, f"{self.name}: keys {missing} are not declared fields"
        tenant = (
            [] if "tenant_id" in names else [Column("tenant_id", String(TENANT), nullable=False)]
        )
        key = ("tenant_id", *self.keys, *(["valid_from"] if self.temporal else []))
        return Table(
            self.name,
            self.metadata,
            *tenant,
            *(f.column() for f in self.fields),
            *(temporal_columns() if self.temporal else []),
            PrimaryKeyConstraint(*key),
            *(Index(name, *columns) for name, columns in self.indexes.items()),
        )

    def exposed(self) -> list[Field]:
        """The fields GraphQL shows (a value, a label or both), in declared order."""
        return [f for f in self.fields if f.exposed or f.labels is not None]

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The columns that tell one of a tenant's records from another (a tenant's
        own row, keyed by ``tenant_id`` alone, is the only one of its kind)."""
        return self.keys or ("tenant_id",)


_declared: list[Record] = []


def declared(metadata: MetaData = read_metadata) -> list[Record]:
    """The records declared on ``metadata`` so far, in the order they were declared
    (``projections.schema`` imports every module that declares read records)."""
    return [r for r in _declared if r.metadata is metadata]


def key(name: str, length: int = ID, **options: Any) -> Field:
    """A column of ids (of this record or another)."""
    return Field(name, String(length), **options)
