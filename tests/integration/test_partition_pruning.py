"""Every statement on a per-tenant path reads or writes one partition of each
partitioned table it touches (PostgreSQL, 64 partitions, 2,000 tenants).

The test records every statement the application sends through psycopg (SQLAlchemy's
and any raw connection's alike) while it serves a realistic workload: commands over
REST, GraphQL pages of a tenant, projection, a rebuild and the verification of one
tenant. It then asks PostgreSQL to EXPLAIN each one with the parameters it was sent
with, and fails when a plan scans two or more partitions of one table.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, literal_column, select

from api import metrics
from api.app import create_app
from api.platform import Platform, migrate, pending_migrations
from projections.tables import tenants
from tenants.messages import COMMANDS
from tenants.pipeline.identity import SYSTEM
from tenants.store import partitions
from tenants.store.database import make_engine
from tenants.store.schema import events
from tenants.store.verify import verify_store, verify_tenant
from tests.api.conftest import MEETING_AT, READER, manager_token
from tests.conftest import POSTGRES_ADMIN_URL
from tests.integration.world import build_world

pytestmark = pytest.mark.postgres

PARTITIONS = 64
TENANTS = 2_000

# Statements that span every tenant by design, each known by a fragment of its text
# (on Citus each is a multi-shard query). Each reads one row or two per tenant.
CROSS_TENANT = {
    # The projection worker's search for work: the tenants whose head is past their
    # tracking, among all (Projector._lagging).
    "WHERE es_tenant_heads.position > coalesce((SELECT es_tracking.position": "search for work",
    # /metrics: projection lag over every tenant, and the parked ones (api.metrics).
    "FROM es_tenant_heads LEFT OUTER JOIN es_tracking": "metrics' projection lag",
}
# Statements that read several tenants they name in a list (an expanding parameter:
# one value per tenant): each may touch as many partitions of a table as the tenants
# it names, and no more.
NAMED_TENANTS = {
    # The state a GraphQL answer is cached under: a street's reader reads the street
    # and its communities (api.graphql.answers); anyone else, one tenant, with the
    # platform log's head in the same statement (its tenant named in a list of its own).
    "WHERE h.tenant_id IN (%(tenants_1)s": ("tenants_", "platform_"),
}


@dataclass(frozen=True)
class Statement:
    sql: str
    params: Any


class Recorder:
    """Records every statement psycopg sends while it is on."""

    def __init__(self) -> None:
        self.statements: list[Statement] = []
        self.on = False

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        original = psycopg.Cursor.execute

        def execute(cursor: psycopg.Cursor[Any], query: Any, params: Any = None, **kw: Any) -> Any:
            if self.on:
                self.statements.append(Statement(str(query), params))
            return original(cursor, query, params, **kw)

        monkeypatch.setattr(psycopg.Cursor, "execute", execute)


@pytest.fixture(scope="module")
def partitioned() -> Iterator[Engine]:
    """A store of 64 partitions holding 2,000 tenants, registered through the pipeline."""
    name = f"gongjian_private_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("GONGJIAN_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}")
    try:
        assert migrate(engine, partitions=PARTITIONS) == PARTITIONS
        platform = Platform(engine, embedded=False)
        register = COMMANDS["register_tenant"]
        for n in range(TENANTS):
            message = register.model_validate(
                {"tenant_id": f"bulk-{n:04d}", "kind": "street", "name": f"街道{n}"}
            )
            platform.pipeline.handle(SYSTEM, message, None)
        platform.projector.catch_up_all()
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_store_is_laid_out_in_64_partitions_and_counts_as_migrated(
    partitioned: Engine,
) -> None:
    with partitioned.connect() as conn:
        layouts = partitions.layouts(conn)
        bulk = events.c.tenant_id.like("bulk-%")
        spread = conn.execute(select(func.count(func.distinct(events.c.tenant_id))).where(bulk))
        used = conn.execute(
            select(func.count(func.distinct(literal_column("tableoid")))).where(bulk)
        )
        projected = conn.execute(
            select(func.count()).select_from(tenants).where(tenants.c.tenant_id.like("bulk-%"))
        )
        counts = spread.scalar(), used.scalar(), projected.scalar()
    assert layouts["es_events"] == layouts["es_tracking"] == layouts["rm_meetings"] == PARTITIONS
    assert layouts["rm_tenants"] == layouts["rm_schema_version"] == 0  # kept whole
    # 2,000 tenants hashed over 64 partitions: every partition holds some.
    assert counts == (TENANTS, PARTITIONS, TENANTS)
    assert pending_migrations(partitioned) == []
    bulk_tenants = [f"bulk-{n:04d}" for n in range(TENANTS)]
    assert all(audit.broken is None for audit in verify_store(partitioned, bulk_tenants))


def test_every_per_tenant_statement_touches_one_partition(
    partitioned: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder()
    recorder.install(monkeypatch)
    monkeypatch.setenv(metrics.TOKEN_SETTING, "scraper-of-the-test")
    # As deployed: commands answer, the projection worker projects.
    platform = Platform(partitioned, embedded=False, dev_tokens=True)
    client = TestClient(create_app(platform))
    tenant = f"pr-{uuid.uuid4().hex[:8]}"
    community = f"{tenant}-c"
    _register(client, tenant, community)  # not recorded: registering is the platform's
    recorder.on = True
    _commands(client, community)
    world = build_world(platform)  # every kind of record, through the command pipeline
    platform.projector.catch_up_all()
    _pages(client, tenant, community)
    _record_pages(client, world.street, world.a)
    scraped = client.get("/metrics", headers={"Authorization": "Bearer scraper-of-the-test"})
    assert scraped.status_code == 200, scraped.text
    platform.projector.rebuild(community)
    assert verify_tenant(partitioned, tenant) is None
    assert verify_tenant(partitioned, community) is None
    assert verify_tenant(partitioned, world.street) is None
    recorder.on = False
    monkeypatch.undo()

    statements = [s for s in recorder.statements if _is_query(s.sql)]
    assert len(statements) > 100  # the workload was recorded
    wide = _spanning(partitioned, statements)
    assert wide == [], "\n\n".join(wide)


def test_the_append_function_touches_one_partition_of_each_table(partitioned: Engine) -> None:
    # gongjian_append's own statements run inside PostgreSQL, unseen by psycopg:
    # auto_explain reports the plan of each, as a message to this client.
    plans: list[dict[str, Any]] = []
    url = partitioned.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url) as conn:
        conn.add_notice_handler(
            lambda notice: plans.append(_logged_plan(notice.message_primary or ""))
        )
        for setting in ("log_min_duration = 0", "log_nested_statements = on",
                        "log_format = json"):  # fmt: skip
            conn.execute("LOAD 'auto_explain'")
            conn.execute(f"SET auto_explain.{setting}")
        conn.execute("SET client_min_messages = log")
        tenant = f"fn-{uuid.uuid4().hex[:8]}"
        for key in ("first", "second"):  # a new tenant's head, then an existing one's
            conn.execute(
                "SELECT gongjian_append(%s, %s, %s, %s, %s, %s, %s, %s)",
                (tenant, [uuid.uuid4()], [1], ["t"], [b"{}"], key, "h", "{}"),
            )
        conn.rollback()
        parents: dict[str, str] = dict(conn.execute(_PARENTS).fetchall())
    nested = [plan for plan in plans if "es_" in plan.get("Query Text", "") and
              "gongjian_append" not in plan.get("Query Text", "")]  # fmt: skip
    # The head's lookup and update by tenant scan a partition, not the parent.
    assert any(relation in parents for plan in nested for relation in _relations(plan))
    # An INSERT's plan names the parent: each row is routed to its partition as it goes.
    assert {"es_events", "es_tenant_heads", "es_idempotency_keys"} <= {
        parents.get(relation, relation) for plan in nested for relation in _relations(plan)
    }
    for plan in nested:
        touched: dict[str, set[str]] = {}
        for relation in _relations(plan):
            if relation in parents:
                touched.setdefault(parents[relation], set()).add(relation)
        assert all(len(names) == 1 for names in touched.values()), plan["Query Text"]


def _logged_plan(message: str) -> dict[str, Any]:
    """The plan in auto_explain's message ('duration: ... plan:' then JSON)."""
    _, _, plan = message.partition("plan:")
    return json.loads(plan) if plan.strip() else {}


def _register(client: TestClient, street: str, community: str) -> None:
    streets = {street}
    body = {
        "tenant_id": street,
        "kind": "street",
        "name": "枫林街道",
        "charter": {"notice_days": 3},
    }
    _post(client, "/tenants", body, READER, 201)
    body = {"tenant_id": community, "kind": "community", "parent_id": street, "name": "康健社区"}
    _post(client, "/tenants", body, manager_token(street, streets), 201)


def _commands(client: TestClient, community: str) -> None:
    """A meeting's commands over REST, and a member registered twice under one key."""
    token = manager_token(community, set())
    at = f"/tenants/{community}"
    units = [
        _post(client, f"{at}/units", {"name": n, "kind": "enterprise"}, token, 201)["record_id"]
        for n in ("光明乳业", "邮政支局")
    ]
    meeting = _post(client, f"{at}/meetings", {"kind": "regular", "title": "九月例会",
                    "scheduled_for": MEETING_AT.isoformat(), "location": "会议室"},
                    token, 201)["record_id"]  # fmt: skip
    m = f"{at}/meetings/{meeting}"
    _post(client, f"{m}/agenda-items", {"title": "加装电梯", "item_id": "lift"}, token, 201)
    notice = (MEETING_AT - timedelta(days=5)).isoformat()
    _post(client, f"{m}/notice", {"issued_at": notice}, token)
    for unit in units:
        _post(client, f"{m}/sign-ins", {"unit_id": unit, "attendee": "代表"}, token)
    _post(client, f"{m}/open", {"chair_unit_id": units[0]}, token)
    for unit in units:
        _post(client, f"{m}/agenda-items/lift/positions", {"unit_id": unit, "position": "agree"},
              token)  # fmt: skip
    _post(client, f"{m}/agenda-items/lift/decision", {"action": "加装", "responsible_unit_ids":
          units[:1], "deadline": "2025-12-31"}, token)  # fmt: skip
    _post(client, f"{m}/close", {}, token)
    member = {"name": "党员", "member_class": "retired"}
    _post(client, f"{at}/members", member, token, 201, {"Idempotency-Key": "member-1"})
    _post(client, f"{at}/members", member, token, 201, {"Idempotency-Key": "member-1"})


def _pages(client: TestClient, street: str, community: str) -> None:
    """The GraphQL pages a secretary and a street admin read."""
    token = manager_token(community, set())
    for query in (
        "query($t: ID!) { tenant(id: $t) { name kindLabel headPosition projectedPosition"
        " units { nodes { name kindLabel } } members { nodes { name } } } }",
        "query($t: ID!) { tenant(id: $t) { meetings(first: 5) { nodes { title agenda { title"
        " positions { unitId } } attendance { status unit { name } } history { type } } } } }",
        "query($t: ID!) { tenant(id: $t) { resolutions { nodes { action status } }"
        " events(first: 5) { edges { node { position type } } } } }",
    ):
        _gql(client, query, community, token)
    street_admin = manager_token(street, {street})
    _gql(client, "query($t: ID!) { tenant(id: $t) { name communities { nodes { id name } } } }",
         street, street_admin)  # fmt: skip


def _record_pages(client: TestClient, street: str, community: str) -> None:
    """GraphQL lists of every other kind of record, as their tenants' managers."""
    lists = {
        community: "commitments members posts activities affairs agreements webhooks "
        "workDocuments evidenceFiles upwardReports",
        street: "rubrics evaluations commendations receivedReports communities",
    }
    for tenant, names in lists.items():
        fields = " ".join(f"{name} {{ pageInfo {{ hasNextPage }} }}" for name in names.split())
        query = (
            f"query($t: ID!) {{ tenant(id: $t) {{ {fields} changes {{ pageInfo {{ hasNextPage }} }}"
            ' search(query: "电梯") { pageInfo { hasNextPage } } } }'
        )
        _gql(client, query, tenant, manager_token(tenant, {street}))


def _post(client: TestClient, path: str, body: dict[str, Any], token: dict[str, str],
          status: int = 200, headers: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    response = client.post(path, json=body, headers={**token, **(headers or {})})
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result


def _gql(client: TestClient, query: str, tenant: str, token: dict[str, str]) -> None:
    response = client.post("/graphql", json={"query": query, "variables": {"t": tenant}},
                           headers=token)  # fmt: skip
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.json()


def _is_query(sql: str) -> bool:
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    return head in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


def _spanning(engine: Engine, statements: list[Statement]) -> list[str]:
    """The statements (not allowed to span tenants) whose plan touches two or more
    partitions of one table, each with the partitions it touches."""
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    found: dict[str, str] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        parents: dict[str, str] = dict(conn.execute(_PARENTS).fetchall())
        for statement in statements:
            if any(fragment in statement.sql for fragment in CROSS_TENANT):
                continue
            most = next(
                (sum(key.startswith(prefixes) for key in statement.params)
                 for fragment, prefixes in NAMED_TENANTS.items() if fragment in statement.sql),
                1,
            )  # fmt: skip
            row = conn.execute(f"EXPLAIN (FORMAT JSON) {statement.sql}", statement.params)
            plan = row.fetchone()
            assert plan is not None
            touched: dict[str, set[str]] = {}
            for relation in _relations(
                plan[0] if isinstance(plan[0], list) else json.loads(plan[0])
            ):
                if relation in parents:
                    touched.setdefault(parents[relation], set()).add(relation)
            over = {table: names for table, names in touched.items() if len(names) > most}
            if over:
                summary = ", ".join(f"{table}: {len(names)}" for table, names in over.items())
                found.setdefault(statement.sql, f"{summary} partitions\n{statement.sql}")
    return list(found.values())


_PARENTS = "SELECT inhrelid::regclass::text, inhparent::regclass::text FROM pg_inherits"


def _relations(node: Any) -> Iterator[str]:
    """Every relation a plan (EXPLAIN's JSON) scans or modifies."""
    if isinstance(node, dict):
        if "Relation Name" in node:
            yield str(node["Relation Name"])
        for value in node.values():
            yield from _relations(value)
    elif isinstance(node, list):
        for value in node:
            yield from _relations(value)
