"""The dispatcher: follows each webhook's tenant feed and POSTs the events it wants.

It runs beside the projector (the ``gongjian project`` worker, or the embedded
server's own thread), never in a command's path: a slow or dead endpoint holds one
of its threads, never a command, a projection or another tenant.

Per webhook, deliveries go one at a time and in log order. The store's cursor
(``es_webhook_cursors``) says up to which position every event has been given a
delivery (``es_webhook_deliveries``) or was not wanted; deliveries are queued (a
page of the feed at a time) only when none is pending, and the oldest pending one is
always the next to go, so none overtakes another. A failed attempt is tried again
after an exponential back-off with jitter; after the last attempt the delivery is
marked failed and the next one goes (a retry request sends the failed ones again).
Each step is a short transaction of its own: no transaction (on SQLite: no write
lock) is held while a request is under way.

At least once: a process that stops after the POST and before recording its
outcome leaves the delivery pending, and its lease on the webhook runs out, so
the delivery is sent again, with the same delivery id. Several processes share
webhooks through that lease, so a webhook is delivered by one process at a time.
"""

from __future__ import annotations

import logging
import os
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
from sqlalchemy import Engine, and_, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from api.webhooks import signing
from domain.webhooks import WebhookStatus, wants
from projections.runner import PROJECTION
from projections.tables import events as feed
from projections.tables_webhooks import webhooks
from tenants import webhook_targets
from tenants.store.database import is_sqlite, write_transaction
from tenants.store.schema import tracking
from tenants.store.webhooks import moment, secret_of, webhook_cursors, webhook_deliveries

logger = logging.getLogger(__name__)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
QUEUED = 100  # feed rows read at a time to queue the deliveries of those wanted
BURST = 100  # deliveries one webhook may make in a row before others get a turn
MAX_BACKOFF = 3600.0  # seconds

c, d, w = webhook_cursors, webhook_deliveries, webhooks


def _setting(name: str, default: float, kind: type[float] | type[int], low: float) -> Any:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return kind(default)
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name} must be a {kind.__name__}, not {raw!r}") from None
    if value < low:
        raise ValueError(f"{name} must be at least {low:g}")
    return value


@dataclass(frozen=True)
class DeliveryPolicy:
    """How deliveries are tried: attempts, back-off, time limit, threads."""

    attempts: int = 10  # per delivery, before it is marked failed
    first_backoff: float = 10.0  # seconds before the second attempt; doubles after each
    timeout: float = 10.0  # seconds a receiver has to answer
    workers: int = 4  # webhooks delivered at once by one process
    interval: float = 0.5  # seconds between looks for due deliveries

    @classmethod
    def configured(cls) -> DeliveryPolicy:
        """The policy the GONGJIAN_WEBHOOK_* settings ask for (docs/webhooks.md)."""
        return cls(
            attempts=_setting("GONGJIAN_WEBHOOK_ATTEMPTS", 10, int, 1),
            first_backoff=_setting("GONGJIAN_WEBHOOK_BACKOFF", 10.0, float, 0),
            timeout=_setting("GONGJIAN_WEBHOOK_TIMEOUT", 10.0, float, 0.1),
            workers=_setting("GONGJIAN_WEBHOOK_WORKERS", 4, int, 1),
        )

    @property
    def lease(self) -> timedelta:
        """How long a process holds a webhook without a word: past any one attempt."""
        return timedelta(seconds=2 * self.timeout + 30)

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based): exponential,
        capped, with jitter so that many webhooks of one dead receiver spread out."""
        ceiling = min(MAX_BACKOFF, self.first_backoff * 2.0 ** (attempt - 1))
        return float(ceiling * rng.uniform(0.5, 1.0))


@dataclass(frozen=True)
class Work:
    """One attempt at a delivery, ready to send."""

    tenant_id: str
    webhook_id: str
    delivery_id: str
    attempt: int
    url: str
    generation: int
    event: Any  # the feed row


@dataclass(frozen=True)
class Outcome:
    """What the receiver answered, or why there was no answer."""

    status_code: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.error is None


class LostLease(Exception):
    """Another process took the webhook over (this one held it too long)."""


Key = tuple[str, str]  # tenant, webhook


class Dispatcher:
    """Delivers what is due, for every active webhook of every tenant."""

    def __init__(
        self,
        engine: Engine,
        policy: DeliveryPolicy | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.policy = policy or DeliveryPolicy.configured()
        self.clock = clock
        self.rng = random.Random()
        # Redirects are not followed: the URL the webhook names is where it goes.
        self.client = httpx.Client(timeout=self.policy.timeout, follow_redirects=False)

    def close(self) -> None:
        """Release the HTTP connections."""
        self.client.close()

    def deliver_due(self) -> int:
        """Make every attempt that is due now, webhook after webhook; return how many."""
        return sum(self.serve(key) for key in self.due())

    def due(self) -> list[Key]:
        """Active webhooks, not held by a process, with a delivery to make now."""
        now = self.clock()
        same = and_(d.c.tenant_id == w.c.tenant_id, d.c.webhook_id == w.c.webhook_id)
        pending = exists().where(same, d.c.status == PENDING)
        pending_due = exists().where(same, d.c.status == PENDING, d.c.next_attempt_at <= now)
        projected = (
            select(tracking.c.position)
            .where(tracking.c.tenant_id == w.c.tenant_id, tracking.c.projection == PROJECTION)
            .scalar_subquery()
        )
        scanned = func.coalesce(c.c.position, w.c.created_position)
        retry = func.coalesce(w.c.retried_position, 0) > func.coalesce(c.c.retried_through, 0)
        cursor = and_(c.c.tenant_id == w.c.tenant_id, c.c.webhook_id == w.c.webhook_id)
        query = (
            select(w.c.tenant_id, w.c.webhook_id)
            .select_from(w.outerjoin(c, cursor))
            .where(
                w.c.valid_to.is_(None),
                w.c.status == WebhookStatus.ACTIVE.value,
                or_(c.c.leased_until.is_(None), c.c.leased_until < now),
                or_(and_(~pending, scanned < func.coalesce(projected, 0)), pending_due, retry),
            )
            .order_by(w.c.tenant_id, w.c.webhook_id)
        )
        with self._reading() as conn:
            return [(row.tenant_id, row.webhook_id) for row in conn.execute(query)]

    def serve(self, key: Key) -> int:
        """Deliver for one webhook while its deliveries are due and answered (at most
        ``BURST``); return how many attempts were made."""
        lease = self._claim(key)
        if lease is None:
            return 0
        made = 0
        secrets: dict[int, str | None] = {}  # by generation, read once per turn
        try:
            while made < BURST:
                work = self._next(key, lease)
                if work is None:
                    break
                if work.generation not in secrets:
                    secrets[work.generation] = secret_of(self.engine, *key, work.generation)
                outcome = self._send(work, secrets[work.generation])
                self._record(work, outcome, lease)
                made += 1
                if not outcome.delivered:
                    break
        except LostLease:
            logger.warning("webhook %s/%s was taken over by another process", *key)
        finally:
            self._release(key, lease)
        return made

    def _reading(self) -> Any:
        """A connection for single reads, in autocommit: no BEGIN or ROLLBACK round trips."""
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def _where(self, key: Key, table: Any = c) -> list[Any]:
        return [table.c.tenant_id == key[0], table.c.webhook_id == key[1]]

    def _claim(self, key: Key) -> str | None:
        """Hold the webhook for this process (its cursor made if new); None if another
        process holds it."""
        now, lease = self.clock(), uuid4().hex
        insert = sqlite.insert if is_sqlite(self.engine) else postgresql.insert
        start = select(w.c.created_position).where(*self._where(key, w), w.c.valid_to.is_(None))
        with write_transaction(self.engine) as conn:
            position = conn.execute(start).scalar()
            if position is None:
                return None
            conn.execute(
                insert(c)
                .values(tenant_id=key[0], webhook_id=key[1], position=position, retried_through=0)
                .on_conflict_do_nothing()
            )
            free = or_(c.c.leased_until.is_(None), c.c.leased_until < now)
            taken = conn.execute(
                update(c)
                .where(*self._where(key), free)
                .values(lease=lease, leased_until=now + self.policy.lease)
            )
        return lease if taken.rowcount == 1 else None

    def _release(self, key: Key, lease: str) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(
                update(c)
                .where(*self._where(key), c.c.lease == lease)
                .values(lease=None, leased_until=None)
            )

    def _next(self, key: Key, lease: str) -> Work | None:
        """The next attempt this webhook is due to make, or None."""
        at_cursor = and_(c.c.tenant_id == w.c.tenant_id, c.c.webhook_id == w.c.webhook_id)
        current = (
            select(w, c.c.position.label("scanned"), c.c.retried_through)
            .join(c, at_cursor)
            .where(*self._where(key, w), w.c.valid_to.is_(None))
        )
        with self._reading() as conn:
            hook = conn.execute(current).first()
        if hook is None or hook.status != WebhookStatus.ACTIVE.value:
            return None
        if (hook.retried_position or 0) > hook.retried_through:
            self._retry_failed(key, lease, hook.retried_position)
        pending = self._oldest_pending(key)
        if pending is None and self._queue(key, lease, hook.event_types, hook.scanned):
            pending = self._oldest_pending(key)
        if pending is None:
            return None
        due_at = moment(pending.next_attempt_at)
        if due_at is not None and due_at > self.clock():
            return None  # the oldest pending delivery waits, and the others behind it
        if pending.record_type is None:
            return None  # the feed is being rebuilt: it comes back as it was
        return Work(
            key[0], key[1], pending.delivery_id, pending.attempts + 1, hook.url,
            hook.secret_generation, pending,
        )  # fmt: skip

    def _oldest_pending(self, key: Key) -> Any:
        """The webhook's oldest pending delivery, with its event from the feed."""
        event = and_(feed.c.tenant_id == d.c.tenant_id, feed.c.position == d.c.position)
        query = (
            select(d.c.delivery_id, d.c.attempts, d.c.next_attempt_at, feed)
            .select_from(d.outerjoin(feed, event))
            .where(*self._where(key, d), d.c.status == PENDING)
            .order_by(d.c.position)
            .limit(1)
        )
        with self._reading() as conn:
            return conn.execute(query).first()

    def _retry_failed(self, key: Key, lease: str, requested: int) -> None:
        """Make the webhook's failed deliveries pending again, each with fresh attempts."""
        with write_transaction(self.engine) as conn:
            self._still_held(conn, key, lease, retried_through=requested)
            conn.execute(
                update(d)
                .where(*self._where(key, d), d.c.status == FAILED)
                .values(status=PENDING, attempts=0, next_attempt_at=self.clock(), settled_at=None)
            )

    def _queue(self, key: Key, lease: str, wanted: list[str], after: int) -> int:
        """Queue deliveries of the next events the webhook wants, a page of the feed at
        a time, moving its cursor past those it does not; return how many."""
        position = after
        while True:
            with self._reading() as conn:
                rows = conn.execute(
                    select(feed.c.position, feed.c.record_type, feed.c.type)
                    .where(feed.c.tenant_id == key[0], feed.c.position > position)
                    .order_by(feed.c.position)
                    .limit(QUEUED)
                ).all()
            if not rows:
                return 0
            position = rows[-1].position
            now = self.clock()
            queued = [
                {
                    "tenant_id": key[0],
                    "webhook_id": key[1],
                    "delivery_id": str(uuid4()),
                    "position": row.position,
                    "event_type": f"{row.record_type}.{row.type}",
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for row in rows
                if wants(wanted, row.record_type, row.type)
            ]
            with write_transaction(self.engine) as conn:
                self._still_held(conn, key, lease, position=position)
                if queued:
                    conn.execute(d.insert(), queued)
            if queued:
                return len(queued)

    def _still_held(self, conn: Any, key: Key, lease: str, **values: Any) -> None:
        """Move the cursor (and renew the lease) if this process still holds it."""
        renewed = self.clock() + self.policy.lease
        moved = conn.execute(
            update(c)
            .where(*self._where(key), c.c.lease == lease)
            .values(leased_until=renewed, **values)
        )
        if moved.rowcount != 1:
            raise LostLease(key)

    def _send(self, work: Work, secret: str | None) -> Outcome:
        """POST one attempt; never raises for what the receiver or network did."""
        if secret is None:
            return Outcome(None, f"no signing secret of generation {work.generation} is kept "
                           "here: rotate the webhook's secret")  # fmt: skip
        content = signing.payload(work.tenant_id, work.webhook_id, work.delivery_id, work.event)
        raw = signing.body(content)
        headers = signing.headers(content, signing.signature(secret, raw), work.attempt)
        try:
            webhook_targets.check_deliverable(work.url)
            # Streamed and never read: a receiver's answer is its status code alone.
            with self.client.stream("POST", work.url, content=raw, headers=headers) as answer:
                code = answer.status_code
        except webhook_targets.RefusedTarget as error:
            return Outcome(None, f"refused: {error}")
        except httpx.TimeoutException:
            return Outcome(None, f"no answer within {self.policy.timeout:g} s")
        except httpx.HTTPError as error:
            return Outcome(None, f"{type(error).__name__}: {error}"[:1000])
        if 200 <= code < 300:
            return Outcome(code, None)
        return Outcome(code, f"HTTP {code}")

    def _record(self, work: Work, outcome: Outcome, lease: str) -> None:
        now = self.clock()
        values: dict[str, Any] = {
            "attempts": work.attempt,
            "last_attempt_at": now,
            "last_status_code": outcome.status_code,
            "last_error": outcome.error,
        }
        if outcome.delivered:
            values |= {"status": DELIVERED, "next_attempt_at": None, "settled_at": now}
        elif work.attempt >= self.policy.attempts:
            values |= {"status": FAILED, "next_attempt_at": None, "settled_at": now}
        else:
            wait = self.policy.backoff(work.attempt, self.rng)
            values |= {"next_attempt_at": now + timedelta(seconds=wait)}
        key = (work.tenant_id, work.webhook_id)
        with write_transaction(self.engine) as conn:
            conn.execute(
                update(d)
                .where(
                    d.c.tenant_id == work.tenant_id,
                    d.c.delivery_id == work.delivery_id,
                    d.c.status == PENDING,
                )
                .values(**values)
            )
            self._still_held(conn, key, lease)


class BackgroundDispatcher:
    """Delivers in threads of this process: up to ``workers`` webhooks at once, each
    by one thread, so a receiver that hangs holds only its own."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self._stop = threading.Event()
        self._busy: set[Key] = set()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(dispatcher.policy.workers, thread_name_prefix="webhook")
        self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop looking for work; wait for the deliveries under way (each answered or
        timed out, and recorded), so that none uses the database after it is closed."""
        self._stop.set()
        self._thread.join(timeout=5)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.dispatcher.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for key in self.dispatcher.due():
                    with self._lock:
                        if key in self._busy:
                            continue
                        self._busy.add(key)
                    self._pool.submit(self._serve, key)
            except Exception:  # the database went away: look again later
                logger.exception("looking for due webhook deliveries failed")
            self._stop.wait(self.dispatcher.policy.interval)

    def _serve(self, key: Key) -> None:
        try:
            self.dispatcher.serve(key)
        except Exception:
            logger.exception("delivering for webhook %s/%s failed", *key)
        finally:
            with self._lock:
                self._busy.discard(key)
