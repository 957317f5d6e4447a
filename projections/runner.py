"""The projection runner: follows tenants' logs into read models, exactly once.

Each batch of events and the tenant's tracking position are written in one
transaction. The tracking row is claimed first (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), so several runners share tenants without double work, and a
replayed or crashed batch can never be applied twice.

A tenant projected from nothing (tracking at 0: new, or cleared for a rebuild)
is folded in memory and written in bulk (``projections.folding``); anything the
fold cannot do exactly hands the tenant back to the per-event path, which parks
it at an event it cannot apply.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from typing import Any

from eventsourcing.persistence import IntegrityError, StoredEvent
from sqlalchemy import Connection, Engine, delete, func, insert, select, text
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from projections import (
    handlers_affairs,
    handlers_agreements,
    handlers_commendations,
    handlers_commitments,
    handlers_evaluations,
    handlers_evidence,
    handlers_meetings,
    handlers_members,
    handlers_plenary_business,
    handlers_resolutions,
    handlers_units,
    handlers_upward_reports,
    handlers_webhooks,
)
from projections.context import Applied, Handler
from projections.folding import CHUNK, GROUP, Fold, Piece, Target, take, write_pieces, write_target
from projections.search_index import search_entries
from projections.searchable import indexing
from projections.tables import PROJECTED_TABLES, events, record_events
from projections.tables_affairs import AFFAIR_TABLES
from projections.tables_agreements import AGREEMENT_TABLES
from projections.tables_commendations import COMMENDATION_TABLES
from projections.tables_engagement import ENGAGEMENT_TABLES
from projections.tables_evidence import EVIDENCE_TABLES
from projections.tables_plenary_business import PLENARY_TABLES
from projections.tables_upward_reports import UPWARD_REPORT_TABLES
from projections.tables_webhooks import WEBHOOK_TABLES
from projections.temporal import SqlRows, TemporalBackend
from projections.workers import can_fork, fold_in_workers
from tenants.store.database import write_transaction
from tenants.store.person_keys import KeyAccess
from tenants.store.schema import events as log
from tenants.store.schema import parked, tenant_heads, tracking
from tenants.store.sealing import SealingMapper
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
    **handlers_webhooks.HANDLERS,
    **handlers_agreements.HANDLERS,
    **handlers_affairs.HANDLERS,
    **handlers_commendations.HANDLERS,
    **handlers_plenary_business.HANDLERS,
    **handlers_evidence.HANDLERS,
    **handlers_upward_reports.HANDLERS,
}
ALL_TABLES = [
    *PROJECTED_TABLES,
    *ENGAGEMENT_TABLES,
    *WEBHOOK_TABLES,
    *AGREEMENT_TABLES,
    *AFFAIR_TABLES,
    *COMMENDATION_TABLES,
    *PLENARY_TABLES,
    *EVIDENCE_TABLES,
    *UPWARD_REPORT_TABLES,
    search_entries,
]

logger = logging.getLogger(__name__)
_TRUNCATABLE = text(
    "SELECT bool_and(has_table_privilege(name, 'TRUNCATE'))"
    " FROM unnest(CAST(:names AS text[])) AS name"
)
_FEED = insert(events)
_INDEX = insert(record_events)


class Projector:
    """Applies tenants' events to the read models."""

    def __init__(
        self,
        engine: Engine,
        mapper: SealingMapper,
        batch_size: int = BATCH,
        *,
        fold: bool = True,
        fold_chunk: int = CHUNK,
        fold_group: int = GROUP,
    ) -> None:
        self.engine = engine
        self.mapper = mapper
        self.batch_size = batch_size
        self.fold = fold
        self.fold_chunk = fold_chunk
        self.fold_group = fold_group
        self.folded = 0  # events applied by folding, since this projector was made
        # How far this process has committed each tenant's projection: a command
        # whose events another thread's batch already applied need not wait its turn
        # for the write lock only to find nothing left (``project_through``).
        self._through: dict[str, int] = {}
        self._through_lock = threading.Lock()

    def catch_up(self, tenant_id: str) -> int:
        """Project the tenant's log to its head; return how many events were applied.

        From nothing (tracking at 0) the log is folded (``fold_tenants``), else
        applied a batch per transaction. An event that cannot be applied parks the
        tenant at it (every event before it stays applied); a parked tenant is
        skipped until ``retry_parked``.
        """
        if self.parked(tenant_id):
            return 0
        # A tenant this process has projected before is past the fold's start.
        if self.fold and not self._through.get(tenant_id) and self.position(tenant_id) == 0:
            applied, left = self.fold_tenants([tenant_id])
            if not left:
                return applied
            return applied + self._by_event(tenant_id)
        return self._by_event(tenant_id)

    def catch_up_all(self, workers: int = 1) -> int:
        """Project every tenant that has unprojected events; one tenant's failure
        (even a lost connection) never stops the others.

        Tenants projected from nothing are folded, by ``workers`` processes if
        more than one (``projections.workers``: only from a process without
        other threads; elsewhere in this one).
        """
        applied = 0
        lagging = self._lagging()
        rest = [tenant for tenant, position, _ in lagging if position or not self.fold]
        fresh = [(tenant, head) for tenant, position, head in lagging if not position and self.fold]
        left: list[str] = []
        if fresh:
            try:
                if workers > 1 and len(fresh) > 1 and can_fork():
                    applied, left = fold_in_workers(self, fresh, workers)
                else:
                    applied, left = self.fold_tenants([tenant for tenant, _ in fresh])
            except Exception:
                logger.exception("folding tenants failed; projecting them one by one")
                rest.extend(tenant for tenant, _ in fresh)
        for tenant, project in [
            *((tenant, self.catch_up) for tenant in rest),
            *((tenant, self._by_event) for tenant in left),  # not folded a second time
        ]:
            try:
                applied += project(tenant)
            except Exception:
                logger.exception("projecting %s failed; trying again later", tenant)
        return applied

    def fold_tenants(self, tenants: list[str]) -> tuple[int, list[str]]:
        """Fold tenants whose read models are empty (tracking at 0) into them; return
        how many events were applied and the tenants left to the per-event path.

        Small tenants are written together, about ``fold_group`` events per
        transaction; a long log a chunk (``fold_chunk`` events) per transaction. A
        tenant is left, its unwritten work discarded, on anything the fold cannot do
        exactly as the per-event path would (that path then applies it, or parks it
        at the event it cannot apply), or when its tracking is claimed by another
        runner or not at 0 (nothing of it is written then).
        """
        before = self.folded
        left: list[str] = []
        with self.engine.connect() as conn:
            target = write_target(conn, [*ALL_TABLES, events, record_events])
        writes = _Writes(self, target, left)
        # The folds hold many rows (dicts), all live until written: the cyclic
        # collector would scan them again and again for garbage they never are.
        collecting = gc.isenabled()
        gc.disable()
        try:
            group: list[Fold] = []
            for tenant in tenants:
                fold = Fold(tenant)
                try:
                    if not self._fold_log(fold, writes):
                        continue
                except TRANSIENT:
                    raise
                except Exception as error:
                    logger.warning("folding %s stopped (%r); projecting it by event", tenant, error)
                    writes.leave([tenant])
                    continue
                if fold.unwritten:
                    group.append(fold)
                if sum(f.unwritten for f in group) >= self.fold_group:
                    writes.submit(group)
                    group = []
            writes.submit(group, wait=True)
        finally:
            try:
                writes.close()
            finally:
                if collecting:
                    gc.enable()
        return self.folded - before, left

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
        return [tenant for tenant, _, _ in self._lagging()]

    def _lagging(self) -> list[tuple[str, int, int]]:
        """Lagging tenants (not parked), each with its tracking position and head."""
        tracked = (
            select(tracking.c.position)
            .where(
                tracking.c.tenant_id == tenant_heads.c.tenant_id,
                tracking.c.projection == PROJECTION,
            )
            .scalar_subquery()
        )
        parked_here = select(parked.c.tenant_id).where(parked.c.projection == PROJECTION)
        position = func.coalesce(tracked, 0)
        query = select(tenant_heads.c.tenant_id, position, tenant_heads.c.position).where(
            tenant_heads.c.position > position,
            tenant_heads.c.tenant_id.not_in(parked_here),
        )
        with self.engine.connect() as conn:
            return [(tenant, int(at), int(head)) for tenant, at, head in conn.execute(query)]

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
            if self._through.get(tenant_id, 0) >= position:
                return True
            self.catch_up(tenant_id)
            if self._through.get(tenant_id, 0) >= position or self.position(tenant_id) >= position:
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

    def rebuild(self, tenant_id: str | None = None, workers: int = 1) -> None:
        """Drop projected rows and tracking (of one tenant, or all); replay the logs
        (all of them by ``workers`` processes: see ``catch_up_all``)."""
        self.clear(tenant_id)
        if tenant_id is None:
            self.catch_up_all(workers)
        else:
            self.catch_up(tenant_id)

    def clear(self, tenant_id: str | None = None) -> None:
        """Drop projected rows, tracking and parking (of one tenant, or all)."""
        with write_transaction(self.engine) as conn:
            if tenant_id is None and _may_truncate(conn):
                # Every row goes: emptying the tables beats deleting row by row.
                names = ", ".join(
                    conn.dialect.identifier_preparer.format_table(t) for t in ALL_TABLES
                )
                conn.execute(text(f"TRUNCATE {names}"))
            else:
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
        with self._through_lock:
            if tenant_id is None:
                self._through.clear()
            else:
                self._through.pop(tenant_id, None)

    def _by_event(self, tenant_id: str) -> int:
        """Project the tenant a batch of events per transaction, statement by
        statement; park it at an event it cannot apply."""
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

    def _fold_log(self, fold: Fold, writes: _Writes) -> bool:
        """Fold the tenant's log to its head into memory, writing each full chunk
        of a long log on its own; False if the tenant was left meanwhile."""
        keys = writes.keys[fold.tenant_id] = self.mapper.reading(fold.tenant_id)
        while True:
            # Read and fold outside the write transaction: on SQLite its lock is
            # held only while the rows are written.
            with self.engine.connect() as conn:
                query = _log_after(fold.tenant_id, fold.folded, self.fold_chunk)
                rows = conn.execute(query).all()
            for row in rows:
                self.apply(fold.rows, keys, row, fold.feed, fold.index)
            if rows:
                fold.folded = rows[-1].position
            if len(rows) < self.fold_chunk:
                return True
            if not writes.submit([fold]):
                return False

    def _one_batch(self, tenant_id: str, size: int) -> int:
        with write_transaction(self.engine) as conn:
            start = claim_tracking(conn, tenant_id, PROJECTION)
            if start is None:
                return -1  # another runner holds this tenant right now
            rows = conn.execute(_log_after(tenant_id, start, size)).all()
            feed: list[dict[str, Any]] = []
            index: list[dict[str, Any]] = []
            backend = SqlRows(conn)
            keys = self.mapper.reading(tenant_id)
            for row in rows:
                self.apply(backend, keys, row, feed, index)
            if rows:
                # Handlers never read the feed or the history index: write them once
                # per batch (a multi-row insert) rather than twice per event.
                conn.execute(_FEED, feed)
                conn.execute(_INDEX, index)
                keys.check(conn)
                advance_tracking(conn, tenant_id, PROJECTION, rows[-1].position)
        # Committed: the read models reflect the log through here.
        self._note_through(tenant_id, rows[-1].position if rows else start)
        return len(rows)

    def _note_through(self, tenant_id: str, position: int) -> None:
        with self._through_lock:
            if position > self._through.get(tenant_id, 0):
                self._through[tenant_id] = position

    def apply(
        self,
        backend: TemporalBackend,
        keys: KeyAccess,
        row: Any,
        feed: list[dict[str, Any]],
        index: list[dict[str, Any]],
    ) -> None:
        """Apply one event of a tenant's log (a row of its position, originator id and
        version, topic and state), read with the tenant's person keys ``keys``, to
        ``backend``'s rows; add its feed and history index rows to ``feed`` and
        ``index``."""
        tenant_id = keys.tenant_id
        position, topic = row.position, row.topic
        stored = StoredEvent(row.originator_id, row.originator_version, topic, bytes(row.state))
        event = self.mapper.read(stored, keys)
        # Handlers write through the search index's watch, which follows their text.
        searched = indexing(backend)
        applied = Applied(searched, tenant_id, position, topic, event)
        handler = HANDLERS.get(topic)
        touched = handler(applied) if handler else []
        searched.finish(applied)
        stamp = applied.stamp
        actor = stamp.actor
        record_id = applied.record_id
        parts = topic.split(".")
        feed.append(
            {
                "tenant_id": tenant_id,
                "position": position,
                "record_type": parts[1],
                "record_id": record_id,
                "type": parts[-1],
                "version": applied.version,
                "recorded_at": applied.recorded_at,
                "occurred_at": applied.occurred_at if stamp.occurred_at else None,
                "actor": _actor(actor.user_id, actor.role, actor.unit_id),
                "reason": stamp.reason,
                "data": applied.data(),
            }
        )
        index.extend(
            {"tenant_id": tenant_id, "record_id": ref, "position": position}
            for ref in sorted({record_id, *touched})
        )


def _may_truncate(conn: Connection) -> bool:
    """Whether this role may empty the read models with TRUNCATE (PostgreSQL, as
    their owner; the application's role may only delete rows)."""
    if conn.dialect.name != "postgresql":
        return False
    names = [table.name for table in ALL_TABLES]
    return bool(conn.execute(_TRUNCATABLE, {"names": names}).scalar())


def _actor(user_id: str, role: str, unit_id: str | None) -> dict[str, Any]:
    """The feed's actor value, one object per actor (so a bulk write encodes it
    once); shared, so never to be changed."""
    try:
        return _shared_actor(user_id, role, unit_id)
    except TypeError:  # a value that cannot be a cache key (never in a valid stamp)
        return {"user_id": user_id, "role": role, "unit_id": unit_id}


@lru_cache(maxsize=4096)
def _shared_actor(user_id: str, role: str, unit_id: str | None) -> dict[str, Any]:
    return {"user_id": user_id, "role": role, "unit_id": unit_id}


def _log_after(tenant_id: str, position: int, limit: int) -> Any:
    """The tenant's next ``limit`` events after ``position``, in order."""
    return (
        select(
            log.c.position, log.c.originator_id, log.c.originator_version, log.c.topic, log.c.state
        )
        .where(log.c.tenant_id == tenant_id, log.c.position > position)
        .order_by(log.c.position)
        .limit(limit)
    )


class _Writes:
    """Folded pieces written a transaction at a time: on PostgreSQL by a thread of
    their own while this one folds the next (the database's work, and the waits
    for it, overlap the folding), on SQLite at once (a thread only costs there).
    At most one transaction is under way, so memory holds at most one piece
    being written besides the folds."""

    def __init__(self, projector: Projector, target: Target, left: list[str]) -> None:
        self.projector = projector
        self.target = target
        self.left = left  # the tenants left to the per-event path, in order
        self._left: set[str] = set()
        self._pool: ThreadPoolExecutor | None = None
        self._pending: tuple[list[Piece], Future[tuple[int, list[str]]]] | None = None
        self.keys: dict[str, KeyAccess] = {}  # how each tenant's fold reached its keys

    def submit(self, folds: list[Fold], wait: bool = False) -> bool:
        """Write what the folds changed (in the background unless ``wait``), after
        the transaction under way; False if any of them was left meanwhile (so
        nothing more of it is written)."""
        self.flush()
        kept = [fold for fold in folds if fold.tenant_id not in self._left]
        dialect = self.projector.engine.dialect
        pieces = [take(fold, self.target, dialect) for fold in kept]
        if pieces and (wait or self.target.mode == "sqlite"):
            self._settle(pieces, lambda: self._write(pieces))
        elif pieces:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="fold-writer")
            self._pending = (pieces, self._pool.submit(self._write, pieces))
        return self._left.isdisjoint(fold.tenant_id for fold in folds)

    def flush(self) -> None:
        """Wait for the transaction under way, and account for it."""
        if self._pending is not None:
            pieces, future = self._pending
            self._pending = None
            self._settle(pieces, future.result)

    def leave(self, tenants: list[str]) -> None:
        """Leave tenants to the per-event path (each once)."""
        for tenant in tenants:
            if tenant not in self._left:
                self._left.add(tenant)
                self.left.append(tenant)

    def close(self) -> None:
        """Wait for the transaction under way; stop the thread."""
        try:
            self.flush()
        finally:
            if self._pool is not None:
                self._pool.shutdown()

    def _write(self, pieces: list[Piece]) -> tuple[int, list[str]]:
        with write_transaction(self.projector.engine) as conn:
            return write_pieces(conn, pieces, self.target, PROJECTION, self._check_keys)

    def _check_keys(self, conn: Connection, tenants: list[str]) -> None:
        """Refuse rows read with keys a person has lost since (``KeysChanged``)."""
        for tenant in tenants:
            self.keys[tenant].check(conn)

    def _settle(self, pieces: list[Piece], outcome: Callable[[], tuple[int, list[str]]]) -> None:
        """Account for a transaction: its events folded, or its tenants left (those
        claimed by another runner meanwhile, or all of them if it failed)."""
        try:
            written, lost = outcome()
        except TRANSIENT:
            raise
        except Exception as error:
            tenants = [piece.tenant_id for piece in pieces]
            logger.warning(
                "writing folded %s failed (%r); projecting event by event", tenants, error
            )
            self.leave(tenants)
            return
        self.projector.folded += written
        self.leave(lost)


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
