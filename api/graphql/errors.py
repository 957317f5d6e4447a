"""Malformed GraphQL gets a 400 with a machine-readable code, not a 200."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from cross_web import HTTPException
from fastapi import Response
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from api.graphql.loaders import Context
from api.problems import ApiProblem
from tenants.store import row_security

CLIENT_ERROR_CODES = {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"}


class ProblemGraphQLRouter(GraphQLRouter[Context, None]):
    """Adds an error ``code`` to every GraphQL error; a refused document answers 400;
    a request that is not GraphQL over HTTP at all answers a problem document."""

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        context: Context | None = kwargs.get("context")
        # Every transaction of this request sees only the tenants its principal reads.
        scope = await asyncio.to_thread(context.reading_scope) if context else []
        try:
            with row_security.reading_only(scope):
                return await super().run(*args, **kwargs)
        except HTTPException as error:
            raise ApiProblem(error.status_code, "graphql-request-invalid", error.reason) from None

    def parse_json(self, data: str | bytes) -> Any:
        parsed = super().parse_json(data)
        # A JSON body that is not an object (null, 42, "text") is not a GraphQL request.
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "the body must be a JSON object with a `query`")
        return parsed

    def encode_json(self, data: object) -> str:
        # Chinese text stays readable in raw responses and logs.
        return json.dumps(data, ensure_ascii=False)

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        if isinstance(response_data, dict) and response_data.get("data") is None:
            errors: list[Any] = list(response_data.get("errors") or [])
            codes = {(e.get("extensions") or {}).get("code") for e in errors}
            if codes:
                # A refused document is the client's fault; a failed execution is ours.
                sub_response.status_code = 500 if codes == {"INTERNAL"} else 400
        return super().create_response(response_data, sub_response)

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        data: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            data["errors"] = [
                _with_code(dict(error.formatted), result.data) for error in result.errors
            ]
        if result.extensions:
            data["extensions"] = result.extensions
        return data


def _with_code(formatted: dict[str, Any], data: Any) -> dict[str, Any]:
    extensions = dict(formatted.get("extensions") or {})
    if "code" not in extensions:
        # An error without a path is about the document itself (syntax, validation,
        # limits); one with a path happened while resolving a field.
        extensions["code"] = "INTERNAL" if formatted.get("path") else "GRAPHQL_VALIDATION_FAILED"
    return {**formatted, "extensions": extensions}
