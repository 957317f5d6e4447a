"""The process-wide cache of tenant ledgers, all sharing one engine."""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import Engine

from tenants.tenant_ledger import Ledger


class Ledgers:
    """Hand out one ledger per tenant, keeping the most recently used in memory."""

    def __init__(self, engine: Engine, capacity: int = 1000) -> None:
        self.engine = engine
        self.capacity = capacity
        self._ledgers: OrderedDict[str, Ledger] = OrderedDict()
        self._lock = threading.Lock()

    def __getitem__(self, tenant_id: str) -> Ledger:
        with self._lock:
            ledger = self._ledgers.get(tenant_id)
            if ledger is None:
                ledger = Ledger(self.engine, tenant_id)
                self._ledgers[tenant_id] = ledger
                if len(self._ledgers) > self.capacity:
                    self._ledgers.popitem(last=False)
            self._ledgers.move_to_end(tenant_id)
            return ledger
