"""Official documents as PDF, and the page that verifies a printed one
(docs/documents.md).

``GET /tenants/{id}/meetings/{mid}/notice.pdf`` (会议通知), ``sign-in-sheet.pdf``
(签到表), ``minutes.pdf`` (会议纪要) and ``/tenants/{id}/resolutions/{rid}/notice.pdf``
(决议通知): for whoever reads the tenant (``download_document`` in the read policy),
as of ``atPosition`` or of what the read models reflect now. Attendees' names on the
sign-in sheet are printed only for readers who see personal data.

``GET /documents/verify``: no token. It answers only what the document in the
reader's hand already shows: whether its content still matches the record (or since
which position it no longer does), and whether the printed chain hash is the log's
at the printed position. A URL that no issued document could carry (an unknown
tenant or record, a digest the record never had there) is answered "unknown", the
same for each, so the page cannot be used to probe the tenant's records.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from html import escape
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Connection, select

from api.documents import contents
from api.documents.contents import Content, Kind
from api.documents.fonts import locate
from api.documents.layout import Seal, render
from api.graphql.personal import sees_personal
from api.problems import PROBLEM_RESPONSES, Problem
from api.rest.routes import TENANT_PATTERN, CurrentPrincipal
from domain.errors import InvalidValue, NotFound
from projections.tables import events as feed
from tenants.pipeline.read_policy import authorise_read
from tenants.store import row_security
from tenants.store.chain import GENESIS
from tenants.store.schema import events as log

MEDIA_TYPE = "application/pdf"
VERIFY_PATH = "/documents/verify"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$"
HEX_64 = r"^[0-9a-f]{64}$"
TenantId = Annotated[str, Path(pattern=TENANT_PATTERN)]
RecordId = Annotated[str, Path(pattern=ID_PATTERN)]
AtPosition = Annotated[
    int | None,
    Query(
        alias="atPosition",
        ge=1,
        description="the log position to print the record as of (absent: what the read "
        "models reflect now)",
    ),
]

# How each document is read: (connection, tenant, record, position, names shown).
Builder = Callable[[Connection, str, str, int, bool], Content]
BUILDERS: dict[Kind, Builder] = {
    Kind.NOTICE: lambda c, t, r, p, n: contents.notice(c, t, r, p),
    Kind.SIGN_IN_SHEET: contents.sign_in_sheet,
    Kind.MINUTES: lambda c, t, r, p, n: contents.minutes(c, t, r, p),
    Kind.RESOLUTION_NOTICE: lambda c, t, r, p, n: contents.resolution_notice(c, t, r, p),
}
ROUTES = (
    ("/tenants/{tenant_id}/meetings/{record_id}/notice.pdf", Kind.NOTICE, "meeting_notice_pdf"),
    (
        "/tenants/{tenant_id}/meetings/{record_id}/sign-in-sheet.pdf",
        Kind.SIGN_IN_SHEET,
        "sign_in_sheet_pdf",
    ),
    ("/tenants/{tenant_id}/meetings/{record_id}/minutes.pdf", Kind.MINUTES, "minutes_pdf"),
    (
        "/tenants/{tenant_id}/resolutions/{record_id}/notice.pdf",
        Kind.RESOLUTION_NOTICE,
        "resolution_notice_pdf",
    ),
)


def document_router() -> APIRouter:
    """The four document routes and the verification page."""
    router = APIRouter()
    for path, kind, operation in ROUTES:
        router.add_api_route(
            path,
            _route(kind),
            methods=["GET"],
            tags=["official documents"],
            operation_id=operation,
            summary=f"The {contents.TITLES[kind]} as PDF, laid out after GB/T 9704",
            response_class=Response,
            responses={
                200: {
                    "description": "the document (PDF, its CJK font embedded)",
                    "content": {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
                },
                **PROBLEM_RESPONSES,
                503: {
                    "model": Problem,
                    "description": "no CJK font is installed (cjk-font-unavailable)",
                },
            },
        )
    router.add_api_route(
        VERIFY_PATH,
        verify_document,
        methods=["GET"],
        tags=["official documents"],
        operation_id="verify_document",
        response_class=HTMLResponse,
        responses={200: {"description": "the verdict, a page in Chinese"}},
    )
    return router


def _route(kind: Kind) -> Callable[..., Any]:
    async def document(
        request: Request,
        principal: CurrentPrincipal,
        tenant_id: TenantId,
        record_id: RecordId,
        at_position: AtPosition = None,
    ) -> Response:
        platform = request.app.state.platform
        authorise_read(platform.pipeline.policy, principal, "download_document", tenant_id)
        names = sees_personal(principal)
        base = str(request.base_url).rstrip("/")
        body = await run_in_threadpool(
            issue, platform, kind, tenant_id, record_id, at_position, names, base
        )
        filename = f"{kind.value}-{record_id}.pdf"
        return Response(
            body,
            media_type=MEDIA_TYPE,
            headers={
                "Content-Disposition": f'inline; filename="{filename}"',
                "Cache-Control": "private, no-store",
            },
        )

    document.__doc__ = (
        f"The {contents.TITLES[kind]} ({kind.value}) as PDF: GB/T 9704 layout, CJK font "
        "embedded, sealed with the tenant, the log position, the chain hash there and a "
        "QR code to its verification page. For whoever reads the tenant; attendees' names "
        "only for readers who see personal data."
    )
    return document


def issue(
    platform: Any,
    kind: Kind,
    tenant_id: str,
    record_id: str,
    at_position: int | None,
    names: bool,
    base_url: str,
) -> bytes:
    """Read the document's content as of the position and lay it out, sealed."""
    font = locate()  # before any read: no font, no document
    projected = int(platform.read_tracking.position(tenant_id))
    if at_position is not None and at_position > projected:
        raise InvalidValue(
            f"atPosition {at_position} is beyond the position the read models reflect "
            f"({projected})",
            projected_position=projected,
        )
    position = projected if at_position is None else at_position
    with row_security.reading_only([tenant_id]), platform.read_engine.connect() as conn:
        content = BUILDERS[kind](conn, tenant_id, record_id, position, names)
        head_hash = chain_hash(conn, tenant_id, position).hex()
    digest = content.digest()
    url = verify_url(base_url, content, digest, head_hash)
    return render(content, Seal(tenant_id, position, head_hash, url, digest), font)


def chain_hash(conn: Connection, tenant_id: str, position: int) -> bytes:
    """The tenant's chain hash at ``position`` (the genesis hash before any event)."""
    if position == 0:
        return GENESIS
    found = conn.execute(
        select(log.c.hash).where(log.c.tenant_id == tenant_id, log.c.position == position)
    ).scalar_one_or_none()
    return bytes(found) if found is not None else b""


def verify_url(base_url: str, content: Content, digest: str, head_hash: str) -> str:
    """The absolute URL the document's QR code carries."""
    query = {
        "tenant": content.tenant_id,
        "kind": content.kind,
        "record": content.record_id,
        "position": content.position,
        "digest": digest,
        "head": head_hash,
    }
    if content.names_withheld:
        query["names"] = "withheld"
    return f"{base_url}{VERIFY_PATH}?{urlencode(query)}"


class Verdict(StrEnum):
    """What the verification page can say."""

    MATCHES = "matches"
    CHANGED = "changed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verification:
    """The verdict, since which position the record differs, and the hash check."""

    verdict: Verdict
    changed_at: int | None = None
    head_matches: bool | None = None


def verify(
    platform: Any,
    tenant_id: str,
    kind: Kind,
    record_id: str,
    position: int,
    digest: str,
    head_hash: str,
    names: bool,
) -> Verification:
    """Re-derive the document's content at its position and now, and compare."""
    unknown = Verification(Verdict.UNKNOWN)
    well_formed = (
        re.fullmatch(TENANT_PATTERN, tenant_id)
        and re.fullmatch(ID_PATTERN, record_id)
        and re.fullmatch(HEX_64, digest)
    )
    # Malformed values are no document's: answered before any read.
    if not well_formed or platform.pipeline.directory.find(tenant_id) is None:
        return unknown
    projected = int(platform.read_tracking.position(tenant_id))
    if not 1 <= position <= projected:
        return unknown
    build = BUILDERS[kind]
    with row_security.reading_only([tenant_id]), platform.read_engine.connect() as conn:
        if _digest_at(conn, build, tenant_id, record_id, position, names, position) != digest:
            return unknown
        head_matches = chain_hash(conn, tenant_id, position).hex() == head_hash
        if _digest_at(conn, build, tenant_id, record_id, projected, names, position) == digest:
            return Verification(Verdict.MATCHES, head_matches=head_matches)
        changed = _first_change(conn, build, tenant_id, record_id, position, names, digest)
    return Verification(Verdict.CHANGED, changed, head_matches)


def _digest_at(
    conn: Connection,
    build: Builder,
    tenant_id: str,
    record_id: str,
    at: int,
    names: bool,
    printed: int,
) -> str | None:
    """The digest of the document read at ``at`` as if printed at ``printed``."""
    try:
        content = build(conn, tenant_id, record_id, at, names)
    except NotFound:
        return None
    return replace(content, position=printed).digest()


def _first_change(
    conn: Connection,
    build: Builder,
    tenant_id: str,
    record_id: str,
    printed: int,
    names: bool,
    digest: str,
) -> int | None:
    """The first position after ``printed`` at which the record's own events changed
    what the document says (None: it changed through another record, e.g. a unit
    renamed)."""
    later = conn.execute(
        select(feed.c.position)
        .where(
            feed.c.tenant_id == tenant_id,
            feed.c.record_id == record_id,
            feed.c.position > printed,
        )
        .order_by(feed.c.position)
    ).scalars()
    for at in later:
        if _digest_at(conn, build, tenant_id, record_id, int(at), names, printed) != digest:
            return int(at)
    return None


SAYS = {
    Verdict.MATCHES: (
        "一致",
        "本文件与记录一致：自所印日志位置以来，记录未发生影响本文件内容的变更。",
    ),
    Verdict.CHANGED: ("已变更", "本文件与记录不再一致：记录在所印日志位置之后已被变更。"),
    Verdict.UNKNOWN: ("无法核验", "未找到与本文件相符的记录：请核对二维码或链接是否完整。"),
}


async def verify_document(
    request: Request,
    tenant: str = "",
    kind: str = "",
    record: str = "",
    position: str = "",
    digest: str = "",
    head: str = "",
    names: str = "",
) -> HTMLResponse:
    """Whether a printed document still matches the record (a page in Chinese, for
    whoever scans its QR code; no token). It tells no more than the document shows.
    Every parameter is taken as text: whatever is malformed is no document's, and is
    answered "unknown" like any other."""
    platform = request.app.state.platform
    printed = int(position) if re.fullmatch(r"[0-9]{1,18}", position) else 0
    try:
        document_kind = Kind(kind)
    except ValueError:
        result = Verification(Verdict.UNKNOWN)
    else:
        result = await run_in_threadpool(
            verify,
            platform,
            tenant,
            document_kind,
            record,
            printed,
            digest,
            head,
            names != "withheld",
        )
    return HTMLResponse(_page(result, printed), headers={"Cache-Control": "no-store"})


def _page(result: Verification, position: int) -> str:
    headline, text = SAYS[result.verdict]
    lines = [f"<p>{escape(text)}</p>"]
    if result.verdict is Verdict.CHANGED and result.changed_at is not None:
        lines.append(f"<p>自日志位置 {result.changed_at} 起不再一致（所印位置：{position}）。</p>")
    if result.head_matches is not None:
        hashed = "一致" if result.head_matches else "不一致：所印链哈希不是该位置的链哈希"
        lines.append(f"<p>链哈希核对：{hashed}。</p>")
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>公文核验：{headline}</title></head><body>"
        f'<main><h1 data-verdict="{result.verdict.value}">公文核验：{headline}</h1>'
        f"{''.join(lines)}</main></body></html>"
    )
