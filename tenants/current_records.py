"""A tenant's records kept in memory, trusted as of the head of its log.

The library's own cache checks every record on every load: one query per record,
under a per-record lock, for each command. Here the cache instead remembers the log
position it is current through (``seen``). A command reads the tenant's head once (one
round trip); when nothing was appended since, every cached record is current and loads
touch no database. When another process appended, the events after ``seen`` are read
once and applied to the cached records they belong to. Cached records are never changed
in place: a load hands out a copy, catching up applies events to a copy, and a saved
record is cached as a copy, so no thread ever copies a record another is changing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from copy import deepcopy
from typing import Any
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    LRUCache,
    ProjectorFunction,
    Repository,
    project_aggregate,
)
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    ApplicationRecorder,
    EventStore,
    Mapper,
    Notification,
    Recording,
)

# Past this many events behind, forgetting the cache is cheaper than catching it up.
CATCH_UP_LIMIT = 500

# The repositories whose cache the running command has brought up to the tenant's head.
_CURRENT: ContextVar[tuple[CurrentRecords, ...]] = ContextVar("current_records", default=())


class CurrentRecords(Repository[UUID]):
    """The ledger's repository: recently used records, current as of the tenant's head."""

    def __init__(
        self,
        event_store: EventStore[UUID],
        recorder: ApplicationRecorder,
        mapper: Mapper[UUID],
        maxsize: int,
    ) -> None:
        # No cache of the library's: it would cache the command's own object on save,
        # unguarded, and fast-forward records in place while others copy them.
        super().__init__(event_store)
        self.recorder = recorder
        self.mapper = mapper
        self._records: LRUCache[UUID, Aggregate] = LRUCache(maxsize=maxsize)
        self._seen: int | None = None  # every cached record reflects the log through here
        self._lock = threading.Lock()

    # -- freshness -------------------------------------------------------------------

    def catch_up(self, head: int | None = None) -> int:
        """Read the tenant's head (one round trip; or take ``head``, just read) and bring
        the cache up to it; return the head. Reads the events appended since, when
        another process added some."""
        if head is None:
            head = self.recorder.max_notification_id() or 0
        seen = self._seen
        missed: list[Notification] | None = None
        if seen is not None and head > seen:
            missed = list(
                self.recorder.select_notifications(
                    seen + 1, CATCH_UP_LIMIT + 1, stop=head, inclusive_of_start=True
                )
            )
        with self._lock:
            if self._seen is not None and head <= self._seen:
                pass  # another thread caught up, or this process appended, since
            elif (
                self._seen is None
                or missed is None
                or seen is None
                or self._seen < seen  # forgotten since: what was read may not reach back
                or len(missed) > CATCH_UP_LIMIT
            ):
                self._forget()
                self._seen = head
            else:
                self._apply([n for n in missed if n.id > self._seen])
                self._seen = head
        return head

    @contextmanager
    def current(self, head: int | None = None) -> Iterator[int]:
        """Catch up once (to ``head``, when the caller just read it); within the block
        every load trusts the cache (no round trip). Yields the head position."""
        head = self.catch_up(head)
        token = _CURRENT.set((*_CURRENT.get(), self))
        try:
            yield head
        finally:
            _CURRENT.reset(token)

    def forget(self) -> None:
        """Drop every cached record (after an erasure, or when one may be stale)."""
        with self._lock:
            self._forget()

    def _forget(self) -> None:
        self._records = LRUCache(maxsize=self._records.maxsize)
        self._seen = None

    def _apply(self, notifications: Iterable[Notification]) -> None:
        # Under the lock: move each cached record on by the events found for it.
        moved: dict[UUID, Aggregate] = {}
        for notification in notifications:
            record_id = UUID(str(notification.originator_id))
            aggregate = moved.get(record_id) or self._cached(record_id)
            if aggregate is None or notification.originator_version <= aggregate.version:
                continue  # not cached, or cached already past this event
            if notification.originator_version != aggregate.version + 1:
                self._evict(record_id)  # a gap: read it afresh later
                moved.pop(record_id, None)
                continue
            if record_id not in moved:
                aggregate = deepcopy(aggregate)
            event: Any = self.mapper.to_domain_event(notification)
            moved[record_id] = event.mutate(aggregate)
        for record_id, aggregate in moved.items():
            self._records.put(record_id, aggregate)

    # -- the cache -------------------------------------------------------------------

    def _cached(self, record_id: UUID) -> Aggregate | None:
        try:
            return self._records.get(record_id)
        except KeyError:
            return None

    def _evict(self, record_id: UUID) -> None:
        with suppress(KeyError):
            self._records.get(record_id, evict=True)

    def _keep(self, aggregate: Aggregate, seen: int | None) -> None:
        """Cache a record read or saved while the cache was current through ``seen``,
        unless the cache has moved on since (the record could lack those events) or
        holds a newer version of it."""
        with self._lock:
            if self._seen is None or self._seen != seen:
                return
            cached = self._cached(aggregate.id)
            if cached is None or cached.version < aggregate.version:
                self._records.put(aggregate.id, aggregate)

    def get(
        self,
        aggregate_id: UUID,
        *,
        version: int | None = None,
        projector_func: ProjectorFunction[Any, Any] = project_aggregate,
        fastforward_skipping: bool = False,
        deepcopy_from_cache: bool = True,
    ) -> Any:
        """A copy of the record as of the tenant's head (catching up first, unless the
        running command already did); at ``version``, read from the log uncached."""
        if version is not None or projector_func is not project_aggregate:
            return super().get(aggregate_id, version=version, projector_func=projector_func)
        if self not in _CURRENT.get():
            self.catch_up()
        seen = self._seen
        aggregate = self._cached(aggregate_id)
        if aggregate is None:
            aggregate = self._read(aggregate_id)
            self._keep(aggregate, seen)
        copied = deepcopy_from_cache and self.deepcopy_from_cache
        return deepcopy(aggregate) if copied else aggregate

    def reread(self, aggregate_id: UUID) -> Any:
        """A copy of the record read from the log, replacing what the cache held."""
        seen = self._seen
        with self._lock:
            self._evict(aggregate_id)
        aggregate = self._read(aggregate_id)
        self._keep(aggregate, seen)
        return deepcopy(aggregate)

    def _read(self, aggregate_id: UUID) -> Aggregate:
        aggregate: Aggregate | None = project_aggregate(
            None, self.event_store.get(originator_id=aggregate_id)
        )
        if aggregate is None:
            raise AggregateNotFoundError(f"Aggregate {aggregate_id!r} not found.")
        return aggregate

    def saved(self, aggregates: Iterable[Aggregate], recordings: list[Recording[UUID]]) -> None:
        """After this process appended ``recordings``: cache copies of the saved
        records, and move ``seen`` on when nothing else was appended in between."""
        if not recordings:
            return
        first, last = recordings[0].notification.id, recordings[-1].notification.id
        # Copies, unless the repository hands out its records themselves (a drafting
        # ledger's choice: tenants.drafts).
        copies = [deepcopy(a) if self.deepcopy_from_cache else a for a in aggregates]
        with self._lock:
            if self._seen is None:
                return
            if first != self._seen + 1:
                # Another process appended in between: cache nothing new; the next
                # catch-up reads those events and ours.
                return
            self._seen = last
            for aggregate in copies:
                cached = self._cached(aggregate.id)
                if cached is None or cached.version < aggregate.version:
                    self._records.put(aggregate.id, aggregate)
