"""Sealing personal data into events, and opening it again.

Each personal field that ``domain.personal_data`` declares is stored as
``{"sealed": "<person id>", "ct": "<base64 of nonce ‖ AES-256-GCM ciphertext>"}``:
the field's JSON value encrypted under its person's key with a random 96-bit nonce,
the tenant, person and field name bound as associated data (so a ciphertext moved to
another person, tenant or field does not open). The chain hashes and Merkle leaves
cover the stored bytes, ciphertext included: destroying a key changes no stored
byte, and every proof still verifies. A person already forgotten is sealed to no one
(``"ct": null``).

Reading opens each field with its person's key; without one (forgotten) it reads as
``ERASED``, and while the person is marked storage only as ``RESTRICTED``, in the
field's own shape (a contact stays a {name, phone}). Events stored in plaintext before
sealing existed read as before, unless their person became unreadable.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import struct
from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any, cast
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoder,
    find_id_convertor,
)
from eventsourcing.utils import get_topic, resolve_topic

from domain.personal_data import ERASED, EVENTS, Kind, Origin, PersonalEvent, redacted
from tenants.store.person_keys import KeyAccess, Keyring, PersonKeys

NONCE_BYTES = 12
_CONTEXT = b"gongjian-personal-data/v1"


@lru_cache(maxsize=4096)
def _associated(tenant_id: str, person_id: str, field: str) -> bytes:
    parts = [_CONTEXT, *(part.encode() for part in (tenant_id, person_id, field))]
    return b"".join(struct.pack(">I", len(part)) + part for part in parts)


def _aead(key: bytes, ring: Keyring | None) -> AESGCM:
    # Made once per key and keyring: a keyring read again (after an erasure) starts afresh.
    if ring is None:
        return AESGCM(key)
    aead: AESGCM | None = ring.ciphers.get(key)
    if aead is None:
        aead = ring.ciphers[key] = AESGCM(key)
    return aead


def seal(
    key: bytes | None,
    tenant_id: str,
    person_id: str,
    field: str,
    value: Any,
    ring: Keyring | None = None,
) -> Any:
    """A field's value sealed under its person's key (None: to no one)."""
    if key is None:
        return {"sealed": person_id, "ct": None}
    nonce = os.urandom(NONCE_BYTES)
    plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    sealed = _aead(key, ring).encrypt(nonce, plain, _associated(tenant_id, person_id, field))
    return {"sealed": person_id, "ct": base64.b64encode(nonce + sealed).decode()}


def is_sealed(value: Any) -> bool:
    """Whether a stored value is a sealed field."""
    return (
        isinstance(value, dict)
        and value.keys() == {"sealed", "ct"}
        and isinstance(value["sealed"], str)
    )


def open_sealed(
    key: bytes, tenant_id: str, field: str, sealed: dict[str, Any], ring: Keyring | None = None
) -> Any:
    """A sealed field's value; raises ValueError if it does not open with this key,
    tenant and field (tampered, or moved from elsewhere)."""
    if sealed["ct"] is None:
        raise ValueError("sealed to no one")
    try:
        data = base64.b64decode(sealed["ct"], validate=True)
        plain = _aead(key, ring).decrypt(
            data[:NONCE_BYTES],
            data[NONCE_BYTES:],
            _associated(tenant_id, sealed["sealed"], field),
        )
        return json.loads(plain)
    except (InvalidTag, binascii.Error, TypeError, UnicodeDecodeError) as error:
        raise ValueError("does not open") from error


def open_fields(
    state: dict[str, Any], declared: PersonalEvent, origin: Origin, access: KeyAccess
) -> None:
    """Replace the sealed fields of an event's state by their values (or markers)."""
    for field, kind in declared.sealed().items():
        value = state.get(field)
        if value is None:
            continue
        if is_sealed(value):
            state[field] = _opened(value, kind, field, access)
        else:
            # Stored before sealing: shown as it is, unless its person is withheld.
            withheld = access.keyring().withheld(declared.whose(origin))
            if withheld is not None:
                state[field] = redacted(kind, withheld)


def _opened(value: dict[str, Any], kind: Kind, field: str, access: KeyAccess) -> Any:
    key = access.key(value["sealed"])
    if isinstance(key, str):
        return redacted(kind, key)
    try:
        return open_sealed(key, access.tenant_id, field, value, access.keyring())
    except ValueError:
        return redacted(kind, ERASED)


class SealingMapper(Mapper[UUID]):
    """The library's mapper, sealing personal fields as events are stored and
    opening them as they are read, for one tenant's ledger (``tenant_id``) or, with
    ``read``, for whichever tenant a projector reads."""

    def __init__(self, transcoder: Transcoder, keys: PersonKeys, tenant_id: str) -> None:
        super().__init__(transcoder)
        self.keys = keys
        self.tenant_id = tenant_id
        self.access = KeyAccess(keys, tenant_id, pinned=False)

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        declared = EVENTS.get(get_topic(type(domain_event)))
        if declared is None:
            return super().to_stored_event(domain_event)
        state = dict(vars(domain_event))
        fields = [f for f in declared.sealed() if state.get(f) is not None]
        if fields:
            origin = Origin(state["originator_id"], state["originator_version"], state)
            person = declared.whose(origin)
            key = self.keys.sealing_key(self.tenant_id, person)
            ring = self.keys.keyring(self.tenant_id)
            for f in fields:
                state[f] = seal(key, self.tenant_id, person, f, state[f], ring)
        # The library stores an event's attributes: hand it a copy holding the sealed ones.
        sealed = object.__new__(type(domain_event))
        object.__setattr__(sealed, "__dict__", state)
        return super().to_stored_event(sealed)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        return self.read(stored_event, self.access)

    def reading(self, tenant_id: str) -> KeyAccess:
        """Key access for one unit of projection work on a tenant (pinned)."""
        return KeyAccess(self.keys, tenant_id, pinned=True)

    def read(self, stored_event: StoredEvent, access: KeyAccess) -> DomainEventProtocol[UUID]:
        """An event of ``access``'s tenant, its personal fields opened (before it is
        upcast: each was sealed under the name it is stored with)."""
        declared = EVENTS.get(stored_event.topic)
        if declared is None:
            return super().to_domain_event(stored_event)
        cls = resolve_topic(stored_event.topic)
        state = self._decoded(stored_event)
        origin = Origin(
            UUID(str(stored_event.originator_id)), stored_event.originator_version, state
        )
        open_fields(state, declared, origin, access)
        # As the library's mapper goes on (eventsourcing.persistence.Mapper).
        convert: Callable[[UUID | str], UUID | str] = find_id_convertor(
            cls, cast(Hashable, type(stored_event.originator_id))
        )
        state["originator_id"] = convert(stored_event.originator_id)
        state["originator_version"] = stored_event.originator_version
        class_version = getattr(cls, "class_version", 1)
        from_version = state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        domain_event: DomainEventProtocol[UUID] = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", state)
        return domain_event

    def _decoded(self, stored_event: StoredEvent) -> dict[str, Any]:
        state = stored_event.state
        try:
            if self.cipher:
                state = self.cipher.decrypt(state)
            if self.compressor:
                state = self.compressor.decompress(state)
            decoded: dict[str, Any] = self.transcoder.decode(state)
        except Exception as error:
            raise MapperDeserialisationError(
                f"Failed to deserialise state of stored event with topic "
                f"'{stored_event.topic}', originator_id '{stored_event.originator_id}' and "
                f"originator_version {stored_event.originator_version}: {error}"
            ) from error
        return decoded
