"""Field-level changes: what an event, or a stretch of a tenant's log, did to its
read records.

Every temporal row holds the log positions between which it was its record's
current version (``projections.temporal``). So the versions an event at position
``p`` wrote are the rows with ``valid_from = p``, and the versions it replaced or
ended those with ``valid_to = p``; over a range ``(start, end]`` a record changed
if a version of it began or ended inside, and its before and after are the
versions current at ``start`` and at ``end``. Versions are matched by the record's
declared key (``Record.key_columns``). Nothing here knows an event type: every
declared temporal record is read the same way, so a new record or handler is
covered without a line here. The event feed and the history index are not
temporal and have no versions to compare.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select

import projections.tables_affairs
import projections.tables_agreements
import projections.tables_commendations
import projections.tables_engagement
import projections.tables_evidence
import projections.tables_plenary_business
import projections.tables_upward_reports
import projections.tables_webhooks  # noqa: F401  (each declares its records)
from projections import tables  # noqa: F401  (declares its records)
from projections.queries import Reader
from projections.records import Field, Record, declared

Version = Mapping[Any, Any]
"""One version of a record: a row of its table, by column name."""

SKIPPED = frozenset({"version", "valid_from", "valid_to"})
"""Columns never compared: the temporal range is what a change is found by, and a
record's ``version`` is the event's own (the history entry carries it), so it would
be in every change of every record the event's aggregate owns."""


class Kind(StrEnum):
    """What happened to a record: it began, it changed, or it ended."""

    CREATED = "created"
    CHANGED = "changed"
    ENDED = "ended"


@dataclass(frozen=True)
class FieldChange:
    """A declared field whose value differs between two versions (an absent version's
    values count as null)."""

    field: Field
    before: Any
    after: Any


@dataclass(frozen=True)
class RecordChange:
    """One record's version before and after a change (None: it did not exist)."""

    record: Record
    key: tuple[Any, ...]
    before: Version | None
    after: Version | None

    @property
    def kind(self) -> Kind:
        if self.before is None:
            return Kind.CREATED
        return Kind.ENDED if self.after is None else Kind.CHANGED

    @property
    def fields(self) -> list[FieldChange]:
        """The compared fields whose values differ, in declared order."""
        found = []
        for field in compared(self.record):
            before = None if self.before is None else self.before[field.name]
            after = None if self.after is None else self.after[field.name]
            if before != after:
                found.append(FieldChange(field, before, after))
        return found


def temporal_records() -> list[Record]:
    """Every declared temporal record, in declaration order."""
    return [record for record in declared() if record.temporal]


def compared(record: Record) -> list[Field]:
    """The declared fields a change is made of."""
    return [field for field in record.fields if field.name not in SKIPPED]


def _key(record: Record, row: Version) -> tuple[Any, ...]:
    return tuple(row[column] for column in record.key_columns)


def _current_at(version: Version, position: int) -> bool:
    valid_to = version["valid_to"]
    return bool(version["valid_from"] <= position and (valid_to is None or valid_to > position))


def _collapse(
    record: Record, versions: Iterable[Version], start: int, end: int
) -> list[RecordChange]:
    """Per record among ``versions``, the change from the version current at ``start``
    to the one current at ``end``; records ending as they began are left out."""
    by_key: dict[tuple[Any, ...], list[Version]] = defaultdict(list)
    for version in versions:
        by_key[_key(record, version)].append(version)
    found = []
    for key in sorted(by_key):
        before = next((v for v in by_key[key] if _current_at(v, start)), None)
        after = next((v for v in by_key[key] if _current_at(v, end)), None)
        change = RecordChange(record, key, before, after)
        if (before is not None or after is not None) and change.fields:
            found.append(change)
    return found


def _touched(record: Record, start: int, end: int) -> ColumnElement[bool]:
    """Versions that began or ended in ``(start, end]``."""
    t = record.table
    return or_(
        and_(t.c.valid_from > start, t.c.valid_from <= end),
        and_(t.c.valid_to > start, t.c.valid_to <= end),
    )


def at_positions(
    reader: Reader, tenant_id: str, positions: Collection[int]
) -> dict[int, list[RecordChange]]:
    """What the events at ``positions`` of a tenant's log changed, per position:
    records in declaration order, each record's keys in order. One query per record."""
    wanted = sorted(set(positions))
    found: dict[int, list[RecordChange]] = {position: [] for position in wanted}
    if not wanted:
        return found
    for record in temporal_records():
        t = record.table
        query = select(t).where(
            t.c.tenant_id == tenant_id, or_(t.c.valid_from.in_(wanted), t.c.valid_to.in_(wanted))
        )
        # A connection per record: the request's other loaders may read in between.
        with reader.connect() as conn:
            rows = conn.execute(query).mappings().all()
        at: dict[int, list[Version]] = defaultdict(list)
        for row in rows:
            at[row["valid_from"]].append(row)
            if row["valid_to"] is not None:
                at[row["valid_to"]].append(row)
        for position in wanted:
            if position in at:
                found[position] += _collapse(record, at[position], position - 1, position)
    return found


def between(reader: Reader, tenant_id: str, start: int, end: int) -> list[RecordChange]:
    """The records of a tenant that changed in ``(start, end]`` of its log, each from
    its version current at ``start`` to the one current at ``end`` (however many
    events came between); records in declaration order, keys in order. A record
    changed and changed back, or created and ended, within the range is left out.
    One query per record; it reads the two end versions of every record changed in
    the range (the caller pages the answer, not the reading)."""
    found: list[RecordChange] = []
    if end <= start:
        return found
    for record in temporal_records():
        t = record.table
        # Only a version current at one of the ends: the ones between are skipped over.
        at_an_end = or_(t.c.valid_from <= start, t.c.valid_to.is_(None), t.c.valid_to > end)
        query = select(t).where(t.c.tenant_id == tenant_id, _touched(record, start, end), at_an_end)
        with reader.connect() as conn:
            rows = conn.execute(query).mappings().all()
        found += _collapse(record, rows, start, end)
    return found
