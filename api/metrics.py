"""Prometheus metrics at ``/metrics``, for operators (docs/operations.md).

What each serving process counts as it works: every command's latency by command name
and answered status, every GraphQL request's latency by operation name, and the use of
its connection pool. What the database knows is read when scraped: how far projection
lags behind the tenants' logs and which tenants are parked.

Under ``gongjian serve --workers N`` the processes share their counts through
prometheus-client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, set by the
command): whichever worker answers a scrape reports the sum of all of them.

No label holds personal data: commands and operations are names from code or from a
bounded set, statuses are numbers, tenants appear only for parked ones (their ids).
"""

from __future__ import annotations

import glob
import hmac
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import IntegrityError
from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, case, event, func, select
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from api.problems import ApiProblem, status_of
from domain.errors import DomainError
from projections.runner import PROJECTION
from tenants.pipeline.errors import Unauthenticated
from tenants.store.schema import parked, tenant_heads, tracking

TOKEN_SETTING = "GONGJIAN_METRICS_TOKEN"
MULTIPROCESS_SETTING = "PROMETHEUS_MULTIPROC_DIR"
MAX_OPERATIONS = 100  # distinct GraphQL operation names per process; the rest are "other"
MAX_PARKED_SERIES = 50  # parked tenants listed one by one (largest lag first)
MIN_TOKEN_LENGTH = 16
# Commands answer in milliseconds; a slow one (a PDF, a big report) in seconds.
BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)

COMMANDS = Histogram(
    "gongjian_command_duration_seconds",
    "Time to run a command (the pipeline: authorise, load, handle, append), by "
    "command and answered HTTP status; its _count is the command rate.",
    ["command", "status"],
    buckets=BUCKETS,
)
GRAPHQL = Histogram(
    "gongjian_graphql_duration_seconds",
    "Time to answer a GraphQL request over HTTP, by operation name (anonymous: "
    "unnamed; other: past the first 100 names) and HTTP status.",
    ["operation", "status"],
    buckets=BUCKETS,
)
# livesum: summed over the live serving processes (a stopped worker's share is removed).
POOL_CHECKED_OUT = Gauge(
    "gongjian_db_pool_checked_out",
    "Database connections in use, summed over the serving processes.",
    ["pool"],
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "gongjian_db_pool_size",
    "Connections each pool keeps open, summed over the serving processes.",
    ["pool"],
    multiprocess_mode="livesum",
)
POOL_LIMIT = Gauge(
    "gongjian_db_pool_limit",
    "Connections the pools may open at most (size plus overflow), summed over the "
    "serving processes; at the limit, requests wait for a connection.",
    ["pool"],
    multiprocess_mode="livesum",
)


@contextmanager
def timed_command(command: str, status: int) -> Iterator[None]:
    """Time the command run inside; ``status`` is the one it answers when it succeeds,
    an error's is the one the error table gives it (api/problems.py)."""
    start = time.perf_counter()
    answered = 500
    try:
        yield
        answered = status
    except DomainError as error:
        answered = status_of(error)
        raise
    except IntegrityError:
        answered = 409  # lost a race on the record: a version conflict
        raise
    except ApiProblem as error:
        answered = error.status
        raise
    finally:
        COMMANDS.labels(command, str(answered)).observe(time.perf_counter() - start)


def multiprocess_directory() -> str | None:
    """The folder the serving processes share their counts in, if they do."""
    return os.environ.get(MULTIPROCESS_SETTING) or None


def prepare_workers() -> str:
    """Before starting several server processes: point them at an empty folder to
    share counts in (the configured one, emptied, or a new temporary one)."""
    folder = multiprocess_directory()
    if folder is None:
        folder = tempfile.mkdtemp(prefix="gongjian-metrics-")
        os.environ[MULTIPROCESS_SETTING] = folder
    os.makedirs(folder, exist_ok=True)
    # Counts of an earlier run would be added to this one's.
    for stale in glob.glob(os.path.join(folder, "*.db")):
        os.remove(stale)
    return folder


def remove_directory(folder: str) -> None:
    """Remove a folder ``prepare_workers`` made, once every worker has stopped."""
    if folder.startswith(tempfile.gettempdir()) and "gongjian-metrics-" in folder:
        shutil.rmtree(folder, ignore_errors=True)


def process_stopped() -> None:
    """Take this process's connections out of the pool totals (at shutdown)."""
    if multiprocess_directory() is not None:
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


# A GraphQL operation's name, as a document declares it (the first one, if several).
# Whitespace may come JSON-escaped (the body is the request's JSON); a name is followed
# by its variables, directives or selection, so a field called "query" is no match.
_DECLARED = re.compile(
    rb'(?:^|[\s"}])(?:query|mutation|subscription)(?:\s|\\[nrt])+'
    rb"([_A-Za-z][_0-9A-Za-z]{0,63})(?:\s|\\[nrt])*[({@]"
)
_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")


class OperationNames:
    """GraphQL operation names as metric labels, at most ``limit`` distinct ones:
    clients choose the names, and each would be a new series kept forever."""

    def __init__(self, limit: int = MAX_OPERATIONS) -> None:
        self.limit = limit
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def label(self, requested: Any, body: bytes) -> str:
        """The label of a request naming ``requested`` (its ``operationName``) whose
        body is ``body``: the name, "anonymous" for none, "other" past the limit."""
        name = requested if isinstance(requested, str) and requested else None
        if name is None:
            declared = _DECLARED.search(body[:4096])
            name = declared[1].decode() if declared else None
        if name is None:
            return "anonymous"
        if not _NAME.match(name):
            return "other"
        with self._lock:
            if name in self._seen:
                return name
            if len(self._seen) >= self.limit:
                return "other"
            self._seen.add(name)
            return name


operation_names = OperationNames()


def instrument_pool(engine: Engine, pool: str = "primary") -> None:
    """Follow the engine's pool: connections checked out, its size and its limit."""
    size = getattr(engine.pool, "size", None)
    overflow = getattr(engine.pool, "_max_overflow", 0)
    if not callable(size):
        return  # a pool that keeps no connections (NullPool): nothing to follow
    POOL_SIZE.labels(pool).set(size())
    POOL_LIMIT.labels(pool).set(size() + max(overflow, 0))
    in_use = POOL_CHECKED_OUT.labels(pool)

    def checked_out(*_: Any) -> None:
        # Read from the pool itself rather than counted up and down: a connection that
        # failed or was detached can never leave the figure wrong for long.
        in_use.set(engine.pool.checkedout())  # type: ignore[attr-defined]

    def checked_in(*_: Any) -> None:
        # The event comes before the pool takes the connection back.
        in_use.set(engine.pool.checkedout() - 1)  # type: ignore[attr-defined]

    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "checkin", checked_in)


class ProjectionLag(Collector):
    """Projection's distance behind the logs, read from the database when scraped:
    one figure per deployment, whichever process answers."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "gongjian_database_up", "1 if the database answered this scrape's queries, else 0."
        )
        try:
            figures = self._read()
        except SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from figures

    def _read(self) -> list[GaugeMetricFamily]:
        done = func.coalesce(tracking.c.position, 0)
        lag = tenant_heads.c.position - done
        joined = tenant_heads.outerjoin(
            tracking,
            (tracking.c.tenant_id == tenant_heads.c.tenant_id)
            & (tracking.c.projection == PROJECTION),
        )
        totals = select(
            func.count(),
            func.coalesce(func.sum(case((lag > 0, 1), else_=0)), 0),
            func.coalesce(func.max(lag), 0),
            func.coalesce(func.sum(lag), 0),
        ).select_from(joined)
        stuck = (
            select(parked.c.tenant_id, lag)
            .select_from(joined.join(parked, parked.c.tenant_id == tenant_heads.c.tenant_id))
            .where(parked.c.projection == PROJECTION)
            .order_by(lag.desc(), parked.c.tenant_id)
        )
        with self.engine.connect() as conn:
            tenants, behind, most, total = conn.execute(totals).one()
            parked_rows = list(conn.execute(stuck).all())
        return [
            _gauge("gongjian_tenants", "Tenants with a log.", tenants),
            _gauge(
                "gongjian_projection_tenants_behind",
                "Tenants whose read models lag behind their log (parked ones included).",
                behind,
            ),
            _gauge(
                "gongjian_projection_lag_events_max",
                "The largest number of events one tenant's read models lag behind its log.",
                most,
            ),
            _gauge(
                "gongjian_projection_lag_events",
                "Events in every tenant's log that its read models do not reflect yet.",
                total,
            ),
            _gauge(
                "gongjian_projection_parked_tenants",
                "Tenants whose projection stopped at an event it could not apply.",
                len(parked_rows),
            ),
            _parked_lag(parked_rows),
        ]


def _gauge(name: str, documentation: str, value: Any) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=float(value or 0))


def _parked_lag(rows: list[Any]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "gongjian_projection_parked_lag_events",
        f"Events a parked tenant's read models lag behind its log (the {MAX_PARKED_SERIES} "
        "furthest behind).",
        labels=["tenant"],
    )
    for tenant_id, lag in rows[:MAX_PARKED_SERIES]:
        family.add_metric([tenant_id], float(lag))
    return family


class _Registered(Collector):
    """This process's own metrics (a single process: nothing is shared)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def exposition(engine: Engine) -> bytes:
    """Every metric in Prometheus's text format."""
    registry = CollectorRegistry()
    if multiprocess_directory() is not None:
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Registered())
    registry.register(ProjectionLag(engine))
    return generate_latest(registry)


def configured_token() -> str | None:
    """The secret a scraper must send (``GONGJIAN_METRICS_TOKEN``); None: /metrics off."""
    token = os.environ.get(TOKEN_SETTING, "").strip()
    if not token:
        return None
    if len(token) < MIN_TOKEN_LENGTH:
        raise ValueError(f"{TOKEN_SETTING} must be at least {MIN_TOKEN_LENGTH} characters")
    return token


def install(app: FastAPI) -> None:
    """Serve ``/metrics`` to scrapers that send the configured token, and follow the
    platform's connection pool. Without the setting the path answers 404."""
    token = configured_token()
    instrument_pool(app.state.platform.engine)
    if app.state.platform.replica is not None:
        instrument_pool(app.state.platform.replica, "replica")

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        if token is None:
            raise HTTPException(404, "Not Found")  # as any unknown path
        sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(sent.encode(), token.encode()):
            raise Unauthenticated(f"send 'Authorization: Bearer <{TOKEN_SETTING}>'")
        body = exposition(request.app.state.platform.engine)
        return Response(body, media_type=CONTENT_TYPE_LATEST)
