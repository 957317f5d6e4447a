"""GraphQL fields derived from the read records' declarations (``projections.records``).

``@record_fields(RECORD)`` under ``@strawberry.type`` gives a type that wraps one
row (``row: strawberry.Private[Row[Any]]``) a field per declared column it shows,
and a ``<name>Label`` per labelled one, in declared order. What the type writes by
hand stays: a hand-written field named like a declared one replaces it in its
place (a nested object, a value computed from the column); the rest (computed and
related fields) follow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from api.graphql import nodes, personal
from projections.records import Field, Record

T = TypeVar("T")


def record_fields(record: Record) -> Callable[[type[T]], type[T]]:
    """Add to a type, before ``strawberry.type`` reads it, the fields ``record`` shows."""

    def add(cls: type[T]) -> type[T]:
        assert "row" in cls.__annotations__, f"{cls.__name__} wraps no row"
        # Strawberry orders fields as they appear in the class: take the type's own
        # out, then put every field back in the order shown.
        own = {n: v for n, v in vars(cls).items() if isinstance(v, StrawberryField)}
        for name in own:
            delattr(cls, name)
        for declared in record.exposed():
            name = declared.shown_name
            if declared.exposed:
                setattr(cls, name, own.pop(name, None) or _value(record, declared))
            if declared.labels is not None:
                label = f"{name}_label"
                setattr(cls, label, own.pop(label, None) or _label(declared))
        for name, written in own.items():
            setattr(cls, name, written)
        if issubclass(cls, nodes.Node):
            nodes.register(cls, record)
        return cls

    return add


def _value(record: Record, declared: Field) -> StrawberryField:
    """A field answering the row's column, masked if it holds personal data."""
    column = declared.name
    shown = declared.value_type()
    if shown is None:
        raise TypeError(
            f"{record.name}.{column} is shown but has no GraphQL type: declare "
            "`python=` or write its field by hand"
        )
    if declared.shown_name == "id":
        shown = strawberry.ID
    rule = declared.personal
    if rule is None:
        resolve = _column(column)
        resolve.__annotations__ = {"return": shown}
    else:
        resolve = _masked(column, personal.MASKS[rule.masking], rule.owner)
        resolve.__annotations__ = {"info": Info, "return": shown}
    shown_field: StrawberryField = strawberry.field(
        resolver=resolve, description=declared.description
    )
    return shown_field


def _column(column: str) -> Callable[..., Any]:
    def resolve(self: Any) -> Any:
        return getattr(self.row, column)

    return resolve


def _masked(column: str, mask: Callable[[Any], Any], owner: str) -> Callable[..., Any]:
    def resolve(self: Any, info: Info[Any, Any]) -> Any:
        value = getattr(self.row, column)
        if value is None or info.context.sees_personal(getattr(self.row, owner)):
            return value
        return mask(value)

    return resolve


def _label(declared: Field) -> StrawberryField:
    """A field answering the Chinese label of the row's enum value."""
    column, labels = declared.name, declared.labels
    assert labels is not None

    def resolve(self: Any) -> Any:
        value = getattr(self.row, column)
        return None if value is None else labels(value).label

    resolve.__annotations__ = {"return": declared.label_type()}
    label_field: StrawberryField = strawberry.field(resolver=resolve)
    return label_field
