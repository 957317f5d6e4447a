"""Drafting a tenant's events in memory, to bulk-append them afterwards.

A ``DraftLedger`` is the tenant's ``Ledger`` (every command, the real aggregates,
the real mapper that seals personal data under keys kept in the database) whose
appends go to memory instead of the store. It starts from the tenant's log as the
store holds it, so commands see the tenant's present state; what they make
(``drafted``) is exactly what the per-command path would have appended, and goes to
the store in one ``tenants.store.bulk_append`` (positions and chain hashes are
given there, at the append, after whatever was appended meanwhile). Drafting
aggregates that other writers change meanwhile is the caller's concern: a drafted
event whose aggregate version was taken fails the whole bulk append.
"""

from __future__ import annotations

from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from sqlalchemy import Engine

from tenants.commands.ledger import Ledger
from tenants.store import evidence_files
from tenants.store.recorder import TenantRecorder


class DraftLedger(Ledger):
    """A tenant's ledger whose new events are kept in memory (``drafted``)."""

    def __init__(
        self,
        engine: Engine,
        tenant_id: str,
        files: evidence_files.EvidenceStore | None = None,
        *,
        fresh: bool = False,
        copy_cached: bool = True,
    ) -> None:
        """``fresh``: the caller knows the store holds no log of the tenant (nothing
        is read). ``copy_cached=False`` hands commands the cached aggregates
        themselves, not copies: faster, for a script none of whose commands fails
        (a command refused after changing its aggregate would leave the cached one
        ahead of the drafted log)."""
        self._fresh = fresh
        super().__init__(engine, tenant_id, files)
        self.repository.deepcopy_from_cache = copy_cached
        self.stored_head = self.recorder.max_notification_id() or 0

    def construct_recorder(self) -> ApplicationRecorder:
        recorder = POPOApplicationRecorder()
        if not self._fresh:
            store = TenantRecorder(self.engine, self.tenant_id)
            head = store.max_notification_id() or 0
            # In position order: the in-memory log numbers them 1..head as the store does.
            recorder.insert_events(store.select_notifications(1, limit=head) if head else [])
        return recorder

    def drafted(self) -> list[StoredEvent]:
        """The events the commands made since this ledger was made, in order."""
        head = self.recorder.max_notification_id() or 0
        if head <= self.stored_head:
            return []
        return list(self.recorder.select_notifications(self.stored_head + 1, limit=head))
