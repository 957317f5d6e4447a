"""GraphQL served from a real streaming replica of the local PostgreSQL cluster: commands
go to the primary, reads come from the replica, and `waitForPosition` waits for the
replica's own read models (its replayed copy of the tracking table).

The replica is made with Debian's tools (tests/integration/replica.py) from the cluster
at 127.0.0.1:5432, once for this module. Pausing its replay
(``pg_wal_replay_pause()``) freezes what it serves, which is how the tests tell the
replica's answers from the primary's."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.platform import Platform, migrate
from projections import queries
from tenants.store.database import make_engine
from tests.api.conftest import Api, manager_token
from tests.conftest import POSTGRES_ADMIN_URL, REQUIRE_POSTGRES
from tests.integration.replica import Replica, streaming_replica, unavailable

pytestmark = pytest.mark.postgres
UNITS = "query($t: ID!) { tenant(id: $t) { projectedPosition units { nodes { name } } } }"
WAITED = (
    "query($t: ID!, $p: Int) { tenant(id: $t, waitForPosition: $p) "
    "{ projectedPosition units { nodes { name } } } }"
)


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    try:
        psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    reason = unavailable()
    if reason is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"a streaming replica cannot be made here: {reason}")
        pytest.skip(reason)
    with streaming_replica() as made:
        yield made


@dataclass
class Deployment:
    """A server reading from the replica, over a database of its own on the primary."""

    replica: Replica
    platform: Platform
    api: Api

    def query(self, document: str, **variables: Any) -> dict[str, Any]:
        reader = manager_token(self.api.tenant, self.api.streets)
        response = self.api.client.post(
            "/graphql", json={"query": document, "variables": variables}, headers=reader
        )
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer


@pytest.fixture
def deployment(replica: Replica) -> Iterator[Deployment]:
    name = f"gongjian_replica_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    platform: Platform | None = None
    try:  # from here on the database is dropped whatever fails, set-up included
        primary = make_engine(f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}")
        migrate(primary)
        replica.catch_up()  # the new database and its tables are on the replica now
        # Embedded: each command is projected on the primary before it answers, so the
        # primary's read models always hold what a command returned.
        platform = Platform(
            primary, make_engine(replica.url(name)), embedded=True, read_wait=1.0, dev_tokens=True
        )
        tenant = f"t-{uuid.uuid4().hex[:12]}"
        api = Api(TestClient(create_app(platform)), tenant)
        api.post("/tenants", {"tenant_id": tenant, "kind": "street", "name": "枫林街道"}, 201)
        yield Deployment(replica, platform, api)
    finally:
        replica.resume()  # a failed test must not leave the module's replica paused
        if platform is not None:
            platform.close()
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _names(answer: dict[str, Any]) -> list[str]:
    return [unit["name"] for unit in answer["data"]["tenant"]["units"]["nodes"]]


def test_commands_go_to_the_primary_and_reads_to_the_replica(deployment: Deployment) -> None:
    d, tenant = deployment, deployment.api.tenant
    assert d.replica.in_recovery()
    d.replica.catch_up()
    assert _names(d.query(UNITS, t=tenant)) == []
    d.replica.pause()
    # A standby refuses every write: the command committing proves it went to the primary.
    position = d.api.t("/units", {"name": "光明乳业", "kind": "enterprise"}, 201)["position"]
    assert queries.head_position(d.platform.engine, tenant) == position
    assert d.platform.projector.position(tenant) >= position  # projected on the primary
    # The replica has not replayed it: a read without a position answers what it holds.
    assert queries.head_position(d.platform.read_engine, tenant) < position
    stale = d.query(UNITS, t=tenant)
    assert _names(stale) == []
    assert stale["data"]["tenant"]["projectedPosition"] < position
    # Asking for the position waits on the replica's tracking, not the primary's
    # projector (which is through it): it says the read models have not reached it.
    refused = d.query(WAITED, t=tenant, p=position)
    assert refused["data"] == {"tenant": None}
    assert refused["errors"][0]["extensions"]["code"] == "NOT_YET_PROJECTED"
    d.replica.resume()
    served = d.query(WAITED, t=tenant, p=position)
    assert _names(served) == ["光明乳业"]
    assert served["data"]["tenant"]["projectedPosition"] >= position


def test_a_wait_begun_while_the_replica_lags_answers_once_it_replays(
    deployment: Deployment,
) -> None:
    d, tenant = deployment, deployment.api.tenant
    d.platform.read_wait = 120.0  # the wait ends when the replica replays, not by time
    d.replica.pause()
    position = d.api.t("/units", {"name": "邮政支局", "kind": "enterprise"}, 201)["position"]
    # Seen by the request's polls of the replica's tracking: the wait is under way.
    tracking, polled = d.platform.read_tracking, threading.Event()
    seen: list[int] = []

    def position_polled(tenant_id: str) -> int:
        at = type(tracking).position(tracking, tenant_id)
        seen.append(at)
        polled.set()
        return at

    tracking.position = position_polled  # type: ignore[method-assign]
    answers: list[dict[str, Any]] = []
    waiting = threading.Thread(target=lambda: answers.append(d.query(WAITED, t=tenant, p=position)))
    waiting.start()
    assert polled.wait(60), "the request never polled the replica"
    assert seen[0] < position  # it found the replica behind, and kept waiting
    d.replica.resume()
    waiting.join(120)
    assert not waiting.is_alive()
    assert "errors" not in answers[0], answers[0]
    assert _names(answers[0]) == ["邮政支局"]
    assert seen[-1] >= position


def test_a_position_beyond_the_primary_head_is_refused_not_waited_for(
    deployment: Deployment,
) -> None:
    d, tenant = deployment, deployment.api.tenant
    head = queries.head_position(d.platform.engine, tenant)
    refused = d.query(WAITED, t=tenant, p=head + 1)
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # A position on the primary that the paused replica lacks is waited for, not refused.
    d.replica.pause()
    position = d.api.t("/units", {"name": "第一小学", "kind": "enterprise"}, 201)["position"]
    assert queries.head_position(d.platform.read_engine, tenant) < position
    lagging = d.query(WAITED, t=tenant, p=position)
    assert lagging["errors"][0]["extensions"]["code"] == "NOT_YET_PROJECTED"


def test_the_replica_pool_is_measured_and_readiness_asks_the_replica(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api import metrics

    monkeypatch.setenv(metrics.TOKEN_SETTING, "s3cret-metrics-token-for-tests")
    client = TestClient(create_app(deployment.platform))
    assert client.get("/readyz").status_code == 200
    deployment.query(UNITS, t=deployment.api.tenant)
    scraped = client.get(
        "/metrics", headers={"Authorization": "Bearer s3cret-metrics-token-for-tests"}
    ).text
    assert 'gongjian_db_pool_size{pool="replica"}' in scraped
    assert 'gongjian_db_pool_size{pool="primary"}' in scraped


def test_readiness_fails_while_the_replica_does_not_answer(postgres_engine: Any) -> None:
    from tests.integration.servers import free_port

    # Nothing listens there: the replica is down.
    down = make_engine(f"postgresql://postgres@127.0.0.1:{free_port()}/gongjian")
    client = TestClient(create_app(Platform(postgres_engine, down, embedded=False)))
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["detail"] == "the read replica does not answer"
