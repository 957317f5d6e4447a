"""Persons' data keys: made when a person's data is first written, destroyed to
forget them, kept but never used for reading while they are marked storage only.

A tenant's keys are read as a ``Keyring``: every key, who is erased and who is
restricted, and its *epoch*, the number of erased persons plus the number of
restricted ones. Forgetting and restricting only ever add to it (an erased key never
comes back, a mark is never lifted, and a restricted person forgotten counts in
both), so an unchanged epoch means an unchanged keyring for reading.

Each process keeps the keyrings it has read (``PersonKeys``, one per engine). The
write side trusts a keyring for ``MAX_AGE`` seconds, then checks its epoch again (one
``count`` over an index of the unreadable); so a person forgotten by another process
stops being decrypted by this one's ledgers within ``MAX_AGE`` seconds. Projection
never relies on that: each batch, and each tenant a fold reads, checks the epoch
again (``KeyAccess.pinned``) and, in the transaction that writes its rows, after
claiming the tenant's tracking, that the epoch has not moved since (else
``KeysChanged``, and the work is done again).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from weakref import WeakKeyDictionary

from eventsourcing.persistence import IntegrityError
from sqlalchemy import Connection, Engine, case, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from domain.personal_data import ERASED, RESTRICTED
from tenants.store.database import is_sqlite, write_transaction
from tenants.store.schema import UNREADABLE, person_keys

MAX_AGE = 2.0
"""Seconds a process's ledgers trust a tenant's keyring before checking its epoch."""
KEY_BYTES = 32  # AES-256
_CAPACITY = 512  # tenants whose keyrings a process keeps


class KeysChanged(IntegrityError):
    """A person of the tenant became unreadable while its events were being read:
    what was read from them must be read again (projection retries it)."""


@dataclass
class Keyring:
    """One tenant's persons' keys as read at one moment."""

    tenant_id: str
    keys: dict[str, bytes]
    erased: frozenset[str]
    restricted: frozenset[str]
    checked: float = field(default_factory=time.monotonic)
    ciphers: dict[bytes, Any] = field(default_factory=dict)  # by key, made once (sealing)

    @property
    def epoch(self) -> int:
        """How many of the tenant's persons are erased, plus how many restricted."""
        return len(self.erased) + len(self.restricted)

    def withheld(self, person_id: str) -> str | None:
        """The marker a person's data reads as if it may not be read, else None."""
        if person_id in self.erased:
            return ERASED
        if person_id in self.restricted:
            return RESTRICTED
        return None


def epoch(conn: Connection, tenant_id: str) -> int:
    """The tenant's epoch: how many of its persons are erased, plus how many
    restricted (``Keyring.epoch`` as the database has it now)."""
    erased = func.count(case((person_keys.c.key.is_(None), 1)))
    query = select(erased + func.count(person_keys.c.restricted_at)).where(
        person_keys.c.tenant_id == tenant_id, text(UNREADABLE)
    )
    return int(conn.execute(query).scalar() or 0)


def load_keyring(conn: Connection, tenant_id: str) -> Keyring:
    """Read every key of a tenant, and who is erased or restricted."""
    rows = conn.execute(
        select(person_keys.c.person_id, person_keys.c.key, person_keys.c.restricted_at).where(
            person_keys.c.tenant_id == tenant_id
        )
    ).all()
    return Keyring(
        tenant_id,
        {row.person_id: bytes(row.key) for row in rows if row.key is not None},
        frozenset(row.person_id for row in rows if row.key is None),
        frozenset(row.person_id for row in rows if row.restricted_at is not None),
    )


def person_row(conn: Connection, tenant_id: str, person_id: str) -> Any:
    """The person's key row, or None if their data was never sealed."""
    return conn.execute(
        select(person_keys).where(
            person_keys.c.tenant_id == tenant_id, person_keys.c.person_id == person_id
        )
    ).first()


def _insert(conn: Connection) -> Any:
    return (sqlite.insert if is_sqlite(conn.engine) else postgresql.insert)(person_keys)


def erase(conn: Connection, tenant_id: str, person_id: str, reason: str | None) -> int | None:
    """Destroy the person's key, keeping the row as a record that they were forgotten
    (a person never sealed gets such a row too: their older, plaintext data then
    reads as erased). Return the transaction's id on PostgreSQL (``purging``)."""
    now = datetime.now(UTC)
    if is_sqlite(conn.engine):
        # Zero the freed space the old row leaves in its page.
        conn.exec_driver_sql("PRAGMA secure_delete = ON")
    conn.execute(
        _insert(conn)
        .values(tenant_id=tenant_id, person_id=person_id, key=None, created_at=now)
        .on_conflict_do_nothing()
    )
    conn.execute(
        update(person_keys)
        .where(person_keys.c.tenant_id == tenant_id, person_keys.c.person_id == person_id)
        .values(key=None, erased_at=now, reason=reason)
    )
    if is_sqlite(conn.engine):
        return None
    return int(conn.execute(text("SELECT txid_current()")).scalar_one())


def restrict(conn: Connection, tenant_id: str, person_id: str, reason: str) -> None:
    """Mark the person's data storage only: the key is kept (made now if they have
    none, for data written later), and no read uses it."""
    now = datetime.now(UTC)
    conn.execute(
        _insert(conn)
        .values(
            tenant_id=tenant_id,
            person_id=person_id,
            key=secrets.token_bytes(KEY_BYTES),
            created_at=now,
        )
        .on_conflict_do_nothing()
    )
    conn.execute(
        update(person_keys)
        .where(person_keys.c.tenant_id == tenant_id, person_keys.c.person_id == person_id)
        .values(restricted_at=now, reason=reason)
    )


class KeyAccess:
    """How one reader of a tenant's events reaches its keys: ``pinned`` to the
    keyring it first needs (checked fresh then, and again by ``check``), or trusting
    the process's keyring up to ``MAX_AGE`` seconds old."""

    def __init__(self, keys: PersonKeys, tenant_id: str, *, pinned: bool) -> None:
        self.keys = keys
        self.tenant_id = tenant_id
        self.pinned = pinned
        self._ring: Keyring | None = None

    def keyring(self) -> Keyring:
        """The keyring to read with."""
        if not self.pinned:
            return self.keys.keyring(self.tenant_id)
        if self._ring is None:
            self._ring = self.keys.keyring(self.tenant_id, max_age=0.0)
        return self._ring

    def key(self, person_id: str) -> bytes | str:
        """The person's key, or the marker their data reads as."""
        return self.keys.reading_key(self.keyring(), person_id)

    def check(self, conn: Connection) -> None:
        """Raise ``KeysChanged`` if a person became unreadable since the keyring read
        with was checked (nothing to check if none was needed)."""
        if self._ring is not None and epoch(conn, self.tenant_id) != self._ring.epoch:
            raise KeysChanged(f"a person of {self.tenant_id} became unreadable meanwhile")


class PersonKeys:
    """The keyrings one process has read, by tenant."""

    def __init__(self, engine: Engine, max_age: float = MAX_AGE) -> None:
        self.engine = engine
        self.max_age = max_age
        self._rings: OrderedDict[str, Keyring] = OrderedDict()
        self._lock = threading.Lock()

    def keyring(self, tenant_id: str, max_age: float | None = None) -> Keyring:
        """The tenant's keyring, checked against the database if older than
        ``max_age`` seconds (default ``MAX_AGE``) and read again if its epoch moved."""
        limit = self.max_age if max_age is None else max_age
        with self._lock:
            ring = self._rings.get(tenant_id)
        if ring is not None and time.monotonic() - ring.checked < limit:
            return ring
        with self.engine.connect() as conn:
            now = epoch(conn, tenant_id)
            if ring is None or ring.epoch != now:
                ring = load_keyring(conn, tenant_id)
        ring.checked = time.monotonic()
        with self._lock:
            self._rings[tenant_id] = ring
            self._rings.move_to_end(tenant_id)
            while len(self._rings) > _CAPACITY:
                self._rings.popitem(last=False)
        return ring

    def reading_key(self, ring: Keyring, person_id: str) -> bytes | str:
        """The key to read a person's data with, or the marker it reads as. A person
        the keyring does not know (sealed after it was read) is looked up."""
        withheld = ring.withheld(person_id)
        if withheld is not None:
            return withheld
        key = ring.keys.get(person_id)
        if key is not None:
            return key
        with self.engine.connect() as conn:
            row = person_row(conn, ring.tenant_id, person_id)
        if row is None or row.key is None:
            return ERASED  # never sealed here (moved from elsewhere), or erased since
        if row.restricted_at is not None:
            return RESTRICTED
        ring.keys[person_id] = bytes(row.key)
        return bytes(row.key)

    def sealing_key(self, tenant_id: str, person_id: str) -> bytes | None:
        """The key to seal a person's new data with, made if they have none; None if
        they were forgotten (their new data is stored already erased).

        A new key is committed before the event that uses it, so every reader that
        sees the event finds the key. A command that then fails leaves a key that
        seals nothing: harmless, and forgetting the person destroys it alike.
        """
        ring = self.keyring(tenant_id)
        if person_id in ring.erased:
            return None
        key = ring.keys.get(person_id)
        if key is not None:
            return key
        with write_transaction(self.engine) as conn:
            conn.execute(
                _insert(conn)
                .values(
                    tenant_id=tenant_id,
                    person_id=person_id,
                    key=secrets.token_bytes(KEY_BYTES),
                    created_at=datetime.now(UTC),
                )
                .on_conflict_do_nothing()
            )
            row = person_row(conn, tenant_id, person_id)
        if row.key is None:
            return None
        ring.keys[person_id] = bytes(row.key)
        return bytes(row.key)

    def forget_cached(self, tenant_id: str) -> None:
        """Drop this process's keyring of a tenant (after changing its keys here)."""
        with self._lock:
            self._rings.pop(tenant_id, None)


_BY_ENGINE: WeakKeyDictionary[Engine, PersonKeys] = WeakKeyDictionary()
_BY_ENGINE_LOCK = threading.Lock()


def for_engine(engine: Engine) -> PersonKeys:
    """The keyrings of the process's engine, shared by all its ledgers and projectors."""
    with _BY_ENGINE_LOCK:
        keys = _BY_ENGINE.get(engine)
        if keys is None:
            keys = _BY_ENGINE[engine] = PersonKeys(engine)
        return keys
