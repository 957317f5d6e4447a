"""Uploading an evidence file (a photo, a scanned sign-in sheet, a PDF) to a tenant.

The file is uploaded once, to the tenant whose log holds the record it supports, and
attached by its SHA-256 (``files``) to execution reports, affairs' results,
milestones' progress and rectification reports and closures there.
"""

from __future__ import annotations

from functools import cached_property

from pydantic import Field, computed_field

from domain.evidence_files import declared_type
from tenants.ledger import CommandResult
from tenants.messages.base import CommandAccepted, Handling, Message, Route
from tenants.messages.fields import FileName
from tenants.store.evidence_files import digest

TAG = "evidence files"


class EvidenceFileAccepted(CommandAccepted):
    """The answer to an upload: the file's record, as the first upload of its bytes made it."""

    sha256: str = Field(description="SHA-256 of the bytes, lower-case hex: attach it by this")
    name: str = Field(description="the file name the first upload of these bytes gave")
    media_type: str
    size: int = Field(description="bytes")
    download_path: str = Field(description="GET it here (under the API's root)")


class UploadEvidenceFile(Message):
    """Upload an evidence file: a JPEG, PNG or WebP photo or a PDF. The body is the file
    itself, its Content-Type the file's type, the query's `name` its name; the same
    bytes uploaded again answer with the same record."""

    route = Route("/evidence-files", TAG, 201, EvidenceFileAccepted, raw_body=True)
    name: FileName = Field(description="the file's name, e.g. 签到表.pdf (no path)")
    media_type: str = Field(max_length=200, description="the file's declared type")
    content: bytes = Field(exclude=True, repr=False, description="the file's bytes")

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def sha256(self) -> str:
        """The bytes' SHA-256: an Idempotency-Key names one file, never another."""
        return digest(self.content)

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.upload_evidence_file(
            h.stamp, self.name, declared_type(self.media_type), self.content, idem=h.idem
        )
