"""The platform's notary: signs tenants' logs and has each street record its
communities' signed checkpoints in its own log.

Checkpoints are taken on demand (``gongjian checkpoint``), periodically (the serving
and projecting processes, every ``GONGJIAN_CHECKPOINT_INTERVAL`` seconds), and after
every command that issues or corrects minutes, so that each issued minute is covered
by a checkpoint taken when it was issued.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass

from sqlalchemy import Engine

from domain.stamp import Actor, Stamp
from tenants.registry import Ledgers
from tenants.store import keys
from tenants.store.anchors import anchored, street_of
from tenants.store.checkpoints import Checkpoint, CheckpointRefused, due, of_tenant, take_checkpoint

logger = logging.getLogger(__name__)
INTERVAL_SETTING = "GONGJIAN_CHECKPOINT_INTERVAL"
DEFAULT_INTERVAL = 300.0
NOTARY = Actor("notary", "platform_admin")
"""The actor a street's anchor events record: the platform itself, not a person."""


@dataclass(frozen=True)
class Signing:
    """What signing one tenant did."""

    tenant_id: str
    checkpoint: Checkpoint | None  # None: nothing new since its last checkpoint
    refused: str | None = None  # why the log could not be signed
    anchored: int = 0  # checkpoints recorded in the street's log by this signing


class Notary:
    """Signs checkpoints with the platform's key and anchors communities in streets."""

    def __init__(self, ledgers: Ledgers, key: keys.SigningKey | None = None) -> None:
        self.ledgers = ledgers
        self.engine: Engine = ledgers.engine
        self._streets: dict[str, str | None] = {}  # a tenant's place never changes
        self._given = key
        self._path: str | None = None
        self._loaded: keys.SigningKey | None = None
        self._lock = threading.Lock()

    @property
    def key(self) -> keys.SigningKey | None:
        """The given key, else the configured one (None: this deployment does not sign)."""
        if self._given is not None:
            return self._given
        # Read again only when the setting names another file.
        path = os.environ.get(keys.KEY_FILE_SETTING) or None
        if path != self._path:
            self._loaded = keys.load(path) if path else None
            self._path = path
        return self._loaded

    def sign(self, tenant_id: str) -> Signing:
        """Checkpoint the tenant's log as it is now; a community's checkpoints are then
        recorded in its street's log."""
        key = keys.require(self.key)
        try:
            checkpoint = take_checkpoint(self.engine, key, tenant_id)
        except CheckpointRefused as error:
            return Signing(tenant_id, None, str(error))
        return Signing(tenant_id, checkpoint, anchored=self.anchor(tenant_id))

    def anchor(self, community_id: str) -> int:
        """Record in the street's log each checkpoint of the community it does not
        hold yet (so a process stopped between signing and recording catches up on
        the next round); return how many were recorded."""
        street_id = self._street_of(community_id)
        if street_id is None:
            return 0
        # One process records at a time, so a checkpoint is not recorded twice by
        # two threads of it; other processes may still race, which only repeats a
        # record (harmless: verification compares, it does not count).
        with self._lock:
            with self.engine.connect() as conn:
                held = {a.checkpoint.size for a in anchored(conn, street_id, community_id)}
                missing = [c for c in of_tenant(conn, community_id) if c.size not in held]
            street = self.ledgers[street_id]
            for checkpoint in missing:
                stamp = Stamp(street_id, NOTARY, reason=f"checkpoint of {community_id}")
                street.anchor_checkpoint(stamp, community_id, checkpoint.as_anchor())
        return len(missing)

    def _street_of(self, tenant_id: str) -> str | None:
        if tenant_id not in self._streets:
            with self.engine.connect() as conn:
                self._streets[tenant_id] = street_of(conn, tenant_id)
        return self._streets[tenant_id]

    def sign_due(self, only: str | None = None) -> list[Signing]:
        """Sign every tenant whose log moved since its last checkpoint (or the one
        named). Communities are signed before streets, so that a street's new
        checkpoint covers the anchors this round recorded."""
        if only is not None:
            return [self.sign(only)]
        communities: list[str] = []
        streets: list[str] = []
        for tenant_id in due(self.engine):
            (communities if self._street_of(tenant_id) else streets).append(tenant_id)
        signed = [self.sign(tenant_id) for tenant_id in communities]
        # Anchoring moved the streets' heads: those are due now too.
        later = [t for t in due(self.engine) if t not in communities and t not in streets]
        signed += [self.sign(tenant_id) for tenant_id in [*streets, *later]]
        return signed


def interval() -> float:
    """Seconds between periodic checkpoints (0 turns them off)."""
    raw = os.environ.get(INTERVAL_SETTING, "")
    try:
        return float(raw) if raw else DEFAULT_INTERVAL
    except ValueError:
        logger.warning("%s=%r is not a number of seconds; using %s", INTERVAL_SETTING, raw,
                       DEFAULT_INTERVAL)  # fmt: skip
        return DEFAULT_INTERVAL


class PeriodicSigning:
    """A daemon thread that signs due tenants every ``seconds``."""

    def __init__(self, notary: Notary, seconds: float) -> None:
        self.notary, self.seconds = notary, seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="periodic-checkpoints", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                for signing in self.notary.sign_due():
                    if signing.refused:
                        logger.error("%s not signed: %s", signing.tenant_id, signing.refused)
            except Exception:
                # The next round tries again; a failing round must not stop the thread.
                logger.exception("periodic checkpoints failed")
