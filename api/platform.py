"""The composition root: the engines, the tenants' ledgers and the projector."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from sqlalchemy import Engine

from api.webhooks.dispatcher import BackgroundDispatcher, Dispatcher
from projections.runner import BackgroundProjector, Projector
from projections.schema import (
    migrate_read_models,
    read_model_tables,
    read_models_current,
    read_models_laid_out,
)
from projections.upward_figures import ReadModelFigures
from tenants.commands.ledger import Ledger
from tenants.notary import Notary, PeriodicSigning, interval
from tenants.pipeline.handling import Pipeline
from tenants.pipeline.identity import Authenticator
from tenants.registry import Ledgers
from tenants.store import row_security
from tenants.store.database import is_sqlite, make_engine
from tenants.store.evidence_files import EvidenceStore
from tenants.store.migrate import migrate_store, store_pending
from tenants.store.schema import store_metadata

logger = logging.getLogger(__name__)
DEV_TOKENS_SETTING = "GONGJIAN_DEV_TOKENS"
INLINE_PROJECTION_SETTING = "GONGJIAN_INLINE_PROJECTION"
READ_DATABASE_URL_SETTING = "GONGJIAN_READ_DATABASE_URL"


def read_database_url() -> str | None:
    """The configured read replica's URL (None: reads go to the primary)."""
    return os.environ.get(READ_DATABASE_URL_SETTING, "").strip() or None


def dev_tokens_enabled() -> bool:
    """Whether the development setting accepts unsigned dev: tokens (warns when it does)."""
    enabled = os.environ.get(DEV_TOKENS_SETTING, "") == "1"
    if enabled:
        logger.warning(
            "%s=1: unsigned development tokens are accepted; never in production",
            DEV_TOKENS_SETTING,
        )
    return enabled


def migrate(engine: Engine, app_role: str | None = None, partitions: int | None = None) -> int:
    """Create the store and the read models: the only place tables are created. Return
    the partition count of the per-tenant tables (0: plain tables).

    On PostgreSQL every tenant table is hash-partitioned by tenant into ``partitions``
    (None: the GONGJIAN_PARTITIONS setting, else the store's own count, else the
    default for a new store; a different count rebuilds the tables, keeping their
    rows), gets row-level security, and ``app_role`` (the role the application
    connects as, not the tables' owner) is granted their use.
    """
    count = migrate_store(engine, partitions)
    if migrate_read_models(engine):
        logger.warning("the read models' shape changed: recreated; projection replays every log")
    if is_sqlite(engine):
        return count
    tables = [*store_metadata.tables.values(), *read_model_tables()]
    with engine.begin() as conn:
        row_security.enable(conn, tables)
        if app_role is not None:
            row_security.grant(conn, app_role)
    return count


def pending_migrations(engine: Engine) -> list[str]:
    """What ``migrate`` would still create or change in this database (empty: none)."""
    pending = store_pending(engine)
    if not read_models_current(engine):
        pending.append("the read models' shape")
    elif not pending:
        pending.extend(read_models_laid_out(engine))
    return pending


@dataclass
class Platform:
    """Everything a process needs, built once.

    ``engine`` is the primary: commands, projection and everything that writes.
    ``read_engine`` (the streaming ``replica``, or the primary when none is given)
    serves GraphQL, documents, calendars and the public page; ``read_tracking``
    reads how far *its* copy of the read models has come, for ``waitForPosition``.
    """

    engine: Engine
    replica: Engine | None = None  # a streaming replica of it (None: reads go to it too)
    embedded: bool = True
    read_wait: float = 5.0  # how long `waitForPosition` may wait, in seconds
    dev_tokens: bool = False  # accept unsigned dev:<user>:<role>:<tenant> tokens
    files: EvidenceStore | None = None  # the evidence store (None: the configured one)
    ledgers: Ledgers = field(init=False)
    pipeline: Pipeline = field(init=False)
    authenticator: Authenticator = field(init=False)
    read_engine: Engine = field(init=False)
    projector: Projector = field(init=False)
    read_tracking: Projector = field(init=False)
    report_figures: ReadModelFigures = field(init=False)
    background: BackgroundProjector | None = field(init=False, default=None)
    notary: Notary = field(init=False)
    periodic: PeriodicSigning | None = field(init=False, default=None)
    deliveries: BackgroundDispatcher | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.ledgers = Ledgers(self.engine, files=self.files)
        self.files = self.ledgers.files
        self.notary = Notary(self.ledgers)
        # Any ledger's mapper decodes every tenant's events: they share topics.
        self.projector = Projector(self.engine, Ledger(self.engine, "_").sealing)
        self.read_engine = self.replica if self.replica is not None else self.engine
        # Only ever asked for positions and parked tenants: it never projects.
        self.read_tracking = (
            self.projector
            if self.read_engine is self.engine
            else Projector(self.read_engine, self.projector.mapper)
        )
        self.report_figures = ReadModelFigures(self.projector, self.read_wait)
        self.pipeline = Pipeline(
            self.ledgers, self.after_command, self.sign_log, self.report_figures
        )
        self.authenticator = Authenticator(self.ledgers, self.dev_tokens)

    @classmethod
    def from_url(
        cls,
        url: str | None = None,
        *,
        embedded: bool | None = None,
        read_url: str | None = None,
    ) -> Platform:
        """Build the platform on the configured database and settings. It projects
        in-line on SQLite, and on PostgreSQL only with GONGJIAN_INLINE_PROJECTION=1
        (deployments run `gongjian project` instead). Reads go to ``read_url`` or
        GONGJIAN_READ_DATABASE_URL (a streaming replica) when one is set."""
        engine = make_engine(url)
        if embedded is None:
            embedded = is_sqlite(engine) or os.environ.get(INLINE_PROJECTION_SETTING) == "1"
        read_url = read_url or read_database_url()
        replica = make_engine(read_url) if read_url is not None else None
        return cls(engine, replica, embedded=embedded, dev_tokens=dev_tokens_enabled())

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

    def sign_log(self, tenant_id: str) -> None:
        """Checkpoint the tenant's log after a command that asks for it (minutes),
        when this deployment has a signing key."""
        if self.notary.key is None:
            return
        try:
            signing = self.notary.sign(tenant_id)
        except Exception:
            # The command is committed; the next periodic round signs the log.
            logger.exception("signing %s after the command failed", tenant_id)
            return
        if signing.refused:
            logger.error("%s not signed: %s", tenant_id, signing.refused)

    def start_signing(self) -> None:
        """Sign due tenants every GONGJIAN_CHECKPOINT_INTERVAL seconds in a thread of
        this process, when a signing key is set and the interval is not 0."""
        seconds = interval()
        if self.periodic is None and seconds > 0 and self.notary.key is not None:
            self.periodic = PeriodicSigning(self.notary, seconds)
            self.periodic.start()

    def start_delivering(self) -> None:
        """Deliver webhooks in threads of this process (docs/webhooks.md), apart from
        projection and commands: a slow receiver holds only a delivery thread."""
        if self.deliveries is None:
            self.deliveries = BackgroundDispatcher(Dispatcher(self.engine))
            self.deliveries.start()

    def start(self) -> None:
        """Start in-process projection, periodic signing and webhook deliveries
        (embedded mode only: a deployment runs them in its `gongjian project` worker)."""
        if self.embedded and self.background is None:
            self.background = BackgroundProjector(self.projector)
            self.background.start()
        if self.embedded:
            self.start_signing()
            self.start_delivering()

    def close(self) -> None:
        """Stop projecting, signing and delivering, and release connections."""
        if self.deliveries is not None:
            self.deliveries.stop()
            self.deliveries = None
        if self.periodic is not None:
            self.periodic.stop()
            self.periodic = None
        if self.background is not None:
            self.background.stop()
            self.background = None
        self.engine.dispose()
        if self.replica is not None:
            self.replica.dispose()
