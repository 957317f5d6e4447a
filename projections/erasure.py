"""Forgetting a person, or marking their data storage only, in one tenant; then the
tenant's read models replayed so that no row shows that data any more.

Nothing is written to the log: the person's key is destroyed (or marked) in the
same transaction that empties the tenant's read models and tracking, after claiming
that tracking, so a projector that read the person's data before cannot write it
afterwards (``person_keys.KeysChanged``), and the GraphQL answer cache, which counts
unreadable persons, never serves an answer read before. The tenant is then replayed
from its log, the person's fields reading as erased or restricted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from domain.personal_data import EVENTS, PERSON_ID_FORMS, Origin, is_person_id
from projections.runner import ALL_TABLES, PROJECTION, Projector
from tenants.store import person_keys, purging
from tenants.store.database import is_sqlite, write_transaction
from tenants.store.schema import events, parked, tenant_heads, tracking
from tenants.store.sealing import is_sealed

REPLAY_ATTEMPTS = 5  # a replay is read again when another erasure in the tenant overtakes it


class ErasureRefused(Exception):
    """The person or tenant named does not exist, or the request is malformed."""


@dataclass(frozen=True)
class Erasure:
    """What forgetting or restricting a person did."""

    tenant_id: str
    person_id: str
    action: Literal["forgotten", "restricted"]
    events: int  # events of the tenant's log that hold the person's data
    fields: int  # personal fields in them
    already: bool  # the person already was so: nothing changed
    replayed: int  # events replayed into the tenant's read models
    purged: bool = False  # the destroyed key's old bytes are gone from the database files


def forget(projector: Projector, tenant_id: str, person_id: str, reason: str | None) -> Erasure:
    """Destroy the person's key: their data reads as erased everywhere, for good."""
    return _make_unreadable(projector, tenant_id, person_id, "forgotten", reason)


def restrict(projector: Projector, tenant_id: str, person_id: str, reason: str) -> Erasure:
    """Keep the person's data and key, and let no read show the data (PIPL art. 47
    ¶2: storage only, where the law forbids deletion). The mark is never lifted;
    it ends only when the person is forgotten."""
    if not reason.strip():
        raise ErasureRefused("say why the data must be kept (the law or retention period)")
    return _make_unreadable(projector, tenant_id, person_id, "restricted", reason)


def _make_unreadable(
    projector: Projector,
    tenant_id: str,
    person_id: str,
    action: Literal["forgotten", "restricted"],
    reason: str | None,
) -> Erasure:
    if not is_person_id(person_id):
        raise ErasureRefused(f"{person_id!r} is not a person id (one of: {PERSON_ID_FORMS})")
    engine = projector.engine
    with engine.connect() as conn:
        known = select(tenant_heads.c.tenant_id).where(tenant_heads.c.tenant_id == tenant_id)
        if conn.execute(known).first() is None:
            raise ErasureRefused(f"no tenant {tenant_id}")
        row = person_keys.person_row(conn, tenant_id, person_id)
        found, fields = occurrences(conn, tenant_id, person_id)
    if row is None and not found:
        raise ErasureRefused(f"tenant {tenant_id} holds no personal data of {person_id}")
    erased = row is not None and row.key is None
    restricted = row is not None and row.restricted_at is not None
    if erased or (action == "restricted" and restricted):
        return Erasure(tenant_id, person_id, action, found, fields, True, 0)
    erasing: int | None = None
    with write_transaction(engine) as conn:
        _hold_tracking(conn, tenant_id)
        if action == "forgotten":
            erasing = person_keys.erase(conn, tenant_id, person_id, reason)
        else:
            person_keys.restrict(conn, tenant_id, person_id, reason or "")
        _clear_read_models(conn, tenant_id)
    person_keys.for_engine(engine).forget_cached(tenant_id)
    purged = action == "forgotten" and purging.purge(engine, erasing)
    replayed = _replay(projector, tenant_id)
    return Erasure(tenant_id, person_id, action, found, fields, False, replayed, purged)


def occurrences(conn: Connection, tenant_id: str, person_id: str) -> tuple[int, int]:
    """How many events of the tenant's log hold the person's data, and how many
    personal fields in them (sealed, or stored in plaintext before sealing)."""
    rows = conn.execute(
        select(events.c.originator_id, events.c.originator_version, events.c.topic, events.c.state)
        .where(events.c.tenant_id == tenant_id, events.c.topic.in_(list(EVENTS)))
        .order_by(events.c.position)
    )
    found = fields = 0
    for row in rows:
        declared = EVENTS[row.topic]
        data = json.loads(bytes(row.state))
        origin = Origin(row.originator_id, row.originator_version, data)
        count = 0
        for name in declared.sealed():
            value = data.get(name)
            if value is None:
                continue
            whose = value["sealed"] if is_sealed(value) else declared.whose(origin)
            count += whose == person_id
        found += count > 0
        fields += count
    return found, fields


def _hold_tracking(conn: Connection, tenant_id: str) -> None:
    # Wait for a batch under way to commit (its rows are then deleted below), and keep
    # any other from writing until this transaction commits.
    dialect_insert = sqlite.insert if is_sqlite(conn.engine) else postgresql.insert
    conn.execute(
        dialect_insert(tracking)
        .values(tenant_id=tenant_id, projection=PROJECTION, position=0)
        .on_conflict_do_nothing()
    )
    conn.execute(
        select(tracking.c.position)
        .where(tracking.c.tenant_id == tenant_id, tracking.c.projection == PROJECTION)
        .with_for_update()
    )


def _clear_read_models(conn: Connection, tenant_id: str) -> None:
    for table in reversed(ALL_TABLES):
        conn.execute(delete(table).where(table.c.tenant_id == tenant_id))
    for done in (tracking, parked):
        conn.execute(
            delete(done).where(done.c.tenant_id == tenant_id, done.c.projection == PROJECTION)
        )


def _replay(projector: Projector, tenant_id: str) -> int:
    for _ in range(REPLAY_ATTEMPTS - 1):
        try:
            return projector.catch_up(tenant_id)
        except person_keys.KeysChanged:
            continue  # another person of the tenant became unreadable meanwhile
    return projector.catch_up(tenant_id)
