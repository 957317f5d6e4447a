"""A signed checkpoint of a tenant's log and the exact text its signature signs.

Nothing here touches a database (only the standard library and ``cryptography``), so
that an export can be checked where no database layer is installed
(``tenants.store.export_verifier``). The signed message is a versioned text, so that
anyone can check a checkpoint with any Ed25519 tool (docs/verification.md)::

    gongjian-checkpoint/v1
    <tenant id>
    <size>
    <head hash, 64 lower-case hex digits>
    <Merkle root, 64 lower-case hex digits>
    <taken at, RFC 3339 UTC with microseconds: 2026-05-01T08:00:00.000000Z>

each line ending in a line feed, encoded as UTF-8.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tenants.store.keys import PublicKey

VERSION = "gongjian-checkpoint/v1"
RFC3339 = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc(moment: datetime) -> datetime:
    """The moment in UTC (SQLite hands back naive values, written in UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    """The moment as the signed message writes it."""
    return utc(moment).strftime(RFC3339)


def parse_rfc3339(text: str) -> datetime:
    """The moment ``rfc3339`` wrote (ValueError for any other text)."""
    moment = datetime.strptime(text, RFC3339).replace(tzinfo=UTC)
    if rfc3339(moment) != text:  # strptime accepts a few digits fewer than were written
        raise ValueError(f"{text!r} is not written as {RFC3339}")
    return moment


@dataclass(frozen=True)
class Checkpoint:
    """One signed checkpoint of a tenant's log."""

    tenant_id: str
    size: int
    head_hash: bytes
    root: bytes
    taken_at: datetime
    key_id: str
    signature: bytes

    @classmethod
    def of(cls, row: Any) -> Checkpoint:
        return cls(
            row.tenant_id,
            int(row.size),
            bytes(row.head_hash),
            bytes(row.root),
            utc(row.taken_at),
            row.key_id,
            bytes(row.signature),
        )

    def as_anchor(self) -> dict[str, Any]:
        """The signed fields as plain data (hex and RFC 3339), as a street records them."""
        return {
            "size": self.size,
            "head_hash": self.head_hash.hex(),
            "root": self.root.hex(),
            "taken_at": rfc3339(self.taken_at),
            "key_id": self.key_id,
            "signature": self.signature.hex(),
        }

    @classmethod
    def from_anchor(cls, tenant_id: str, data: dict[str, Any]) -> Checkpoint:
        """The checkpoint a street recorded (``as_anchor``) for its community."""
        return cls(
            tenant_id,
            int(data["size"]),
            bytes.fromhex(data["head_hash"]),
            bytes.fromhex(data["root"]),
            parse_rfc3339(data["taken_at"]),
            str(data["key_id"]),
            bytes.fromhex(data["signature"]),
        )

    def message(self) -> bytes:
        """The bytes the signature signs."""
        return signed_message(self.tenant_id, self.size, self.head_hash, self.root, self.taken_at)

    def signature_problem(self, keys: Sequence[PublicKey]) -> str | None:
        """Why the signature does not hold under the published ``keys`` (None: it does)."""
        key = next((k for k in keys if k.kid == self.key_id), None)
        if key is None:
            return f"signed by key {self.key_id}, which is not a published key"
        if not key.verifies(self.message(), self.signature):
            return f"signature does not verify under key {self.key_id}"
        return None


def signed_message(
    tenant_id: str, size: int, head_hash: bytes, root: bytes, taken_at: datetime
) -> bytes:
    """The canonical text a checkpoint's signature signs."""
    lines = (VERSION, tenant_id, str(size), head_hash.hex(), root.hex(), rfc3339(taken_at))
    return "".join(f"{line}\n" for line in lines).encode()
