"""The uploaded evidence files attached to a record, as the attaching event named them
(a column of the record: ``projections.tables_evidence.files_field``)."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.evidence_files import FileType
from tenants.commands.evidence_files import download_path

DOWNLOAD = (
    "GET it here, under the API's root, with a bearer token: files of residents' "
    "affairs only for readers who see personal data"
)


@strawberry.type(description="An uploaded file as the event attaching it named it.")
class AttachedFile:
    sha256: str = strawberry.field(description="SHA-256 of the bytes, lower-case hex")
    name: str
    media_type: str
    media_type_label: str
    size: int = strawberry.field(description="bytes")
    download_path: str = strawberry.field(description=DOWNLOAD)


def attached_files(tenant_id: str, files: list[dict[str, Any]] | None) -> list[AttachedFile]:
    """A record's column of attached files, as GraphQL shows them."""
    return [
        AttachedFile(
            sha256=f["sha256"],
            name=f["name"],
            media_type=f["media_type"],
            media_type_label=FileType(f["media_type"]).label,
            size=f["size"],
            download_path=download_path(tenant_id, f["sha256"]),
        )
        for f in files or []
    ]
