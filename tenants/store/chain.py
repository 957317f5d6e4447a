"""The per-tenant hash chain: hash = H(previous hash, canonical bytes of the row)."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from uuid import UUID

GENESIS = b"\x00" * 32


def _field(data: bytes) -> bytes:
    # Length-prefixing each field makes the encoding unambiguous.
    return struct.pack(">Q", len(data)) + data


def canonical_bytes(
    tenant_id: str,
    position: int,
    originator_id: UUID,
    originator_version: int,
    topic: str,
    state: bytes,
) -> bytes:
    """Encode one event row unambiguously, independent of the database."""
    return b"".join(
        (
            _field(tenant_id.encode()),
            struct.pack(">q", position),
            originator_id.bytes,
            struct.pack(">q", originator_version),
            _field(topic.encode()),
            _field(state),
        )
    )


def link(previous: bytes, row: bytes) -> bytes:
    """Return the chain hash of a row that follows ``previous``."""
    return hashlib.sha256(previous + row).digest()


@dataclass(frozen=True)
class ChainBreak:
    """Where and why a tenant's chain failed to verify."""

    tenant_id: str
    position: int
    problem: str
