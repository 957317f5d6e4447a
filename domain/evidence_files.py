"""Evidence files (证明材料): photos, scanned sign-in sheets and PDFs, uploaded once to a
tenant and attached by their SHA-256 to the records they support.

A file is content-addressed: its record's id derives from the tenant and the SHA-256
of its bytes, so the same bytes uploaded twice are one record. The log holds what
the file is (digest, name, type, size); its bytes live in the evidence store
(``tenants.store.evidence_files``), which checks them against the digest on every
read. A record that takes evidence carries, in its event, a ``FileRef`` for each file
attached: what the file was when it was attached, whatever happens to the store.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.charters import LabelledEnum, labelled
from domain.stamp import Stamp

MAX_NAME = 200
# A name is never a path: a downloader saving it must not be steered elsewhere.
_SEPARATORS = {"/", "\\"}


@labelled(
    {
        "image/jpeg": "JPEG 图片",
        "image/png": "PNG 图片",
        "image/webp": "WebP 图片",
        "application/pdf": "PDF 文件",
    }
)
class FileType(LabelledEnum):
    """The media types evidence may have: photos and scans."""

    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"
    PDF = "application/pdf"


# Names some clients send for the same type.
_ALIASES = {"image/jpg": FileType.JPEG, "image/pjpeg": FileType.JPEG}


def sniff(content: bytes) -> FileType | None:
    """The type the content's leading bytes (its magic number) show, if an allowed one."""
    if content.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    if content.startswith(b"%PDF-"):
        return FileType.PDF
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return FileType.WEBP
    return None


def declared_type(media_type: str) -> FileType:
    """The allowed type a Content-Type names (its parameters ignored), or refuse it."""
    bare = media_type.split(";", 1)[0].strip().lower()
    found = _ALIASES.get(bare)
    if found is not None:
        return found
    try:
        return FileType(bare)
    except ValueError:
        allowed = ", ".join(t.value for t in FileType)
        raise errors.UnsupportedFileType(
            f"evidence files are {allowed}, not {bare or 'an undeclared type'}",
            allowed=[t.value for t in FileType],
        ) from None


def check_name(name: str) -> str:
    """A file name as given, if it is one: not blank, one line, no path."""
    if not name.strip() or name.strip() in (".", ".."):
        raise errors.InvalidValue("a file needs a name")
    if len(name) > MAX_NAME:
        raise errors.InvalidValue(f"a file name has at most {MAX_NAME} characters")
    bad = sorted({ch for ch in name if ch in _SEPARATORS or ord(ch) < 0x20 or ord(ch) == 0x7F})
    if bad:
        shown = ", ".join(f"U+{ord(ch):04X}" for ch in bad)
        raise errors.InvalidValue(f"a file name may not contain {shown}: it is no path")
    return name


def check_content(declared: FileType, content: bytes, max_bytes: int) -> None:
    """Refuse content over the size limit, of no allowed type, or not of the declared type."""
    if len(content) > max_bytes:
        raise errors.EvidenceFileTooLarge(
            f"an evidence file has at most {max_bytes} bytes, not {len(content)}",
            max_bytes=max_bytes,
        )
    found = sniff(content)
    if found is None:
        raise errors.UnsupportedFileType(
            "the content is not a JPEG, PNG, WebP image or a PDF",
            allowed=[t.value for t in FileType],
        )
    if found is not declared:
        raise errors.FileTypeMismatch(
            f"declared as {declared.value}, but the content is {found.value}",
            declared=declared.value,
            detected=found.value,
        )


def evidence_file_id(tenant_id: str, sha256: str) -> UUID:
    """The id of a tenant's record of the file with these bytes: the same bytes
    uploaded again are the same record."""
    return uuid5(NAMESPACE_URL, f"gongjian:evidence-file:{tenant_id}:{sha256}")


@dataclass(frozen=True)
class FileRef:
    """An uploaded file as a record's event names it: its digest, name, type and size."""

    sha256: str
    name: str
    media_type: str
    size: int

    def as_dict(self) -> dict[str, Any]:
        """As the event stores it."""
        return {
            "sha256": self.sha256,
            "name": self.name,
            "media_type": self.media_type,
            "size": self.size,
        }


def attached(files: list[FileRef] | tuple[FileRef, ...]) -> list[dict[str, Any]]:
    """Files as an event carries them: each once, in the order given."""
    seen: dict[str, FileRef] = {}
    for ref in files:
        seen.setdefault(ref.sha256, ref)
    return [ref.as_dict() for ref in seen.values()]


class EvidenceFile(Aggregate):
    """One file uploaded to a tenant, known by the SHA-256 of its bytes."""

    TOPIC = "gongjian.EvidenceFile"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.EvidenceFile.Created"

    @event("Uploaded", topic="gongjian.EvidenceFile.Uploaded")
    def __init__(
        self, id: UUID, stamp: Stamp, sha256: str, name: str, media_type: str, size: int
    ) -> None:
        self.tenant_id = stamp.tenant_id
        self.sha256 = sha256
        self.name = name
        self.media_type = FileType(media_type)
        self.size = size

    @classmethod
    def upload(
        cls, stamp: Stamp, name: str, media_type: FileType, content: bytes, max_bytes: int
    ) -> EvidenceFile:
        """Take a file: within the size limit, of an allowed type that its content shows."""
        check_name(name)
        check_content(media_type, content, max_bytes)
        sha256 = hashlib.sha256(content).hexdigest()
        return cls(
            id=evidence_file_id(stamp.tenant_id, sha256),
            stamp=stamp,
            sha256=sha256,
            name=name,
            media_type=media_type.value,
            size=len(content),
        )

    def ref(self) -> FileRef:
        """The file as a record's event names it."""
        return FileRef(self.sha256, self.name, self.media_type.value, self.size)
