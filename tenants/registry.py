"""The process-wide cache of tenant ledgers, all sharing one engine."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import Engine

from domain.errors import NotFound
from domain.tenants import TenantKind
from tenants.commands.ledger import Ledger
from tenants.store import evidence_files


class Ledgers:
    """Hand out one ledger per tenant, keeping the most recently used in memory."""

    def __init__(
        self,
        engine: Engine,
        capacity: int = 1000,
        files: evidence_files.EvidenceStore | None = None,
    ) -> None:
        self.engine = engine
        self.capacity = capacity
        # One evidence store for every ledger (an S3 client is made once).
        self.files = files or evidence_files.configured(engine)
        self._ledgers: OrderedDict[str, Ledger] = OrderedDict()
        self._lock = threading.Lock()

    def __getitem__(self, tenant_id: str) -> Ledger:
        with self._lock:
            ledger = self._ledgers.get(tenant_id)
            if ledger is None:
                ledger = Ledger(self.engine, tenant_id, self.files)
                self._ledgers[tenant_id] = ledger
                if len(self._ledgers) > self.capacity:
                    self._ledgers.popitem(last=False)
            self._ledgers.move_to_end(tenant_id)
            return ledger


@dataclass(frozen=True)
class TenantPlace:
    """Where a registered tenant sits: its kind and its street (for a community)."""

    tenant_id: str
    kind: TenantKind
    parent_id: str | None


class TenantDirectory:
    """Which tenants exist and how they nest; a tenant's place never changes once registered."""

    def __init__(self, ledgers: Ledgers) -> None:
        self.ledgers = ledgers
        self._known: dict[str, TenantPlace] = {}

    def find(self, tenant_id: str) -> TenantPlace | None:
        """The tenant's place, or None when no such tenant is registered."""
        place = self._known.get(tenant_id)
        if place is None:
            try:
                tenant = self.ledgers[tenant_id].tenant()
            except NotFound:
                return None
            place = TenantPlace(tenant_id, tenant.kind, tenant.parent_id)
            self._known[tenant_id] = place
        return place

    def require(self, tenant_id: str) -> TenantPlace:
        """The tenant's place; NotFound when it was never registered."""
        place = self.find(tenant_id)
        if place is None:
            raise NotFound(f"no tenant {tenant_id}")
        return place
