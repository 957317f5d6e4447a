"""The evidence store: the bytes of evidence files, by tenant and SHA-256.

The log records what a file is (``domain.evidence_files``); its bytes are kept here,
once per tenant and digest: on the file system by default, or in an S3-compatible
bucket when GONGJIAN_EVIDENCE_S3_BUCKET is set (``tenants.store.evidence_s3``). Every
read checks the bytes against the digest they are filed under: bytes that are missing
or changed are never handed out (``EvidenceFileDamaged``), and the operator is told in
the server's log.

Bytes are stored before the upload's event is committed. An upload whose event then
fails leaves bytes no record names; they are harmless (content-addressed: the next
upload of the same file writes the same place) and an upload of the same bytes again
rewrites them, which also repairs a damaged copy.

Settings:

- GONGJIAN_EVIDENCE_DIR: the folder (default: ``<database file>.evidence-files`` beside
  an SQLite database, else ``./evidence-files``);
- GONGJIAN_EVIDENCE_MAX_BYTES: the largest file taken (default 20 MiB);
- GONGJIAN_EVIDENCE_S3_BUCKET, GONGJIAN_EVIDENCE_S3_ENDPOINT_URL,
  GONGJIAN_EVIDENCE_S3_PREFIX: an S3-compatible bucket instead of the folder; the
  credentials and region are boto3's own (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
  AWS_DEFAULT_REGION, or a profile).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path

from sqlalchemy import Engine

from domain.errors import EvidenceFileDamaged

DIR_SETTING = "GONGJIAN_EVIDENCE_DIR"
MAX_BYTES_SETTING = "GONGJIAN_EVIDENCE_MAX_BYTES"
S3_BUCKET_SETTING = "GONGJIAN_EVIDENCE_S3_BUCKET"
S3_ENDPOINT_SETTING = "GONGJIAN_EVIDENCE_S3_ENDPOINT_URL"
S3_PREFIX_SETTING = "GONGJIAN_EVIDENCE_S3_PREFIX"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_DIR = "evidence-files"

SHA256 = re.compile(r"^[0-9a-f]{64}$")
_TENANT = re.compile(r"^[a-z0-9_][a-z0-9_-]{0,63}$")
logger = logging.getLogger(__name__)


def digest(content: bytes) -> str:
    """The SHA-256 of ``content``, as lower-case hex."""
    return hashlib.sha256(content).hexdigest()


def place(tenant_id: str, sha256: str) -> tuple[str, str]:
    """The tenant and digest a file is filed under, checked: neither ever steers a path
    or key elsewhere."""
    if not _TENANT.fullmatch(tenant_id) or not SHA256.fullmatch(sha256):
        raise ValueError(f"no evidence file place for {tenant_id!r}, {sha256!r}")
    return tenant_id, sha256


class EvidenceStore(ABC):
    """Where the bytes of evidence files are kept, each tenant's apart."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes

    def put(self, tenant_id: str, content: bytes) -> str:
        """Keep ``content`` for the tenant; return its SHA-256."""
        sha256 = digest(content)
        self._write(*place(tenant_id, sha256), content)
        return sha256

    def open(self, tenant_id: str, sha256: str) -> bytes:
        """The tenant's file with this digest, its bytes checked against the digest."""
        content = self._read(*place(tenant_id, sha256))
        if content is None:
            logger.error("evidence file %s of %s is missing from %s", sha256, tenant_id, self)
            raise EvidenceFileDamaged(f"the bytes of evidence file {sha256} are missing")
        if digest(content) != sha256:
            logger.error(
                "evidence file %s of %s in %s no longer matches its SHA-256: not served",
                sha256,
                tenant_id,
                self,
            )
            raise EvidenceFileDamaged(f"the bytes of evidence file {sha256} do not match it")
        return content

    @abstractmethod
    def _write(self, tenant_id: str, sha256: str, content: bytes) -> None:
        """Write the bytes in one step: a reader never sees part of them."""

    @abstractmethod
    def _read(self, tenant_id: str, sha256: str) -> bytes | None:
        """The bytes as stored, or None when there are none."""


class FileSystemEvidenceStore(EvidenceStore):
    """Files in a folder: ``<root>/<tenant>/<first two hex digits>/<sha256>``."""

    def __init__(self, root: Path | str, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        super().__init__(max_bytes)
        self.root = Path(root)

    def __str__(self) -> str:
        return str(self.root)

    def path(self, tenant_id: str, sha256: str) -> Path:
        """Where a tenant's file with this digest is kept."""
        tenant_id, sha256 = place(tenant_id, sha256)
        return self.root / tenant_id / sha256[:2] / sha256

    def _write(self, tenant_id: str, sha256: str, content: bytes) -> None:
        target = self.path(tenant_id, sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        # A temporary file in the same folder, then a rename: readers see the whole
        # file or none, and a crash leaves at worst a stray temporary file.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _read(self, tenant_id: str, sha256: str) -> bytes | None:
        try:
            return self.path(tenant_id, sha256).read_bytes()
        except FileNotFoundError:
            return None


def max_bytes() -> int:
    """The configured size limit of one evidence file."""
    raw = os.environ.get(MAX_BYTES_SETTING, "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{MAX_BYTES_SETTING} must be a positive number of bytes, not {raw!r}")
    return int(raw)


def default_dir(engine: Engine | None) -> Path:
    """Beside an SQLite database file, else in the working directory."""
    database = engine.url.database if engine is not None else None
    if (
        engine is not None
        and engine.dialect.name == "sqlite"
        and database not in (None, "", ":memory:")
    ):
        return Path(f"{database}.{DEFAULT_DIR}")
    return Path(DEFAULT_DIR)


def configured(engine: Engine | None = None) -> EvidenceStore:
    """The store the settings name: an S3-compatible bucket, else a folder."""
    limit = max_bytes()
    bucket = os.environ.get(S3_BUCKET_SETTING, "").strip()
    if bucket:
        from tenants.store.evidence_s3 import S3EvidenceStore

        return S3EvidenceStore(
            bucket,
            endpoint_url=os.environ.get(S3_ENDPOINT_SETTING, "").strip() or None,
            prefix=os.environ.get(S3_PREFIX_SETTING, "").strip(),
            max_bytes=limit,
        )
    folder = os.environ.get(DIR_SETTING, "").strip()
    return FileSystemEvidenceStore(Path(folder) if folder else default_dir(engine), limit)
