"""Evidence files over HTTP: ``POST /tenants/{tenant_id}/evidence-files`` takes one
file's bytes as the request body, ``GET .../evidence-files/{sha256}`` gives them back.

The upload is a command like any other (the pipeline authorises it by its policy row,
honours its Idempotency-Key and answers problems the same way); only its body is the
file itself rather than JSON: the Content-Type is the file's type and the query's
``name`` its name, as integrators send files to object stores. The caller is
authorised before a byte of the body is read, and the body is read only up to the
size limit.

A download is authorised like the records the file belongs to: the caller must read
the tenant (``download_evidence_file`` in the read policy), and a file attached only
to residents' affairs (personal data), or to nothing yet, is served only to readers
who see personal data (an unattached one also to whoever uploaded it). The bytes are
checked against their SHA-256 on every download.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import Engine, select

from api import metrics
from api.graphql.personal import sees_personal
from api.problems import PROBLEM_RESPONSES, Problem
from api.rest.routes import TENANT_PATTERN, CurrentPrincipal, IdempotencyKey
from domain.errors import EvidenceFileTooLarge, NotFound
from domain.evidence_files import FileType
from projections.queries import visible
from projections.tables_evidence import evidence_attachments, evidence_files
from tenants.messages.evidence_files import EvidenceFileAccepted, UploadEvidenceFile
from tenants.pipeline.errors import Forbidden
from tenants.pipeline.identity import Principal
from tenants.pipeline.read_policy import authorise_read
from tenants.store import row_security

UPLOAD_PATH = "/tenants/{tenant_id}/evidence-files"
RAW_UPLOAD = r"^/tenants/[^/]+/evidence-files/?$"
"""The path whose body the upload route limits itself (app.BodyLimit leaves it)."""
SHA256_PATTERN = r"^[0-9a-f]{64}$"
PERSONAL_RECORD = "Affair"  # a record whose files are residents' personal data

TenantId = Annotated[str, Path(pattern=TENANT_PATTERN)]
FILE_BODY = {t.value: {"schema": {"type": "string", "format": "binary"}} for t in FileType}
UPLOAD_PROBLEMS = {
    **PROBLEM_RESPONSES,
    413: {"model": Problem, "description": "the file is over the size limit"},
    415: {"model": Problem, "description": "not JPEG, PNG, WebP or PDF, or not its Content-Type"},
}


def evidence_router() -> APIRouter:
    """The upload and download routes."""
    router = APIRouter()
    router.add_api_route(
        UPLOAD_PATH,
        upload_evidence_file,
        methods=["POST"],
        status_code=201,
        response_model=EvidenceFileAccepted,
        responses=UPLOAD_PROBLEMS,
        tags=[UploadEvidenceFile.route.tag],
        operation_id="upload_evidence_file",
        summary="Upload an evidence file: a photo, a scanned sign-in sheet or a PDF",
        openapi_extra={"requestBody": {"required": True, "content": FILE_BODY}},
    )
    router.add_api_route(
        UPLOAD_PATH + "/{sha256}",
        download_evidence_file,
        methods=["GET"],
        tags=[UploadEvidenceFile.route.tag],
        operation_id="download_evidence_file",
        response_class=Response,
        responses={
            200: {"description": "the file's bytes, checked against its SHA-256", "content": {
                t.value: {"schema": {"type": "string", "format": "binary"}} for t in FileType}},
            **{s: r for s, r in PROBLEM_RESPONSES.items() if s in (401, 403, 404, 422, 429)},
            500: {"model": Problem, "description": "the stored bytes no longer match "
                  "(evidence-file-damaged): not served"},
        },
    )  # fmt: skip
    return router


async def upload_evidence_file(
    request: Request,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    name: Annotated[str, Query(description="the file's name, e.g. 签到表.pdf (UTF-8, no path)")],
    occurred_at: Annotated[
        str | None, Query(description="when it was made, if not now (ISO 8601 with offset)")
    ] = None,
    reason: Annotated[str | None, Query(max_length=2000)] = None,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """The body is the file itself, sent with its Content-Type (image/jpeg, image/png,
    image/webp or application/pdf) and its name in the query. The bytes must be of
    the declared type (415) and within the size limit (413, 20 MiB unless configured).
    The same bytes uploaded again answer with the record of the first upload. Attach
    the file by the `sha256` answered (`files` of execution reports, affairs' results,
    milestones' progress, rectification reports and closures)."""  # fmt: skip
    platform = request.app.state.platform
    pipeline = platform.pipeline
    # Who may upload here is known before the body: refuse before reading a byte of it.
    unread = UploadEvidenceFile.model_construct(name="", media_type="", content=b"")
    await run_in_threadpool(pipeline.policy.authorise, principal, unread, tenant_id)
    content = await _body(request, platform.ledgers.files.max_bytes)
    media_type = request.headers.get("content-type", "")
    fields = {"name": name, "media_type": media_type, "content": content}
    given = {"occurred_at": occurred_at, "reason": reason}
    try:
        message = UploadEvidenceFile.model_validate(
            {**fields, **{k: v for k, v in given.items() if v is not None}}
        )
    except ValidationError as error:
        raise RequestValidationError(error.errors(include_input=False)) from None
    with metrics.timed_command(message.command_name, message.route.status):
        return await run_in_threadpool(
            pipeline.handle, principal, message, tenant_id, idempotency_key
        )


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as it is known to be over ``limit``."""

    def too_large() -> EvidenceFileTooLarge:
        return EvidenceFileTooLarge(f"an evidence file has at most {limit} bytes", max_bytes=limit)

    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def download_evidence_file(
    request: Request,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    sha256: Annotated[str, Path(pattern=SHA256_PATTERN, description="lower-case hex")],
) -> Response:
    """The file's bytes, with its type and its name (RFC 6266 `filename*`, UTF-8),
    checked against its SHA-256 first. For those who read the tenant; a file attached
    only to residents' affairs, or to nothing yet, only for street admins, community
    secretaries and auditors (and an unattached one for its uploader)."""
    platform = request.app.state.platform
    authorise_read(platform.pipeline.policy, principal, "download_evidence_file", tenant_id)
    with row_security.reading_only([tenant_id]):
        file, attached_to = _file(platform.engine, tenant_id, sha256)
    if file is None:
        raise NotFound(f"no evidence file {sha256} in tenant {tenant_id}")
    _check_may_download(principal, file, attached_to)
    content = platform.ledgers.files.open(tenant_id, sha256)
    return Response(
        content,
        media_type=file.media_type,
        headers={
            "Content-Disposition": content_disposition(file.name),
            "X-Content-Type-Options": "nosniff",
            "ETag": f'"{sha256}"',
            # The bytes of a digest never change; who may read them might.
            "Cache-Control": "private, max-age=0, must-revalidate",
        },
    )


def _file(engine: Engine, tenant_id: str, sha256: str) -> tuple[Any, list[Any]]:
    """The file's record now, and the records (type, id) it is attached to."""
    f, a = evidence_files, evidence_attachments
    with engine.connect() as conn:
        file = conn.execute(
            select(f).where(f.c.tenant_id == tenant_id, f.c.sha256 == sha256, *visible(f, None))
        ).first()
        attached = conn.execute(
            select(a.c.record_type, a.c.record_id).where(
                a.c.tenant_id == tenant_id, a.c.sha256 == sha256, *visible(a, None)
            )
        ).all()
    return file, list(attached)


def _check_may_download(principal: Principal, file: Any, attached_to: list[Any]) -> None:
    """A file attached to any record other than an affair is the tenant's readers'; one
    attached only to affairs is personal data; one attached to nothing yet is its
    uploader's and the staff's."""
    if any(row.record_type != PERSONAL_RECORD for row in attached_to):
        return
    if any(sees_personal(principal, row.record_id) for row in attached_to):
        return
    if not attached_to and (sees_personal(principal) or principal.user_id == file.uploaded_by):
        return
    held = "residents' affairs" if attached_to else "no record yet"
    raise Forbidden(f"a {principal.role.value} may not download a file of {held}")


def content_disposition(name: str) -> str:
    """``attachment`` with the name for every client: an ASCII fallback, and the
    UTF-8 name itself as RFC 6266 / RFC 5987 ``filename*``."""
    fallback = "".join(ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\;%' else "_" for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
