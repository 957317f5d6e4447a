"""Field-level history in GraphQL: what an event, or a range of a tenant's log,
changed, record by record and field by field (``projections.changes`` finds it).

Values are shown as the record's own fields show them to the reader: a personal
field is masked by its declared rule (``projections.records.Personal``,
``api.graphql.personal.MASKS``) unless the reader may see that person's data, so
a diff never says what the field itself hides. A field is named as GraphQL names
it (camelCase of its shown name; a column GraphQL does not show goes by its own
name, camelCased).
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import json
from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON
from strawberry.utils.str_converters import to_camel_case

from api.graphql import personal
from api.graphql.paging import MAX_PAGE, Connection, Edge, PageInfo, Window
from api.graphql.types import Ctx
from projections import changes
from projections.records import Field, Record

# A record's key is shown as it is (it names the record): none may hold personal data.
assert not [
    (record.name, field.name)
    for record in changes.temporal_records()
    for field in record.fields
    if field.personal is not None and field.name in record.key_columns
], "a key column holds personal data"


@strawberry.enum(description="What a change did to a record.")
class ChangeKind(Enum):
    CREATED = "created"
    CHANGED = "changed"
    ENDED = "ended"


@strawberry.type(description="One field of a record, before and after a change.")
class FieldChange:
    field: str = strawberry.field(
        description="the field's name in GraphQL (camelCase; a column GraphQL does not "
        "show goes by its own name)"
    )
    before: JSON | None = strawberry.field(
        description="its value before (null: the record did not exist, or the field was "
        "null); masked as the field itself is for this reader"
    )
    after: JSON | None = strawberry.field(
        description="its value after (null: the record ended, or the field is null); "
        "masked as the field itself is for this reader"
    )


def shown_name(field: Field) -> str:
    """The name a field goes by in a change (that of its GraphQL field)."""
    return to_camel_case(field.shown_name)


def _plain(value: Any) -> Any:
    """A column's value as JSON (moments and dates as ISO 8601, as GraphQL shows them)."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _shown(info: Ctx, field: Field, version: changes.Version | None) -> Any:
    """A field's value in ``version`` as this reader may see it."""
    if version is None:
        return None
    value = version[field.name]
    rule = field.personal
    if value is None or rule is None or info.context.sees_personal(version[rule.owner]):
        return _plain(value)
    return _plain(personal.MASKS[rule.masking](value))


@strawberry.type(
    description="A record as a change left it: its key, its version before and after "
    "(every field, masked as the record's own fields are for this reader) and the fields "
    "that differ. `version` is never among them: the event's own says it."
)
class RecordChange:
    change: strawberry.Private[changes.RecordChange]

    @strawberry.field(description="the read table the record lives in, e.g. rm_meetings")
    def table(self) -> str:
        return self.change.record.name

    @strawberry.field(
        description="the record's key: its key fields by name, e.g. "
        '{"meetingId": "…", "id": "lift"} for an agenda item'
    )
    def key(self) -> JSON:
        return JSON(_key_object(self.change))

    @strawberry.field(
        description="the key's values joined by '/' (an agenda item: '<meetingId>/<itemId>', "
        "as in history)"
    )
    def record_id(self) -> str:
        return "/".join(str(value) for value in self.change.key)

    @strawberry.field
    def kind(self) -> ChangeKind:
        return ChangeKind(self.change.kind.value)

    @strawberry.field(description="the fields whose values differ, in declared order")
    def fields(self, info: Ctx) -> list[FieldChange]:
        return [
            FieldChange(
                field=shown_name(found.field),
                before=_shown(info, found.field, self.change.before),
                after=_shown(info, found.field, self.change.after),
            )
            for found in self.change.fields
        ]

    @strawberry.field(description="the version before, field by field (null: created)")
    def before(self, info: Ctx) -> JSON | None:
        return _version(info, self.change.record, self.change.before)

    @strawberry.field(description="the version after, field by field (null: ended)")
    def after(self, info: Ctx) -> JSON | None:
        return _version(info, self.change.record, self.change.after)


def _key_object(change: changes.RecordChange) -> dict[str, Any]:
    fields = {field.name: field for field in change.record.fields}
    names = [
        shown_name(fields[column]) if column in fields else to_camel_case(column)
        for column in change.record.key_columns
    ]
    return {name: _plain(value) for name, value in zip(names, change.key, strict=True)}


def _version(info: Ctx, record: Record, version: changes.Version | None) -> JSON | None:
    if version is None:
        return None
    return JSON({shown_name(f): _shown(info, f, version) for f in changes.compared(record)})


async def of_event(info: Ctx, tenant_id: str, position: int) -> list[RecordChange]:
    """What the event at ``position`` of the tenant's log changed (batched: a page of
    events costs one query per record, see ``Loaders.changes``)."""
    found = await info.context.loaders.changes.load((tenant_id, position))
    return [RecordChange(change=change) for change in found]


# Cursors of a list of changes: the record's table and key, so that a cursor stays a
# place in the list whatever the page size.


def _ident(change: changes.RecordChange, order: dict[str, int]) -> tuple[Any, ...]:
    return (order[change.record.name], *change.key)


def _encode(change: changes.RecordChange) -> str:
    text = json.dumps([change.record.name, *map(_plain, change.key)], ensure_ascii=False)
    return base64.urlsafe_b64encode(f"r:{text}".encode()).decode()


def _decode(cursor: str, order: dict[str, int]) -> tuple[Any, ...]:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not text.startswith("r:"):
            raise ValueError("not a cursor of changes")
        values = json.loads(text[2:])
        if not (isinstance(values, list) and values and values[0] in order):
            raise ValueError("not a cursor of changes")
        return (order[values[0]], *values[1:])
    # binascii, UnicodeDecode and JSON errors are ValueErrors; a list as the table's
    # name a TypeError.
    except (ValueError, TypeError) as error:
        raise GraphQLError(
            f"malformed cursor {cursor!r}", extensions={"code": "BAD_USER_INPUT"}
        ) from error


def _index(idents: list[tuple[Any, ...]], cursor: tuple[Any, ...], *, past: bool) -> int:
    """Where ``cursor`` falls in ``idents``: the first index past it (``past``) or the
    first at or past it."""
    try:
        return (bisect.bisect_right if past else bisect.bisect_left)(idents, cursor)
    except TypeError as error:  # a key value of another type than the list's
        raise GraphQLError("malformed cursor", extensions={"code": "BAD_USER_INPUT"}) from error


def page_changes(found: list[changes.RecordChange], window: Window) -> Connection[RecordChange]:
    """One page of ``found`` (in the order ``projections.changes.between`` gives), both
    ways, with the same cursor and page-size rules as every other connection."""
    order = {record.name: n for n, record in enumerate(changes.temporal_records())}
    idents = [_ident(change, order) for change in found]
    forward = window.last is None
    size = window.first if forward else (window.last or 0)
    if not 1 <= size <= MAX_PAGE:
        name = "first" if forward else "last"
        raise GraphQLError(
            f"{name} must be between 1 and {MAX_PAGE}", extensions={"code": "BAD_USER_INPUT"}
        )
    cursor_text = window.after if forward else window.before
    if forward:
        start = 0 if cursor_text is None else _index(idents, _decode(cursor_text, order), past=True)
        end = min(start + size, len(found))
        has_next, has_previous = end < len(found), start > 0
    else:
        end = (
            len(found)
            if cursor_text is None
            else _index(idents, _decode(cursor_text, order), past=False)
        )
        start = max(end - size, 0)
        has_next, has_previous = end < len(found), start > 0
    edges = [Edge(cursor=_encode(c), node=RecordChange(change=c)) for c in found[start:end]]

    async def count() -> int:
        return len(found)

    info = PageInfo(
        has_next_page=has_next,
        has_previous_page=has_previous,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=info, count=count)


async def changes_between(
    info: Ctx, tenant_id: str, start: int, end: int, window: Window
) -> Connection[RecordChange]:
    """The records of a tenant that changed in ``(start, end]``, a page of them."""
    found = await asyncio.to_thread(changes.between, info.context.reads, tenant_id, start, end)
    return page_changes(found, window)
