"""``GET /public/communities/{community_id}``: a community's public page, no token.

The route runs one fixed GraphQL document (api/graphql/public_page.py) as a public
reader of that community only, with every transaction narrowed to that tenant by
row security: whatever the request sends, it reads that page and nothing else.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from api.graphql.loaders import Context
from api.graphql.public_page import PAGE_QUERY, public_reader, public_schema
from api.problems import PROBLEM_RESPONSES
from api.rest.routes import TENANT_PATTERN
from domain.errors import NotFound
from tenants.store import row_security


def public_page_router() -> APIRouter:
    """The public page route."""
    router = APIRouter()
    router.add_api_route(
        "/public/communities/{community_id}",
        public_page,
        methods=["GET"],
        tags=["public"],
        operation_id="public_page",
        responses={
            200: {"description": "the community's public page (PublicPage in the GraphQL "
                  "schema's terms)",
                  "content": {"application/json": {"schema": {"type": "object"}}}},
            **PROBLEM_RESPONSES,
        },
    )  # fmt: skip
    return router


async def public_page(
    request: Request,
    community_id: Annotated[str, Path(pattern=TENANT_PATTERN)],
) -> Any:
    """A community's public page, with no token: published and fulfilled commitments
    with milestones' progress and satisfaction, resolutions adopted and their status,
    closed affairs without the residents. A street and an unknown id answer 404 alike.
    Rate-limited per client address as GraphQL is per principal."""
    client = request.client.host if request.client is not None else "unknown"
    reader = public_reader(community_id, client)
    limit = request.app.state.graphql_rate_limit
    if limit is not None:
        limit.take(reader)
    context = Context(request.app.state.platform, reader)
    try:
        with row_security.reading_only([community_id]):
            result = await public_schema.execute(
                PAGE_QUERY, variable_values={"community": community_id}, context_value=context
            )
    finally:
        context.reads.close()
    if result.errors:
        # Not the client's fault: the server's own handling answers it as a 500.
        raise result.errors[0].original_error or RuntimeError(result.errors[0].message)
    page = (result.data or {}).get("publicPage")
    if page is None:
        raise NotFound(f"no community {community_id}")
    return JSONResponse(page)
