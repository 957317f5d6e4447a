"""The composition root: one engine, the tenants' ledgers and the projector."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import Engine

from projections.runner import BackgroundProjector, Projector
from tenants.database import make_engine
from tenants.registry import Ledgers
from tenants.tenant_ledger import Ledger

logger = logging.getLogger(__name__)


@dataclass
class Platform:
    """Everything a process needs, built once."""

    engine: Engine
    embedded: bool = True
    read_wait: float = 5.0  # how long `waitForPosition` may wait, in seconds
    ledgers: Ledgers = field(init=False)
    projector: Projector = field(init=False)
    background: BackgroundProjector | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.ledgers = Ledgers(self.engine)
        # Any ledger's mapper decodes every tenant's events: they share topics.
        self.projector = Projector(self.engine, Ledger(self.engine, "_").mapper)

    @classmethod
    def from_url(cls, url: str | None = None, *, embedded: bool = True) -> Platform:
        """Build the platform on the configured database."""
        return cls(make_engine(url), embedded=embedded)

    def ledger(self, tenant_id: str) -> Ledger:
        """The ledger of one tenant."""
        return self.ledgers[tenant_id]

    def after_command(self, tenant_id: str, position: int | None = None) -> None:
        """In embedded mode, project the tenant through ``position`` before answering."""
        if not self.embedded:
            return
        try:
            if position is None:
                self.projector.catch_up(tenant_id)
            elif not self.projector.project_through(tenant_id, position, self.read_wait):
                logger.warning("%s not projected through %s in time", tenant_id, position)
        except Exception:
            # The command is committed; the background projector will retry.
            logger.exception("in-line projection of %s failed", tenant_id)

    def start(self) -> None:
        """Start in-process projection (embedded mode only)."""
        if self.embedded and self.background is None:
            self.background = BackgroundProjector(self.projector)
            self.background.start()

    def close(self) -> None:
        """Stop projecting and release connections."""
        if self.background is not None:
            self.background.stop()
            self.background = None
        self.engine.dispose()
