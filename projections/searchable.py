"""What search finds: one ``Searchable`` per kind of hit (``projections.search_index``).

A new kind is one declaration here: its read record, the columns searched and the
title. The index follows the record's rows from then on (``gongjian rebuild`` fills
it for records projected before), and GraphQL's ``SearchKind`` gains the kind.
"""

from __future__ import annotations

from domain.agenda import ItemStatus
from domain.commitments import CommitmentStatus
from projections import tables, tables_affairs, tables_engagement
from projections.search_index import Indexing, Searchable, by_table
from projections.temporal import TemporalBackend

SEARCHABLE: tuple[Searchable, ...] = (
    Searchable(
        "meeting",
        "会议",
        tables.MEETINGS,
        "Meeting",
        title="title",
        texts=("title", "location"),
        description="a meeting, by its title and location",
    ),
    Searchable(
        "minutes",
        "会议纪要",
        tables.MEETINGS,
        "Meeting",
        title="title",
        texts=("minutes",),
        description="a meeting's minutes, as issued or last corrected",
    ),
    Searchable(
        "agenda_item",
        "议题",
        tables.AGENDA_ITEMS,
        "AgendaItem",
        title="title",
        texts=("title",),
        hidden={"status": frozenset({ItemStatus.WITHDRAWN.value})},
        description="an agenda item, until it is withdrawn",
    ),
    Searchable(
        "resolution",
        "决议",
        tables.RESOLUTIONS,
        "Resolution",
        title="title",
        texts=("title", "action"),
        description="a resolution, by its title and the action it asks for",
    ),
    Searchable(
        "commitment",
        "承诺",
        tables_engagement.COMMITMENTS,
        "Commitment",
        title="text",
        texts=("text", "category"),
        hidden={"status": frozenset({CommitmentStatus.WITHDRAWN.value})},
        description="a public commitment, by its text and category, until it is withdrawn",
    ),
    Searchable(
        "affair",
        "居民事务",
        tables_affairs.AFFAIRS,
        "Affair",
        title="matter",
        texts=("matter", "result"),
        description="a resident's affair, by what was asked and the result (never the "
        "resident's name)",
    ),
)

BY_KIND = {kind.kind: kind for kind in SEARCHABLE}
_BY_TABLE = by_table(SEARCHABLE)


def indexing(backend: TemporalBackend) -> Indexing:
    """The backend one event's handler writes through, keeping the index in step."""
    return Indexing(backend, _BY_TABLE)
