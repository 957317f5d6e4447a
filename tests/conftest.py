"""Backends for the tests: an SQLite file and a throw-away PostgreSQL database."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings
from sqlalchemy import Engine

from api.platform import migrate
from tenants.store import keys
from tenants.store.database import make_engine
from tests.integration.servers import DemoStore, shared_demo_store

POSTGRES_ADMIN_URL = os.environ.get(
    "GONGJIAN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("GONGJIAN_REQUIRE_POSTGRES") == "1"
# A GraphQL answer's time limit is a deployment's guard, not a test's: on a shared
# machine running two test processes a heavy page can take longer than 10 s. The
# limit itself is tested with settings of its own (tests/api/test_answer_cache.py).
os.environ.setdefault("GONGJIAN_GRAPHQL_TIME_LIMIT", "120")
# Hypothesis's per-example deadline is a timed assertion: on a loaded, shared machine
# it fails examples that are merely slow, so no property test here has one.
settings.register_profile("shared-machine", deadline=None)
settings.load_profile("shared-machine")
# Evidence files uploaded by tests (and by servers they start) go to a folder of this
# test process, never beside the checkout; content-addressed, so tests share it safely.
if "GONGJIAN_EVIDENCE_DIR" not in os.environ:
    _evidence = tempfile.mkdtemp(prefix="gongjian-evidence-")
    atexit.register(shutil.rmtree, _evidence, True)
    os.environ["GONGJIAN_EVIDENCE_DIR"] = _evidence


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> DemoStore:
    """The demo, loaded once for the whole test run (every xdist worker shares it);
    copy it (``demo_store.copy_to(folder)``) before serving it."""
    base = tmp_path_factory.getbasetemp()
    # xdist gives each worker a folder under one the run's workers share.
    return shared_demo_store(base if worker_id == "master" else base.parent)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Create a fresh PostgreSQL database for this test session and drop it after."""
    name = f"gongjian_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    """A migrated engine on the session's PostgreSQL database."""
    engine = make_engine(postgres_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated engine on a fresh SQLite file."""
    path = tmp_path_factory.mktemp("sqlite") / "gongjian.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each integration test body runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_engine")  # type: ignore[no-any-return]


@pytest.fixture
def tenant_id() -> str:
    """A tenant id no other test uses, so tests share databases safely."""
    return f"t-{uuid.uuid4().hex[:12]}"


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def private_database(request: pytest.FixtureRequest, folder: Path) -> Iterator[Engine]:
    """A migrated database of its own on the backend ``request.param`` names (an SQLite
    file in ``folder``), dropped after."""
    name = f"gongjian_private_{uuid.uuid4().hex[:10]}"
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'private.db'}"
    else:
        request.getfixturevalue("postgres_url")  # fails or skips as the suite requires
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    engine = make_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()
    if request.param == "postgres":
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def private_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database of the test's own, on each backend: for tests that leave
    a tenant parked, which must not leave the shared database degraded for others."""
    with private_database(request, tmp_path) as engine:
        yield engine


@pytest.fixture
def key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> keys.SigningKey:
    """A fresh platform signing key, configured as the process's key file."""
    path = tmp_path / "signing.pem"
    made = keys.create(path)
    monkeypatch.setenv(keys.KEY_FILE_SETTING, str(path))
    monkeypatch.delenv(keys.PUBLIC_KEYS_SETTING, raising=False)
    return made


# The modules that take a minute or more of one test process: collected first, so that
# xdist (--dist loadfile hands out modules in collection order) starts them early and
# the two processes finish together instead of one waiting on the other's long tail.
SLOW_MODULES = (
    "tests/integration/test_openapi_fuzz.py",
    "tests/integration/test_scale_bench.py",
    "tests/integration/test_command_lifecycle.py",
    "tests/integration/test_read_model_reconciliation.py",
    "tests/integration/test_partition_pruning.py",
    "tests/integration/test_fold_projection.py",
    "tests/browser/test_scoring_sheet.py",
    "tests/browser/test_meeting_workspace.py",
    "tests/browser/test_engagement_pages.py",
    "tests/browser/test_auditor_timeline.py",
    "tests/browser/test_resolution_tracker.py",
    "tests/browser/test_accessibility.py",
    "tests/integration/test_secretary_month.py",
    "tests/integration/test_audit_walkthrough.py",
    "tests/api/test_public_page.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the slow modules first, in the order above; the rest keep their order."""
    rank = {module: place for place, module in enumerate(SLOW_MODULES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))
