"""The demo data set loads, verifies and reads back as a street secretary expects."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.demo import load_demo
from api.platform import Platform
from tenants.database import make_engine
from tenants.migrate import migrate
from tenants.verify import all_tenant_ids, verify_tenant

QUERY = """{ tenant(id: "fenglin") { name communities { id name
  units { name kindLabel representative { name } }
  meetings(first: 10) { nodes { title kindLabel status minutes
    agenda { title outcome kind } attendance { status } } }
  resolutions(first: 20) { nodes { title status overdue executionReports { kind } } }
  overdue: resolutions(overdue: true) { nodes { title } } } } }"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Platform:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / Path('demo.db')}")
    migrate(engine)
    platform = Platform(engine, embedded=True)
    load_demo(platform)
    platform.projector.catch_up_all()
    return platform


def test_the_demo_logs_verify(demo: Platform) -> None:
    tenants = all_tenant_ids(demo.engine)
    assert len(tenants) == 4
    assert all(verify_tenant(demo.engine, t) is None for t in tenants)


def test_the_demo_reads_back_through_graphql(demo: Platform) -> None:
    client = TestClient(create_app(demo))
    data = client.post("/graphql", json={"query": QUERY}).json()["data"]["tenant"]
    assert data["name"] == "枫林街道"
    communities = data["communities"]
    assert {c["name"] for c in communities} == {"枫林一村社区", "桂林苑社区", "康健社区"}
    for community in communities:
        meetings = community["meetings"]["nodes"]
        assert len(meetings) == 4 and all(
            m["status"] == "closed" and m["minutes"] for m in meetings
        )
        outcomes = {i["outcome"] for m in meetings for i in m["agenda"]}
        assert {"agreed", "not_agreed"} <= outcomes
        statuses = {a["status"] for m in meetings for a in m["attendance"]}
        assert statuses == {"present", "on_leave", "absent_without_leave"}
        resolutions = community["resolutions"]["nodes"]
        assert {r["status"] for r in resolutions} == {"verified", "in_progress"}
        assert community["overdue"]["nodes"], "the demo shows some overdue resolutions"
        assert any(u["kindLabel"] == "驻区部队" for u in community["units"])
