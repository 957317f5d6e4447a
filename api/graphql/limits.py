"""Limits checked before a GraphQL query runs: its cost and its aliases.

A query's cost counts every field it selects, multiplied by the sizes of the
lists around it: a page asked for with ``first: n`` counts n, a list without
paging counts ``LIST_GUESS``. The README tour's tenant page costs about 6,000; a
query repeating a costly page under 150 aliases costs hundreds of thousands and is
refused with ``QUERY_TOO_COSTLY`` before a single row is read.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension

MAX_COST_SETTING = "GONGJIAN_GRAPHQL_MAX_COST"
DEFAULT_MAX_COST = 20_000
MAX_ALIASES = 30
LIST_GUESS = 10  # rows assumed in a list that is not paged (agenda, attendance, history)
PAGED_LISTS = ("nodes", "edges")  # their size is the connection's `first`


def max_cost() -> int:
    """The configured cost limit (``GONGJIAN_GRAPHQL_MAX_COST``, default 20,000)."""
    return int(os.environ.get(MAX_COST_SETTING, DEFAULT_MAX_COST))


class QueryCostLimiter(SchemaExtension):
    """Refuse a query whose cost is over the limit, before it executes."""

    limit = DEFAULT_MAX_COST

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            schema = context.schema._schema
            cost = query_cost(schema, document.definitions, context.operation_name,
                              context.variables or {})  # fmt: skip
            if cost > self.limit:
                error = GraphQLError(
                    f"this query costs {cost}, over the limit of {self.limit}: ask for "
                    "smaller pages or fewer fields",
                    extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "limit": self.limit},
                )
                context.result = GraphQLExecutionResult(data=None, errors=[error])
        yield


def cost_limiter(limit: int) -> type[QueryCostLimiter]:
    """The extension with ``limit`` as its limit."""
    return type("ConfiguredQueryCostLimiter", (QueryCostLimiter,), {"limit": limit})


def query_cost(
    schema: GraphQLSchema,
    definitions: Any,
    operation_name: str | None,
    variables: Mapping[str, Any],
) -> int:
    """The cost of the operation that would run."""
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name is not None and o.name.value == operation_name)
    ]
    if not chosen:
        return 0
    operation = chosen[0]
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    return _cost(schema, operation.selection_set, root, 1, fragments, variables)


def _cost(
    schema: GraphQLSchema,
    selection_set: SelectionSetNode,
    parent: GraphQLNamedType,
    multiplier: int,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> int:
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += multiplier
            fields = (
                parent.fields
                if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
                else {}
            )
            field = fields.get(selection.name.value)
            if field is None or selection.selection_set is None:
                continue
            inner = multiplier * _size(selection, field, variables)
            total += _cost(schema, selection.selection_set, get_named_type(field.type), inner,
                           fragments, variables)  # fmt: skip
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            target = schema.get_type(condition.name.value) if condition else parent
            total += _cost(schema, selection.selection_set, target or parent, multiplier,
                           fragments, variables)  # fmt: skip
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                target = schema.get_type(fragment.type_condition.name.value) or parent
                total += _cost(schema, fragment.selection_set, target, multiplier, fragments,
                               variables)  # fmt: skip
    return total


def _size(node: FieldNode, field: Any, variables: Mapping[str, Any]) -> int:
    """How many rows the field's selection is repeated for."""
    if "first" in field.args:
        for argument in node.arguments or ():
            if argument.name.value == "first":
                value = argument.value
                if isinstance(value, IntValueNode):
                    return max(int(value.value), 1)
                if isinstance(value, VariableNode):
                    given = variables.get(value.name.value)
                    return max(int(given), 1) if isinstance(given, int) else 1
        default = field.args["first"].default_value
        return int(default) if isinstance(default, int) else 1
    kind = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    if isinstance(kind, GraphQLList) and node.name.value not in PAGED_LISTS:
        return LIST_GUESS
    return 1
