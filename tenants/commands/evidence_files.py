"""Commands on evidence files: upload one, and find uploaded ones to attach."""

from __future__ import annotations

from collections.abc import Sequence

from domain import errors
from domain.evidence_files import EvidenceFile, FileRef, FileType, evidence_file_id
from domain.stamp import Stamp
from tenants.ledger import CommandResult, LedgerBase
from tenants.store.evidence_files import SHA256
from tenants.store.recorder import IdempotentCommand

Idem = IdempotentCommand | None


def download_path(tenant_id: str, sha256: str) -> str:
    """Where a tenant's evidence file is downloaded (under the API's root)."""
    return f"/tenants/{tenant_id}/evidence-files/{sha256}"


class EvidenceFileCommands(LedgerBase):
    """Evidence files uploaded to this tenant (their bytes in ``self.files``)."""

    def upload_evidence_file(
        self,
        stamp: Stamp,
        name: str,
        media_type: FileType,
        content: bytes,
        idem: Idem = None,
    ) -> CommandResult:
        """Take a file: its bytes are stored, then its upload recorded. The same bytes
        uploaded again answer with the record of the first upload (its name stays) and
        append nothing."""
        self.tenant()
        file = EvidenceFile.upload(stamp, name, media_type, content, self.files.max_bytes)
        # The bytes first, also when they were uploaded before: written again, a copy
        # damaged or lost in the store is whole again.
        self.files.put(self.tenant_id, content)
        if file.id in self.repository:
            first = self.load(EvidenceFile, file.id)
            return self.commit(first, idempotent=idem, extra=self._answer(first))
        return self.commit(file, idempotent=idem, extra=self._answer(file))

    def evidence_files(self, digests: Sequence[str]) -> tuple[FileRef, ...]:
        """The uploaded files with these SHA-256 digests, each once, to attach to a
        record; NotFound for a digest this tenant holds no upload of."""
        found = []
        for sha256 in dict.fromkeys(digests):
            if not SHA256.fullmatch(sha256):
                raise errors.NotFound(f"no evidence file {sha256} in tenant {self.tenant_id}")
            file_id = evidence_file_id(self.tenant_id, sha256)
            try:
                found.append(self.load(EvidenceFile, file_id).ref())
            except errors.NotFound:
                raise errors.NotFound(
                    f"no evidence file {sha256} in tenant {self.tenant_id}: upload it first"
                ) from None
        return tuple(found)

    def _answer(self, file: EvidenceFile) -> dict[str, object]:
        return {
            **file.ref().as_dict(),
            "download_path": download_path(self.tenant_id, file.sha256),
        }
