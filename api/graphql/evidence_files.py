"""GraphQL types for evidence files: a tenant's uploads, and the files attached to
its records (execution reports, affairs' results, milestones, rectifications)."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import Row

from api.graphql.attached_files import DOWNLOAD
from api.graphql.nodes import Node
from api.graphql.paging import Connection, Window, page
from api.graphql.records import record_fields
from api.graphql.tenant_engagement import visible_rows
from api.graphql.types import Ctx, Event, history_of
from projections.tables_evidence import (
    EVIDENCE_ATTACHMENTS,
    EVIDENCE_FILES,
    evidence_attachments,
    evidence_files,
)
from tenants.commands.evidence_files import download_path


@strawberry.type(description="A record an evidence file was attached to, and by which event.")
@record_fields(EVIDENCE_ATTACHMENTS)
class EvidenceAttachment:
    row: strawberry.Private[Row[Any]]


@strawberry.type(description="An evidence file (证明材料) uploaded to the tenant.")
@record_fields(EVIDENCE_FILES)
class EvidenceFile(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field(description=DOWNLOAD)
    def download_path(self) -> str:
        return download_path(self.row.tenant_id, self.row.sha256)

    @strawberry.field(description="the records it was attached to, oldest first")
    async def attachments(self, info: Ctx) -> list[EvidenceAttachment]:
        t = evidence_attachments
        rows = await visible_rows(
            info, t, self.row.tenant_id, t.c.sha256 == self.row.sha256, order=[t.c.position]
        )
        return [EvidenceAttachment(row=r) for r in rows]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.file_id)


@strawberry.type
class TenantEvidenceFiles:
    """The evidence files uploaded to a tenant (fields of Tenant)."""

    row: strawberry.Private[Row[Any]]

    @strawberry.field(description="Evidence files uploaded to this tenant, newest first.")
    async def evidence_files(
        self,
        info: Ctx,
        first: int = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[EvidenceFile]:
        f = evidence_files
        return await page(
            info, f, self.row.tenant_id, [f.c.created_position],
            Window(first, after, last, before), lambda r: EvidenceFile(row=r),
        )  # fmt: skip

    @strawberry.field(description="The evidence file with this SHA-256 (lower-case hex).")
    async def evidence_file(self, info: Ctx, sha256: str) -> EvidenceFile | None:
        f = evidence_files
        rows = await visible_rows(info, f, self.row.tenant_id, f.c.sha256 == sha256.lower())
        return EvidenceFile(row=rows[0]) if rows else None
