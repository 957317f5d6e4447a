"""The projection runner: follows tenants' logs into read models, exactly once.

Each batch of events and the tenant's tracking position are written in one
transaction. The tracking row is claimed first (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), so several runners share tenants without double work, and a
replayed or crashed batch can never be applied twice.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from eventsourcing.persistence import IntegrityError, Mapper, StoredEvent
from sqlalchemy import Connection, Engine, delete, func, insert, select
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from projections import (
    handlers_commitments,
    handlers_evaluations,
    handlers_meetings,
    handlers_members,
    handlers_resolutions,
    handlers_units,
)
from projections.context import Applied, Handler
from projections.tables import PROJECTED_TABLES, events, record_events
from projections.tables_engagement import ENGAGEMENT_TABLES
from tenants.store.database import write_transaction
from tenants.store.schema import events as log
from tenants.store.schema import parked, tenant_heads, tracking
from tenants.store.tracking import (
    Parked,
    advance_tracking,
    claim_tracking,
    park,
    parked_tenants,
    tracked_position,
    unpark,
)

PROJECTION = "read_models"
BATCH = 500
# Failures that say nothing about the event: the database went away, or another
# runner advanced the tenant first. The batch is tried again later, never parked.
TRANSIENT = (OperationalError, InterfaceError, DisconnectionError, IntegrityError)
HANDLERS: dict[str, Handler] = {
    **handlers_units.HANDLERS,
    **handlers_meetings.HANDLERS,
    **handlers_resolutions.HANDLERS,
    **handlers_commitments.HANDLERS,
    **handlers_members.HANDLERS,
    **handlers_evaluations.HANDLERS,
}
ALL_TABLES = [*PROJECTED_TABLES, *ENGAGEMENT_TABLES]

logger = logging.getLogger(__name__)
_FEED = insert(events)
_INDEX = insert(record_events)


class Projector:
    """Applies tenants' events to the read models."""

    def __init__(self, engine: Engine, mapper: Mapper[Any], batch_size: int = BATCH) -> None:
        self.engine = engine
        self.mapper = mapper
        self.batch_size = batch_size

    def catch_up(self, tenant_id: str) -> int:
        """Project the tenant's log to its head; return how many events were applied.

        An event that cannot be applied parks the tenant at it (every event before it
        stays applied); a parked tenant is skipped until ``retry_parked``.
        """
        if self.parked(tenant_id):
            return 0
        applied = 0
        size = self.batch_size
        while True:
            try:
                count = self._one_batch(tenant_id, size)
            except TRANSIENT:
                raise
            except Exception as error:
                if size > 1:
                    # Find the one event that fails, applying those before it.
                    size = 1
                    continue
                self._park(tenant_id, error)
                return applied
            applied += max(count, 0)
            if count < size:
                return applied

    def catch_up_all(self) -> int:
        """Project every tenant that has unprojected events; one tenant's failure
        (even a lost connection) never stops the others."""
        applied = 0
        for tenant in self.lagging_tenants():
            try:
                applied += self.catch_up(tenant)
            except Exception:
                logger.exception("projecting %s failed; trying again later", tenant)
        return applied

    def parked(self, tenant_id: str | None = None) -> list[Parked]:
        """The tenants parked at an event they cannot apply (or the one given)."""
        with self.engine.connect() as conn:
            return parked_tenants(conn, PROJECTION, tenant_id)

    def retry_parked(self, tenant_id: str | None = None) -> list[str]:
        """Unpark tenants (all, or one) and project them again (after an upgrade or a
        fix); return those that are projected now, not parked again."""
        retried = unpark(self.engine, PROJECTION, tenant_id)
        for tenant in retried:
            self.catch_up(tenant)
        still = {p.tenant_id for p in self.parked()}
        return [tenant for tenant in retried if tenant not in still]

    def _park(self, tenant_id: str, error: Exception) -> None:
        position = self.position(tenant_id) + 1
        reason = f"{type(error).__name__}: {error}"
        logger.error("parked %s at position %s: %s", tenant_id, position, reason)
        park(self.engine, tenant_id, PROJECTION, position, reason)

    def lagging_tenants(self) -> list[str]:
        """Tenants whose head is past this projection's tracking position."""
        tracked = (
            select(tracking.c.position)
            .where(
                tracking.c.tenant_id == tenant_heads.c.tenant_id,
                tracking.c.projection == PROJECTION,
            )
            .scalar_subquery()
        )
        parked_here = select(parked.c.tenant_id).where(parked.c.projection == PROJECTION)
        query = select(tenant_heads.c.tenant_id).where(
            tenant_heads.c.position > func.coalesce(tracked, 0),
            tenant_heads.c.tenant_id.not_in(parked_here),
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def position(self, tenant_id: str) -> int:
        """How far the read models reflect the tenant's log."""
        with self.engine.connect() as conn:
            return tracked_position(conn, tenant_id, PROJECTION)

    def project_through(self, tenant_id: str, position: int, timeout: float = 5.0) -> bool:
        """Project the tenant at least through ``position`` (read-your-writes).

        Another runner may hold the tenant's tracking row, and the batch it is
        applying may have been read before this position was committed: keep
        catching up until the position is covered rather than trusting it will.
        """
        deadline = time.monotonic() + timeout
        while True:
            self.catch_up(tenant_id)
            if self.position(tenant_id) >= position:
                return True
            if time.monotonic() > deadline or self.parked(tenant_id):
                return False
            time.sleep(0.005)

    def wait_for(self, tenant_id: str, position: int, timeout: float = 5.0) -> bool:
        """Block until the tenant is projected up to ``position`` (read-your-writes)."""
        deadline = time.monotonic() + timeout
        while self.position(tenant_id) < position:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def rebuild(self, tenant_id: str | None = None) -> None:
        """Drop projected rows and tracking (of one tenant, or all); replay the logs."""
        self.clear(tenant_id)
        if tenant_id is None:
            self.catch_up_all()
        else:
            self.catch_up(tenant_id)

    def clear(self, tenant_id: str | None = None) -> None:
        """Drop projected rows, tracking and parking (of one tenant, or all)."""
        with write_transaction(self.engine) as conn:
            for table in reversed(ALL_TABLES):
                rows = delete(table)
                if tenant_id is not None:
                    rows = rows.where(table.c.tenant_id == tenant_id)
                conn.execute(rows)
            done = delete(tracking).where(tracking.c.projection == PROJECTION)
            if tenant_id is not None:
                done = done.where(tracking.c.tenant_id == tenant_id)
            conn.execute(done)
        unpark(self.engine, PROJECTION, tenant_id)  # a rebuild tries every tenant again

    def _one_batch(self, tenant_id: str, size: int) -> int:
        with write_transaction(self.engine) as conn:
            start = claim_tracking(conn, tenant_id, PROJECTION)
            if start is None:
                return -1  # another runner holds this tenant right now
            rows = conn.execute(
                select(log)
                .where(log.c.tenant_id == tenant_id, log.c.position > start)
                .order_by(log.c.position)
                .limit(size)
            ).all()
            feed: list[dict[str, Any]] = []
            index: list[dict[str, Any]] = []
            for row in rows:
                self._apply(conn, tenant_id, row, feed, index)
            if rows:
                # Handlers never read the feed or the history index: write them once
                # per batch (a multi-row insert) rather than twice per event.
                conn.execute(_FEED, feed)
                conn.execute(_INDEX, index)
                advance_tracking(conn, tenant_id, PROJECTION, rows[-1].position)
            return len(rows)

    def _apply(
        self,
        conn: Connection,
        tenant_id: str,
        row: Any,
        feed: list[dict[str, Any]],
        index: list[dict[str, Any]],
    ) -> None:
        stored = StoredEvent(row.originator_id, row.originator_version, row.topic, bytes(row.state))
        event = self.mapper.to_domain_event(stored)
        applied = Applied(conn, tenant_id, row.position, row.topic, event)
        handler = HANDLERS.get(row.topic)
        touched = handler(applied) if handler else []
        record_type = row.topic.split(".")[1]
        stamp = applied.stamp
        feed.append(
            {
                "tenant_id": tenant_id,
                "position": row.position,
                "record_type": record_type,
                "record_id": applied.record_id,
                "type": row.topic.rsplit(".", 1)[1],
                "version": applied.version,
                "recorded_at": applied.recorded_at,
                "occurred_at": applied.occurred_at if stamp.occurred_at else None,
                "actor": {
                    "user_id": stamp.actor.user_id,
                    "role": stamp.actor.role,
                    "unit_id": stamp.actor.unit_id,
                },
                "reason": stamp.reason,
                "data": applied.data(),
            }
        )
        refs = sorted({applied.record_id, *touched})
        index.extend(
            {"tenant_id": tenant_id, "record_id": ref, "position": row.position} for ref in refs
        )


class BackgroundProjector:
    """Runs catch-up in a thread: embedded mode's in-process projection."""

    def __init__(self, projector: Projector, interval: float = 0.2) -> None:
        self.projector = projector
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="projector", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.projector.catch_up_all()
            except Exception:  # keep projecting other tenants; the error is logged
                logger.exception("projection batch failed")
            self._stop.wait(self.interval)
