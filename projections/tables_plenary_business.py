"""Read records of the plenary's business: the council roster and the work reports
and plans, each with the plenary resolution that adopted it."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Integer, String, Text

from domain.plenary_business import WorkDocumentKind
from projections.records import Field, Record, UtcDateTime, key

COUNCILS = Record(
    "rm_councils",
    keys=("council_id",),
    fields=(
        key("council_id", exposed_as="id"),
        # [{office, unit_id}]: shown through CouncilSeat, with each unit's record.
        Field("seats", JSON(), exposed=False),
        key("resolution_id", description="the plenary resolution that confirmed this roster"),
        key("meeting_id", description="the plenary meeting that adopted that resolution"),
        Field("confirmed_at", UtcDateTime(), description="when this roster was confirmed"),
        Field("version", Integer()),
    ),
)

WORK_DOCUMENTS = Record(
    "rm_work_documents",
    keys=("document_id",),
    fields=(
        key("document_id", exposed_as="id"),
        Field("kind", String(20), labels=WorkDocumentKind),
        Field("period", String(10)),
        Field("title", Text()),
        # [{id, text, responsible_unit_id, due}]: shown through WorkDocumentItem.
        Field("items", JSON(), exposed=False),
        key("resolution_id", description="the plenary resolution that adopted it as it reads"),
        key("meeting_id", description="the plenary meeting that adopted that resolution"),
        Field("adopted_at", UtcDateTime(), description="when it was first adopted"),
        Field("revised_at", UtcDateTime(), nullable=True),
        Field("revision_reason", Text(), nullable=True),
        Field("created_position", BigInteger(), exposed=False),
        Field("version", Integer()),
    ),
)

councils = COUNCILS.table
work_documents = WORK_DOCUMENTS.table

PLENARY_TABLES = [councils, work_documents]
