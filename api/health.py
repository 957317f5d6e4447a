"""Liveness and readiness, for orchestrators and load balancers (no token needed).

``/livez``: the process answers (its event loop runs). ``/readyz``: it can serve: the
database answers a fresh connection and nothing is left for ``gongjian migrate`` to
do; otherwise 503 ``not-ready``, saying which. ``/healthz`` (api/app.py) stays as it
was: liveness plus the count of parked tenants.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from api import problems
from api.platform import pending_migrations
from tenants.store.database import is_sqlite

CONNECT_TIMEOUT = 3  # seconds a readiness check waits for a new connection
logger = logging.getLogger(__name__)


def probe_engine(engine: Engine) -> Engine:
    """An engine that opens a new connection for every check, with a short time limit:
    readiness asks whether the database takes connections, not whether the pool has
    one to spare (an exhausted pool makes requests wait; the database is still up)."""
    if is_sqlite(engine):
        return engine  # a file: nothing to reach
    return create_engine(
        engine.url, poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT}
    )


def readiness(probe: Engine) -> str | None:
    """Why this process cannot serve now (None: it can)."""
    try:
        with probe.connect() as conn:
            conn.execute(text("SELECT 1"))
        pending = pending_migrations(probe)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        logger.warning("not ready: the database does not answer: %s", reason)
        # The reason may name hosts and users: it goes to the log, not to the caller.
        return "the database does not answer"
    if pending:
        return f"migrations are pending ({', '.join(pending)}): run 'gongjian migrate'"
    return None


def replica_readiness(probe: Engine) -> str | None:
    """Why the read replica cannot serve reads now (None: it can). Its schema is the
    primary's, replayed: only whether it answers is its own."""
    try:
        with probe.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        logger.warning("not ready: the read replica does not answer: %s", reason)
        return "the read replica does not answer"
    return None


def install(app: FastAPI) -> None:
    """Add ``/livez`` and ``/readyz``."""
    probe: list[Engine] = []

    @app.get("/livez", tags=["operations"])
    async def livez() -> dict[str, str]:
        """The process answers: its event loop runs (no database is asked). A
        supervisor restarts a process that stops answering this."""
        return {"status": "alive"}

    @app.get(
        "/readyz",
        tags=["operations"],
        responses={503: {"model": problems.Problem, "description": "not ready: the reason"}},
    )
    def readyz(request: Request) -> Any:
        """Ready to serve: the database (and the read replica, when one is set) takes
        a new connection and no migration is pending. Otherwise 503 `not-ready` saying
        which; a load balancer sends this process no traffic until it answers 200."""
        platform = request.app.state.platform
        if not probe:
            probe.append(probe_engine(platform.engine))
            if platform.replica is not None:
                probe.append(probe_engine(platform.replica))
        reason = readiness(probe[0])
        if reason is None and len(probe) > 1:
            reason = replica_readiness(probe[1])
        if reason is not None:
            return problems.problem(503, "not-ready", "Not ready", reason)
        return JSONResponse({"status": "ready"})
