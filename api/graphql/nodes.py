"""Global object identification: every record with an id can be refetched by one
opaque global id, through ``node(id:)``, as Relay's Node interface does.

A record's ``id`` keeps its meaning (the record's own id within its tenant, as
integrators use it); its global id is ``nodeId`` (docs/decisions/0005-node-ids.md).
The global id names the GraphQL type, the tenant and the record's key columns;
``node(id:)`` reads it through the same checks as any other read: the tenant must be
readable by the principal (else null, as for an unknown id), row security holds on
PostgreSQL, and the type masks personal data as it does everywhere.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from api.graphql.loaders import Context
from projections import queries
from projections.records import Record

_TYPES: dict[str, tuple[type[Any], Record]] = {}
"""GraphQL type name -> the type and the read record its rows come from."""


def register(cls: type[Any], record: Record) -> None:
    """Make ``cls`` (a type implementing Node over ``record``) refetchable."""
    _TYPES[cls.__name__] = (cls, record)


def of_row(type_name: str, row: Any) -> Node:
    """A row of the record behind ``type_name`` (a type implementing Node), as that type."""
    cls, _ = _TYPES[type_name]
    node: Node = cls(row=row)
    return node


def global_id(type_name: str, tenant_id: str, key: list[Any]) -> str:
    """The opaque global id of a record of ``type_name``."""
    return base64.urlsafe_b64encode(json.dumps([type_name, tenant_id, *key]).encode()).decode()


def decode(node_id: str) -> tuple[str, str, list[Any]]:
    """Type name, tenant and key of a global id; a malformed one is bad input."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(node_id.encode()))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = None
    if not (
        isinstance(decoded, list) and len(decoded) >= 2 and all(isinstance(v, str) for v in decoded)
    ):
        raise GraphQLError(f"malformed node id {node_id!r}", extensions={"code": "BAD_USER_INPUT"})
    return decoded[0], decoded[1], decoded[2:]


@strawberry.interface(description="A record that `node(id:)` refetches by its global id.")
class Node:
    @strawberry.field(
        description="opaque global id, for `node(id:)` (`id` is the record's id in its tenant)"
    )
    def node_id(self) -> strawberry.ID:
        _, record = _TYPES[type(self).__name__]
        row: Any = getattr(self, "row")  # noqa: B009  (every Node wraps a record's row)
        key = [getattr(row, column) for column in record.keys]
        return strawberry.ID(global_id(type(self).__name__, row.tenant_id, key))


async def refetch(info: Info[Context, None], node_id: str) -> Node | None:
    """The record a global id names, if the principal may read its tenant."""
    type_name, tenant_id, key = decode(node_id)
    found = _TYPES.get(type_name)
    if found is None or len(key) != len(found[1].keys):
        return None
    cls, record = found
    # The one way to a tenant's rows: another tenant's record answers like an unknown one.
    if not await asyncio.to_thread(info.context.readable, tenant_id):
        return None
    table = record.table
    rows = await asyncio.to_thread(
        queries.select_visible,
        info.context.reads,
        table,
        tenant_id,
        *(table.c[column] == value for column, value in zip(record.keys, key, strict=True)),
        position=info.context.position(info, tenant_id),
    )
    return cls(row=rows[0]) if rows else None
