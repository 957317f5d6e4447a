"""``GET /tenants/{tenant_id}/export``: the tenant's export file, streamed
(docs/export-format.md), for those the read policy lets audit it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import StreamingResponse

from api.problems import PROBLEM_RESPONSES
from api.rest.routes import TENANT_PATTERN, CurrentPrincipal
from tenants.pipeline.read_policy import authorise_read
from tenants.store import keys
from tenants.tenant_exports import prepare_export

MEDIA_TYPE = "application/vnd.gongjian.export"
SUFFIX = ".gongjian-export"


def export_router() -> APIRouter:
    """The export route."""
    router = APIRouter()
    router.add_api_route(
        "/tenants/{tenant_id}/export",
        export_tenant,
        methods=["GET"],
        tags=["verification"],
        operation_id="export_tenant",
        response_class=StreamingResponse,
        responses={
            200: {
                "description": "the export file (gongjian-export/v1): check it offline with "
                "'gongjian verify-export'",
                "content": {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            },
            **PROBLEM_RESPONSES,
        },
    )
    return router


def export_tenant(
    request: Request,
    principal: CurrentPrincipal,
    tenant_id: Annotated[str, Path(pattern=TENANT_PATTERN)],
) -> Any:
    """Export the tenant's whole log, its signed checkpoints and the platform's public
    keys as one file, signing a fresh checkpoint first when the server holds the
    signing key. Auditors, street admins of the tenant or its street, and the
    platform admin."""
    platform = request.app.state.platform
    authorise_read(platform.pipeline.policy, principal, "export_tenant", tenant_id)
    prepared = prepare_export(
        platform.engine, platform.pipeline.directory, tenant_id, keys.configured()
    )
    return StreamingResponse(
        prepared.pieces(platform.engine),
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{tenant_id}{SUFFIX}"'},
    )
