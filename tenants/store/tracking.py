"""Per-tenant projection tracking, written in the same transaction as read rows, and
the tenants a projection parked at an event it could not apply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from eventsourcing.persistence import IntegrityError, TrackingRecorder
from eventsourcing.persistence import Tracking as LibraryTracking
from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tenants.store.database import is_sqlite, write_transaction
from tenants.store.schema import parked, tracking


def tracked_position(conn: Connection, tenant_id: str, projection: str) -> int:
    """Return how far ``projection`` has processed the tenant's log (0 if not begun)."""
    position = conn.execute(
        select(tracking.c.position).where(
            tracking.c.tenant_id == tenant_id, tracking.c.projection == projection
        )
    ).scalar()
    return int(position or 0)


def claim_tracking(conn: Connection, tenant_id: str, projection: str) -> int | None:
    """Lock the tenant's tracking row for this transaction; None if another holds it."""
    dialect_insert = sqlite.insert if is_sqlite(conn.engine) else postgresql.insert
    # Create the row first, so that two runners starting a new tenant contend on
    # the same row instead of both projecting from position 0.
    conn.execute(
        dialect_insert(tracking)
        .values(tenant_id=tenant_id, projection=projection, position=0)
        .on_conflict_do_nothing()
    )
    query = select(tracking.c.position).where(
        tracking.c.tenant_id == tenant_id, tracking.c.projection == projection
    )
    if not is_sqlite(conn.engine):
        # Several projector processes share tenants: skip what another is doing.
        query = query.with_for_update(skip_locked=True)
    position = conn.execute(query).scalar()
    return None if position is None else int(position)


def advance_tracking(conn: Connection, tenant_id: str, projection: str, position: int) -> None:
    """Record that ``projection`` processed the log up to ``position``.

    Refuses (IntegrityError) to record a position at or behind the current one,
    so a replayed or concurrent batch can never be applied twice.
    """
    current = conn.execute(
        select(tracking.c.position)
        .where(tracking.c.tenant_id == tenant_id, tracking.c.projection == projection)
        .with_for_update()
    ).scalar()
    if current is None:
        conn.execute(
            insert(tracking).values(tenant_id=tenant_id, projection=projection, position=position)
        )
        return
    if position <= current:
        raise IntegrityError(
            f"tracking for {projection}/{tenant_id} is at {current}, not before {position}"
        )
    conn.execute(
        update(tracking)
        .where(tracking.c.tenant_id == tenant_id, tracking.c.projection == projection)
        .values(position=position)
    )


@dataclass(frozen=True)
class Parked:
    """A tenant a projection stopped at: the event's position, the error, when."""

    tenant_id: str
    position: int
    error: str
    parked_at: datetime


def park(engine: Engine, tenant_id: str, projection: str, position: int, error: str) -> None:
    """Record that ``projection`` cannot apply the tenant's event at ``position``."""
    with write_transaction(engine) as conn:
        conn.execute(
            delete(parked).where(parked.c.tenant_id == tenant_id, parked.c.projection == projection)
        )
        conn.execute(
            insert(parked).values(
                tenant_id=tenant_id,
                projection=projection,
                position=position,
                error=error[:4000],
                parked_at=datetime.now(UTC),
            )
        )


def parked_tenants(conn: Connection, projection: str, tenant_id: str | None = None) -> list[Parked]:
    """The tenants ``projection`` has parked (or the one given, if parked)."""
    query = select(parked).where(parked.c.projection == projection).order_by(parked.c.tenant_id)
    if tenant_id is not None:
        query = query.where(parked.c.tenant_id == tenant_id)
    return [
        Parked(row.tenant_id, row.position, row.error, row.parked_at) for row in conn.execute(query)
    ]


def unpark(engine: Engine, projection: str, tenant_id: str | None = None) -> list[str]:
    """Let ``projection`` try the parked tenants (or one) again; return which."""
    with write_transaction(engine) as conn:
        query = delete(parked).where(parked.c.projection == projection)
        if tenant_id is not None:
            query = query.where(parked.c.tenant_id == tenant_id)
        return list(conn.execute(query.returning(parked.c.tenant_id)).scalars())


class TenantTrackingRecorder(TrackingRecorder):
    """The library's tracking interface over ``es_tracking`` (upstream = tenant)."""

    def __init__(self, engine: Engine, projection: str) -> None:
        self.engine = engine
        self.projection = projection

    def insert_tracking(self, tracking: LibraryTracking) -> None:
        """Record a tracking object in its own transaction."""
        with write_transaction(self.engine) as conn:
            advance_tracking(
                conn,
                tracking.application_name,
                self.projection,
                tracking.notification_id,
            )

    def max_tracking_id(self, application_name: str) -> int | None:
        """Return the tracked position for a tenant, or None if none recorded."""
        with self.engine.connect() as conn:
            return tracked_position(conn, application_name, self.projection) or None
