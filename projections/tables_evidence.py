"""Read records of evidence files: each tenant's uploaded files, and which records
they were attached to (by which event)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, String, Text

from domain.evidence_files import FileType
from projections.records import Field, Record, UtcDateTime, key

EVIDENCE_FILES = Record(
    "rm_evidence_files",
    keys=("sha256",),
    fields=(
        key("file_id", exposed_as="id"),
        Field("sha256", String(64), description="SHA-256 of the bytes, lower-case hex"),
        Field("name", Text(), description="the name the first upload gave"),
        Field("media_type", String(40), labels=FileType),
        Field("size", BigInteger(), description="bytes"),
        Field("uploaded_at", UtcDateTime()),
        # Who uploaded it: a file attached to nothing yet is served to them (and staff).
        key("uploaded_by", exposed=False),
        Field("created_position", BigInteger(), exposed=False),
    ),
)

EVIDENCE_ATTACHMENTS = Record(
    "rm_evidence_attachments",
    keys=("sha256", "position"),
    fields=(
        Field("sha256", String(64), exposed=False),
        Field("position", BigInteger(), description="the log position of the event attaching it"),
        Field(
            "record_type",
            String(40),
            description="Resolution (an execution report), Affair (a result), Commitment "
            "(a milestone's progress) or Evaluation (a rectification's report or closure)",
        ),
        key("record_id"),
        key(
            "part",
            nullable=True,
            description="within the record: the reporting unit, the milestone, the rectification",
        ),
        Field("event_type", String(60), description="the attaching event, e.g. ExecutionReported"),
        Field("attached_at", UtcDateTime()),
    ),
    indexes={"ix_rm_evidence_attachments_record": ("tenant_id", "record_id")},
)


def files_field(name: str = "files", of: str = "") -> Field:
    """A column of the uploaded files an event attached to a record (its GraphQL field
    is written by hand: ``api.graphql.evidence_files``)."""
    return Field(name, JSON(), description=f"uploaded evidence files attached{of}")


evidence_files = EVIDENCE_FILES.table
evidence_attachments = EVIDENCE_ATTACHMENTS.table

EVIDENCE_TABLES = [evidence_files, evidence_attachments]
