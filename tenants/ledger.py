"""A tenant's ledger: the eventsourcing Application that appends to its log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    JSONTranscoder,
    Mapper,
    Recording,
)
from sqlalchemy import Engine

from domain.errors import DomainError, NotFound, UnitHasLeft
from domain.tenants import Tenant, tenant_aggregate_id
from domain.units import MemberUnit
from tenants.current_records import CurrentRecords
from tenants.store import evidence_files, person_keys
from tenants.store.recorder import IdempotentCommand, TenantRecorder
from tenants.store.sealing import SealingMapper
from tenants.store.transcodings import register_domain_transcodings

A = TypeVar("A", bound=Aggregate)
CACHED_RECORDS = 200  # recently used records kept per tenant


@dataclass
class Expectation:
    """The version a command expects its target record to be at."""

    record_id: UUID
    version: int | None


_EXPECTED: ContextVar[Expectation | None] = ContextVar("expected_version", default=None)


@contextmanager
def expecting(record_id: UUID | None, version: int | None) -> Iterator[Expectation | None]:
    """While a command runs, make loading its target check the expected version."""
    expectation = None if record_id is None else Expectation(record_id, version)
    token = _EXPECTED.set(expectation)
    try:
        yield expectation
    finally:
        _EXPECTED.reset(token)


class VersionConflict(DomainError):
    """The record changed since the version the command expected."""

    code = "version-conflict"


@dataclass(frozen=True)
class CommandResult:
    """What a command returns: the record, its new version, the log position."""

    record_id: UUID
    version: int
    position: int
    extra: dict[str, Any] = field(default_factory=dict)
    once: dict[str, Any] = field(default_factory=dict)  # answered, never stored for replay

    def as_dict(self) -> dict[str, Any]:
        """Encode for an HTTP response."""
        return {
            "record_id": str(self.record_id),
            "version": self.version,
            "position": self.position,
            **self.extra,
            **self.once,
        }


class LedgerBase(Application[UUID]):
    """Loads and saves one tenant's aggregates through its own recorder."""

    name = "Ledger"
    # The library's "plain old Python objects" factory is only used for its
    # mapper and transcoder; the recorder is the tenant-keyed one below.
    env = {"PERSISTENCE_MODULE": "eventsourcing.popo"}  # noqa: RUF012

    def __init__(
        self, engine: Engine, tenant_id: str, files: evidence_files.EvidenceStore | None = None
    ) -> None:
        self.engine = engine
        self.tenant_id = tenant_id
        self._files = files
        self._unreadable: int | None = None  # the keyring epoch the cached aggregates saw
        super().__init__()

    @property
    def files(self) -> evidence_files.EvidenceStore:
        """Where the bytes of evidence files are kept (the configured store by default)."""
        if self._files is None:
            self._files = evidence_files.configured(self.engine)
        return self._files

    def construct_recorder(self) -> ApplicationRecorder:
        return TenantRecorder(self.engine, self.tenant_id)

    def construct_repository(self) -> Repository[UUID]:
        assert isinstance(self.recorder, ApplicationRecorder)
        return CurrentRecords(self.events, self.recorder, self.mapper, CACHED_RECORDS)

    @property
    def repository(self) -> CurrentRecords:
        """The tenant's records, as of its head (``tenants.current_records``)."""
        return cast("CurrentRecords", self._repository)

    def current(self, head: int | None = None) -> Any:
        """Read the tenant's head once (or take ``head``, just read); within the block,
        loads use the records as of it (``CurrentRecords.current``). A command runs
        inside one."""
        return self.repository.current(head)

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Append, then keep copies of the saved records as the tenant's current ones."""
        try:
            recordings = super().save(*objs, **kwargs)
        except IntegrityError:
            # Another process moved one of the records on: what is cached may be stale.
            self.repository.forget()
            raise
        self.repository.saved([o for o in objs if isinstance(o, Aggregate)], recordings)
        return recordings

    def construct_mapper(self) -> Mapper[UUID]:
        self.sealing = SealingMapper(
            self.construct_transcoder(), person_keys.for_engine(self.engine), self.tenant_id
        )
        return self.sealing

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    def load(self, cls: type[A], record_id: UUID) -> A:
        """Load a record of the given type from this tenant's log, or raise NotFound; at
        the version the running command expects, if it names one (``expecting``)."""
        self._drop_cache_after_erasure()
        expectation = _EXPECTED.get()
        expected_version = None
        if expectation is not None and expectation.record_id == record_id:
            expected_version = expectation.version
        try:
            aggregate: Any = self.repository.get(record_id)
            if expected_version is not None and aggregate.version < expected_version:
                # The caller knows a later version than the cache: read it from the
                # log rather than refuse on what may be a stale copy.
                aggregate = self.repository.reread(record_id)
        except AggregateNotFoundError:
            raise NotFound(f"no {cls.__name__} {record_id} in tenant {self.tenant_id}") from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no {cls.__name__} {record_id} in tenant {self.tenant_id}")
        if expected_version is not None and aggregate.version != expected_version:
            raise VersionConflict(
                f"{cls.__name__} {record_id} is at version {aggregate.version}, "
                f"not {expected_version}"
            )
        return aggregate

    def _drop_cache_after_erasure(self) -> None:
        # Cached aggregates hold what was opened when they were loaded: once a person of
        # the tenant became unreadable, load every record afresh.
        epoch = self.sealing.access.keyring().epoch
        if self._unreadable is not None and epoch != self._unreadable:
            self.repository.forget()
        self._unreadable = epoch

    def active_unit(self, unit_id: UUID, what: str = "") -> MemberUnit:
        """A member unit of this tenant that has not left (NotFound, or UnitHasLeft
        saying ``what`` it may no longer do)."""
        unit = self.load(MemberUnit, unit_id)
        if not unit.active:
            raise UnitHasLeft(f"unit {unit.name} has left" + (f": {what}" if what else ""))
        return unit

    def tenant(self) -> Tenant:
        """The tenant's own record (its registration and charter)."""
        return self.load(Tenant, tenant_aggregate_id(self.tenant_id))

    def commit(
        self,
        primary: Aggregate,
        *others: Aggregate,
        idempotent: IdempotentCommand | None = None,
        extra: dict[str, Any] | None = None,
    ) -> CommandResult:
        """Append the pending events of every aggregate in one transaction."""
        extra = extra or {}
        result = {"record_id": str(primary.id), "version": primary.version, **extra}
        command = (
            IdempotentCommand(idempotent.key, idempotent.request_hash, result)
            if idempotent
            else None
        )
        recordings = self.save(primary, *others, idempotent=command)
        position = recordings[-1].notification.id if recordings else self.head_position()
        return CommandResult(primary.id, primary.version, position, extra)

    def head_position(self) -> int:
        """The position of the last event in this tenant's log."""
        return self.recorder.max_notification_id() or 0
