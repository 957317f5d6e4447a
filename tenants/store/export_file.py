"""The tenant export file, ``gongjian-export/v1``: one tenant's whole log, its signed
checkpoints and the platform's public keys in one file (docs/export-format.md)::

    magic    19 bytes: "gongjian-export/v1" and a line feed
    header   u32be n, then n bytes of UTF-8 JSON (``Header``)
    records  one per event, positions 1..events in order, each
               u32be m                 the length of the event's canonical bytes
               32 bytes                the event's chain hash, as the store holds it
               m bytes                 its canonical bytes (``chain.canonical_bytes``)
    nothing after the last record

Only the standard library and ``cryptography`` are imported here (and by everything
this imports), so that an export can be read and checked where no database layer is
installed.
"""

from __future__ import annotations

import itertools
import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from tenants.store.keys import PublicKey, SigningKeyError, parse_published, published
from tenants.store.signed_checkpoint import Checkpoint, parse_rfc3339, rfc3339

FORMAT = "gongjian-export/v1"
MAGIC = FORMAT.encode() + b"\n"
HASH_SIZE = 32
LENGTH = struct.Struct(">I")
RECORD_PREFIX = LENGTH.size + HASH_SIZE
# A header is a few hundred bytes per checkpoint; anything near this is not an export.
MAX_HEADER = 64 * 1024 * 1024
CHUNK = 4 * 1024 * 1024  # bytes read at a time
# After the tenant id: position, originator id, originator version, topic length.
EVENT_FIELDS = struct.Struct(">q16sqQ")
COUNT = struct.Struct(">Q")


class NotAnExport(Exception):
    """The file cannot be read as a ``gongjian-export/v1`` file at all."""


class HeaderProblem(Exception):
    """The header is readable but does not hold what the format requires."""


class TruncatedRecord(Exception):
    """The file ends inside a record."""


@dataclass(frozen=True)
class Header:
    """What precedes the records: the tenant, the log's size and head, the keys and
    every checkpoint (oldest first)."""

    tenant_id: str
    parent_id: str | None
    exported_at: str  # RFC 3339 UTC with microseconds, as checkpoints write it
    events: int
    head_hash: bytes
    keys: list[PublicKey]
    checkpoints: list[Checkpoint]

    def as_json(self) -> dict[str, Any]:
        """The header as the file holds it."""
        return {
            "format": FORMAT,
            "tenant_id": self.tenant_id,
            "parent_id": self.parent_id,
            "exported_at": self.exported_at,
            "events": self.events,
            "head_hash": self.head_hash.hex(),
            "keys": published(self.keys)["keys"],
            "checkpoints": [
                {
                    "size": c.size,
                    "head_hash": c.head_hash.hex(),
                    "root": c.root.hex(),
                    "taken_at": rfc3339(c.taken_at),
                    "key_id": c.key_id,
                    "signature": c.signature.hex(),
                }
                for c in self.checkpoints
            ],
        }

    def encode(self) -> bytes:
        """The magic line, the header's length and the header."""
        data = json.dumps(self.as_json(), ensure_ascii=False, separators=(",", ":")).encode()
        return MAGIC + LENGTH.pack(len(data)) + data


def record(chain_hash: bytes, data: bytes) -> bytes:
    """One event's record: length, chain hash, canonical bytes."""
    return LENGTH.pack(len(data)) + chain_hash + data


def tenant_prefix(tenant_id: str) -> bytes:
    """How every canonical event of the tenant begins (its length-prefixed id)."""
    encoded = tenant_id.encode()
    return COUNT.pack(len(encoded)) + encoded


def read_header(stream: BinaryIO) -> Header:
    """Read the magic line and the header, leaving ``stream`` at the first record."""
    magic = stream.read(len(MAGIC))
    if magic != MAGIC:
        if magic.startswith(b"gongjian-export/"):
            version = magic.split(b"\n")[0].decode(errors="replace")
            raise NotAnExport(f"{version} is not a format this version reads ({FORMAT})")
        raise NotAnExport(f"not a {FORMAT} file")
    raw = stream.read(LENGTH.size)
    if len(raw) < LENGTH.size:
        raise NotAnExport("the file ends before its header")
    (length,) = LENGTH.unpack(raw)
    if length > MAX_HEADER:
        raise NotAnExport(f"a header of {length} bytes is not an export's")
    data = stream.read(length)
    if len(data) < length:
        raise NotAnExport("the file ends inside its header")
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise HeaderProblem(f"not JSON: {error}") from None
    return parse_header(document)


def parse_header(document: Any) -> Header:
    """The header of a parsed JSON document; HeaderProblem names what is wrong."""
    if not isinstance(document, dict):
        raise HeaderProblem("not a JSON object")
    if document.get("format") != FORMAT:
        raise HeaderProblem(f"format is {document.get('format')!r}, not {FORMAT!r}")
    tenant_id = _text(document, "tenant_id")
    parent_id = document.get("parent_id")
    if parent_id is not None and not isinstance(parent_id, str):
        raise HeaderProblem("parent_id is neither text nor null")
    exported_at = _text(document, "exported_at")
    _moment(exported_at, "exported_at")
    try:
        keys = parse_published({"keys": document.get("keys")})
    except SigningKeyError as error:
        raise HeaderProblem(f"keys: {error}") from None
    checkpoints = document.get("checkpoints")
    if not isinstance(checkpoints, list):
        raise HeaderProblem("checkpoints is not a list")
    signed = [_checkpoint(tenant_id, entry, n) for n, entry in enumerate(checkpoints)]
    for older, newer in itertools.pairwise(signed):
        if newer.size <= older.size:
            raise HeaderProblem(f"checkpoint {newer.size} is listed after checkpoint {older.size}")
    return Header(
        tenant_id,
        parent_id,
        exported_at,
        _count(document, "events", 0),
        _hash(document, "head_hash"),
        keys,
        signed,
    )


def _checkpoint(tenant_id: str, entry: Any, n: int) -> Checkpoint:
    if not isinstance(entry, dict):
        raise HeaderProblem(f"checkpoint #{n + 1} is not a JSON object")
    where = f"checkpoint #{n + 1}: "
    try:
        signature = bytes.fromhex(_text(entry, "signature"))
    except ValueError:
        raise HeaderProblem(f"{where}signature is not hex") from None
    return Checkpoint(
        tenant_id,
        _count(entry, "size", 1, where),
        _hash(entry, "head_hash", where),
        _hash(entry, "root", where),
        _moment(_text(entry, "taken_at", where), f"{where}taken_at"),
        _text(entry, "key_id", where),
        signature,
    )


def _text(document: dict[str, Any], name: str, where: str = "") -> str:
    value = document.get(name)
    if not isinstance(value, str):
        raise HeaderProblem(f"{where}{name} is missing or not text")
    return value


def _count(document: dict[str, Any], name: str, least: int, where: str = "") -> int:
    value = document.get(name)
    # bool is an int in Python, never a count in a header.
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise HeaderProblem(f"{where}{name} is not a whole number of at least {least}")
    return value


def _hash(document: dict[str, Any], name: str, where: str = "") -> bytes:
    text = _text(document, name, where)
    try:
        value = bytes.fromhex(text)
    except ValueError:
        value = b""
    if len(value) != HASH_SIZE or text != value.hex():
        raise HeaderProblem(f"{where}{name} is not 64 lower-case hex digits")
    return value


def _moment(text: str, name: str) -> Any:
    try:
        return parse_rfc3339(text)
    except ValueError:
        raise HeaderProblem(f"{name} is not RFC 3339 UTC with microseconds") from None


def records(stream: BinaryIO, chunk: int = CHUNK) -> Iterator[tuple[bytes, bytes]]:
    """Each record's (chain hash, canonical bytes), in file order; TruncatedRecord
    if the file ends inside one."""
    unpack = LENGTH.unpack_from
    prefix = RECORD_PREFIX
    buffer = b""
    while True:
        more = stream.read(chunk)
        if not more:
            if buffer:
                raise TruncatedRecord
            return
        buffer = buffer + more if buffer else more
        at, end = 0, len(buffer)
        while at + prefix <= end:
            (length,) = unpack(buffer, at)
            stop = at + prefix + length
            if stop > end:
                break
            yield buffer[at + LENGTH.size : at + prefix], buffer[at + prefix : stop]
            at = stop
        buffer = buffer[at:]


@dataclass(frozen=True)
class Event:
    """The fields of one event, read back from its canonical bytes."""

    position: int
    originator_id: bytes  # 16 bytes
    originator_version: int
    topic: str
    state: bytes


def event_problem(data: bytes, prefix: bytes, position: int) -> str | None:
    """Why ``data`` is not a well-formed canonical event of the tenant whose
    ``tenant_prefix`` is ``prefix`` at ``position`` (None: it is)."""
    if not data.startswith(prefix):
        return f"the event belongs to {_tenant_of(data)}"
    at = len(prefix)
    try:
        found, _, _, topic_length = EVENT_FIELDS.unpack_from(data, at)
        state_at = at + EVENT_FIELDS.size + topic_length
        (state_length,) = COUNT.unpack_from(data, state_at)
    except struct.error:
        return "the event's canonical bytes are malformed"
    if state_at + COUNT.size + state_length != len(data):
        return "the event's canonical bytes are malformed"
    if found != position:
        return f"the record holds the event at position {found}"
    return None


def decode_event(data: bytes, prefix: bytes) -> Event:
    """The fields of a canonical event that ``event_problem`` passed."""
    at = len(prefix)
    position, originator_id, version, topic_length = EVENT_FIELDS.unpack_from(data, at)
    topic_at = at + EVENT_FIELDS.size
    state_at = topic_at + topic_length + COUNT.size
    topic = data[topic_at : topic_at + topic_length].decode()
    return Event(position, originator_id, version, topic, data[state_at:])


def _tenant_of(data: bytes) -> str:
    try:
        (length,) = COUNT.unpack_from(data, 0)
    except struct.error:
        return "no tenant (its canonical bytes are malformed)"
    if length > len(data) - COUNT.size:
        return "no tenant (its canonical bytes are malformed)"
    return "tenant " + repr(data[COUNT.size : COUNT.size + length].decode(errors="replace"))
