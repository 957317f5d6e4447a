"""The tenant-keyed application recorder for the eventsourcing library.

One recorder serves one tenant's log; every recorder in a process shares one
SQLAlchemy engine (one connection pool), whatever the number of tenants.
Positions are handed out under a lock on the tenant's head row only, so
writers to different tenants never wait for each other.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    Notification,
    StoredEvent,
    Subscription,
)
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite

from tenants.store.chain import GENESIS, canonical_bytes, link
from tenants.store.database import autocommit, is_sqlite, write_transaction
from tenants.store.pg_append import APPEND_SQL
from tenants.store.schema import events, idempotency_keys, tenant_heads

HEAD_SQL = "SELECT position FROM es_tenant_heads WHERE tenant_id = %s"
KEY_SQL = (
    "SELECT request_hash, response, first_position, event_count"
    " FROM es_idempotency_keys WHERE tenant_id = %s AND key = %s"
)


@dataclass(frozen=True)
class IdempotentCommand:
    """An idempotency key to record atomically with a command's events."""

    key: str
    request_hash: str
    response: dict[str, Any]


def lock_head(conn: Connection, tenant_id: str) -> tuple[int, bytes]:
    """Lock the tenant's head row (creating it if new); return position and hash."""
    locked = (
        select(tenant_heads.c.position, tenant_heads.c.hash)
        .where(tenant_heads.c.tenant_id == tenant_id)
        .with_for_update()
    )
    row = conn.execute(locked).first()
    if row is None:
        dialect_insert = sqlite.insert if is_sqlite(conn.engine) else postgresql.insert
        conn.execute(
            dialect_insert(tenant_heads)
            .values(tenant_id=tenant_id, position=0, hash=GENESIS)
            .on_conflict_do_nothing()
        )
        row = conn.execute(locked).one()
    return int(row.position), bytes(row.hash)


class TenantRecorder(ApplicationRecorder):
    """Records and reads one tenant's gap-free, hash-chained event log."""

    def __init__(self, engine: Engine, tenant_id: str) -> None:
        self.engine = engine
        self.tenant_id = tenant_id
        self._postgres = not is_sqlite(engine)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Append events at the next positions of the tenant's log, in one transaction."""
        if not stored_events:
            return []
        command: IdempotentCommand | None = kwargs.get("idempotent")
        append = self._append_in_postgres if self._postgres else self._append_in_python
        try:
            first = append(stored_events, command)
        except sa_exc.IntegrityError as error:
            raise IntegrityError(str(error.orig)) from error
        return list(range(first, first + len(stored_events)))

    def _append_in_postgres(
        self, stored_events: Sequence[StoredEvent], command: IdempotentCommand | None
    ) -> int:
        params = (
            self.tenant_id,
            [_as_uuid(e.originator_id) for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
            command.key if command else None,
            command.request_hash if command else None,
            json.dumps(command.response) if command else None,
        )
        # The function call is the whole transaction: one prepared round trip.
        try:
            with autocommit(self.engine) as connection:
                first = connection.execute(APPEND_SQL, params, prepare=True).fetchone()[0]
        except psycopg.IntegrityError as error:
            raise IntegrityError(str(error)) from error
        return int(first)

    def _append_in_python(
        self, stored_events: Sequence[StoredEvent], command: IdempotentCommand | None
    ) -> int:
        with write_transaction(self.engine) as conn:
            position, previous = lock_head(conn, self.tenant_id)
            first = position + 1
            rows = []
            for stored in stored_events:
                position += 1
                originator_id = _as_uuid(stored.originator_id)
                row = canonical_bytes(
                    self.tenant_id,
                    position,
                    originator_id,
                    stored.originator_version,
                    stored.topic,
                    stored.state,
                )
                previous = link(previous, row)
                rows.append(
                    {
                        "tenant_id": self.tenant_id,
                        "position": position,
                        "originator_id": originator_id,
                        "originator_version": stored.originator_version,
                        "topic": stored.topic,
                        "state": stored.state,
                        "hash": previous,
                    }
                )
            conn.execute(insert(events), rows)
            conn.execute(
                update(tenant_heads)
                .where(tenant_heads.c.tenant_id == self.tenant_id)
                .values(position=position, hash=previous)
            )
            if command is not None:
                conn.execute(
                    insert(idempotency_keys).values(
                        tenant_id=self.tenant_id,
                        key=command.key,
                        request_hash=command.request_hash,
                        response=json.dumps(command.response),
                        first_position=first,
                        event_count=len(rows),
                    )
                )
        return first

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        """Read one aggregate's events from this tenant's log."""
        query = select(
            events.c.originator_id,
            events.c.originator_version,
            events.c.topic,
            events.c.state,
        ).where(
            events.c.tenant_id == self.tenant_id,
            events.c.originator_id == _as_uuid(originator_id),
        )
        if gt is not None:
            query = query.where(events.c.originator_version > gt)
        if lte is not None:
            query = query.where(events.c.originator_version <= lte)
        version = events.c.originator_version
        query = query.order_by(version.desc() if desc else version.asc())
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [
                StoredEvent(
                    originator_id=row.originator_id,
                    originator_version=row.originator_version,
                    topic=row.topic,
                    state=bytes(row.state),
                )
                for row in conn.execute(query)
            ]

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """Read this tenant's log by position."""
        query = select(events).where(events.c.tenant_id == self.tenant_id)
        if start is not None:
            query = query.where(
                events.c.position >= start if inclusive_of_start else events.c.position > start
            )
        if stop is not None:
            query = query.where(events.c.position <= stop)
        if topics:
            query = query.where(events.c.topic.in_(list(topics)))
        query = query.order_by(events.c.position).limit(limit)
        with self.engine.connect() as conn:
            return [
                Notification(
                    id=row.position,
                    originator_id=row.originator_id,
                    originator_version=row.originator_version,
                    topic=row.topic,
                    state=bytes(row.state),
                )
                for row in conn.execute(query)
            ]

    def max_notification_id(self) -> int | None:
        """Return the tenant's head position, or None for an empty log."""
        if self._postgres:
            # Read before every command: one prepared round trip.
            with autocommit(self.engine) as connection:
                row = connection.execute(HEAD_SQL, (self.tenant_id,), prepare=True).fetchone()
            position = row[0] if row else None
        else:
            query = select(func.max(tenant_heads.c.position)).where(
                tenant_heads.c.tenant_id == self.tenant_id
            )
            with self.engine.connect() as conn:
                position = conn.execute(query).scalar()
        return int(position) if position else None

    def recorded_command(self, key: str) -> tuple[str, str, int, int] | None:
        """What was recorded with an idempotency key in this tenant: the request's hash,
        the response, the first position and the event count (None: the key is new)."""
        if self._postgres:
            with autocommit(self.engine) as connection:
                found = connection.execute(KEY_SQL, (self.tenant_id, key), prepare=True)
                row = found.fetchone()
        else:
            query = select(
                idempotency_keys.c.request_hash,
                idempotency_keys.c.response,
                idempotency_keys.c.first_position,
                idempotency_keys.c.event_count,
            ).where(
                idempotency_keys.c.tenant_id == self.tenant_id,
                idempotency_keys.c.key == key,
            )
            with self.engine.connect() as conn:
                row = conn.execute(query).first()
        if row is None:
            return None
        return str(row[0]), str(row[1]), int(row[2]), int(row[3])

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        """Follow the log from ``gt`` by polling (works on SQLite and PostgreSQL)."""
        return PollingSubscription(self, gt=gt, topics=topics)


class PollingSubscription(Subscription[ApplicationRecorder]):
    """Yield new notifications as they are committed, polling the tenant's log."""

    poll_interval = 0.05

    def __init__(
        self,
        recorder: ApplicationRecorder,
        gt: int | None = None,
        topics: Sequence[str] = (),
    ) -> None:
        super().__init__(recorder, gt=gt, topics=topics)
        self._buffer: list[Notification] = []

    def __next__(self) -> Notification:
        while not self._buffer:
            if self._has_been_stopped:
                raise StopIteration
            self._buffer = list(
                self._recorder.select_notifications(
                    self._last_notification_id,
                    limit=500,
                    topics=self._topics,
                    inclusive_of_start=False,
                )
            )
            if not self._buffer:
                time.sleep(self.poll_interval)
        notification = self._buffer.pop(0)
        self._last_notification_id = notification.id
        return notification


def _as_uuid(originator_id: UUID | str) -> UUID:
    return originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
