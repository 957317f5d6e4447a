"""The demo data set loads, verifies and reads back as a street secretary expects."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.platform import Platform, migrate
from tenants.demo.access import issue_demo_tokens
from tenants.demo.meetings import load_demo
from tenants.store.database import make_engine
from tenants.store.verify import all_tenant_ids, verify_tenant

QUERY = """{ tenant(id: "fenglin") { name communities(first: 10) { totalCount nodes { id name
  units(first: 10) { nodes { name kindLabel representative { name } } }
  meetings(first: 10) { nodes { title kindLabel status minutes
    agenda { title outcome kind } attendance { status } } }
  resolutions(first: 20) { nodes { title status overdue executionReports { kind } } }
  overdue: resolutions(overdue: true) { nodes { title } } } } } }"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Platform:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / Path('demo.db')}")
    migrate(engine)
    platform = Platform(engine, embedded=True)
    load_demo(platform.ledgers, platform.report_figures)
    platform.projector.catch_up_all()
    return platform


@pytest.fixture(scope="module")
def auditor(demo: Platform) -> dict[str, str]:
    """The demo's auditor token: the street and its communities, read-only."""
    tokens = {t.role: t.token for t in issue_demo_tokens(demo.pipeline)}
    return {"Authorization": f"Bearer {tokens['auditor']}"}


def test_the_demo_logs_verify(demo: Platform) -> None:
    tenants = all_tenant_ids(demo.engine)
    assert len(tenants) == 4
    assert all(verify_tenant(demo.engine, t) is None for t in tenants)


def test_the_demo_reads_back_through_graphql(demo: Platform, auditor: dict[str, str]) -> None:
    client = TestClient(create_app(demo))
    data = client.post("/graphql", json={"query": QUERY}, headers=auditor).json()["data"]["tenant"]
    assert data["name"] == "枫林街道"
    communities = data["communities"]["nodes"]
    assert data["communities"]["totalCount"] == 3
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
        assert any(u["kindLabel"] == "驻区部队" for u in community["units"]["nodes"])


FOLLOW_UP = """{ tenant(id: "fenglin") {
  ranking(period: "2026H1") { rank subjectId weightedTotal }
  evaluations(period: "2026H1") { totalCount nodes { statusLabel
    items { indicator indicatorFigure { denominator } } } }
  communities(first: 5) { nodes { id commitmentSatisfaction(period: "2026H1") { rate meetsTarget }
    participation(asOf: "2026-11-20") { members { rate meetsTarget } collectiveActivityWithinTwoMonths }
    commitments { nodes { statusLabel milestones { percent } } }
    members { nodes { memberClassLabel confirmedHours claims(activeOnly: true) { postId } } }
    posts(first: 20) { nodes { holders { name } } } } } } }"""


def test_the_demo_has_commitments_members_posts_and_a_ranked_evaluation(
    demo: Platform, auditor: dict[str, str]
) -> None:
    client = TestClient(create_app(demo))
    data = client.post("/graphql", json={"query": FOLLOW_UP}, headers=auditor).json()["data"][
        "tenant"
    ]
    ranking = data["ranking"]
    assert [r["rank"] for r in ranking] == [1, 2, 3]
    assert len({r["weightedTotal"] for r in ranking}) == 3
    evaluations = data["evaluations"]["nodes"]
    assert len(evaluations) == data["evaluations"]["totalCount"] == 3
    assert all(e["statusLabel"] == "已定稿" for e in evaluations)
    figures = [i["indicatorFigure"] for e in evaluations for i in e["items"] if i["indicator"]]
    assert figures and all(f is not None and f["denominator"] > 0 for f in figures)
    communities = data["communities"]["nodes"]
    meets = {c["id"]: c["participation"]["members"]["meetsTarget"] for c in communities}
    assert set(meets.values()) == {True, False}, "the demo shows communities on both sides of 60%"
    for community in communities:
        assert community["participation"]["collectiveActivityWithinTwoMonths"] is True
        assert all(m["milestones"][0]["percent"] == 100 for m in community["commitments"]["nodes"])
        members = community["members"]["nodes"]
        assert {m["memberClassLabel"] for m in members} >= {"在职党员", "离退休党员"}
        assert any(m["claims"] for m in members) and any(
            p["holders"] for p in community["posts"]["nodes"]
        )


def test_the_street_meets_twice_and_decides_by_majority(
    demo: Platform, auditor: dict[str, str]
) -> None:
    client = TestClient(create_app(demo))
    query = '{ tenant(id: "fenglin") { charter { decisionRuleLabel } meetings { nodes { title agenda { outcome tally { object } } } } } }'
    street = client.post("/graphql", json={"query": query}, headers=auditor).json()["data"][
        "tenant"
    ]
    assert street["charter"]["decisionRuleLabel"] == "过半数同意"
    meetings = street["meetings"]["nodes"]
    assert [m["title"] for m in meetings] == [
        "2026年下半年街道党建协调委员会",
        "2026年上半年街道党建协调委员会",
    ]
    decided = [i for m in meetings for i in m["agenda"] if i["outcome"]]
    assert decided and all(i["outcome"] == "agreed" for i in decided)
    assert any(i["tally"]["object"] == 1 for i in decided), "an objection did not block a majority"


def test_the_demo_answers_a_search_for_a_word(demo: Platform, auditor: dict[str, str]) -> None:
    client = TestClient(create_app(demo))
    query = '{ search(query: "电梯") { totalCount nodes { kind tenantId title snippet } } }'
    found = client.post("/graphql", json={"query": query}, headers=auditor).json()["data"]
    kinds = {hit["kind"] for hit in found["search"]["nodes"]}
    assert {"AGENDA_ITEM", "RESOLUTION", "MINUTES"} <= kinds
    assert all("电梯" in hit["snippet"] for hit in found["search"]["nodes"])


AGREEMENTS = """{ tenant(id: "fenglin") { communities(first: 5) { nodes {
  agreements { nodes { term statusLabel lines(term: 1) { party fulfilment note } } } } } } }"""


def test_the_demo_has_agreements_renewed_running_and_ended(
    demo: Platform, auditor: dict[str, str]
) -> None:
    client = TestClient(create_app(demo))
    answer = client.post("/graphql", json={"query": AGREEMENTS}, headers=auditor).json()
    for community in answer["data"]["tenant"]["communities"]["nodes"]:
        agreements = community["agreements"]["nodes"]
        assert sorted((a["term"], a["statusLabel"]) for a in agreements) == [
            (1, "履行中"),
            (1, "已终止"),
            (2, "履行中"),
        ]
        ended = next(a for a in agreements if a["statusLabel"] == "已终止")
        assert {line["party"] for line in ended["lines"]} == {"unit", "community"}
        short = [line for line in ended["lines"] if line["fulfilment"] != "fulfilled"]
        assert short and all(line["note"] for line in short)


COMMENDATIONS = """{ tenant(id: "fenglin") { commendations(period: "2026H1") { nodes {
  kindLabel statusLabel nomineeId channelLabel evaluation { subjectId weightedTotal }
  member { memberClassLabel } } } } }"""


def test_the_demo_commends_after_its_2026h1_evaluation(
    demo: Platform, auditor: dict[str, str]
) -> None:
    client = TestClient(create_app(demo))
    data = client.post("/graphql", json={"query": COMMENDATIONS}, headers=auditor).json()
    found = data["data"]["tenant"]["commendations"]["nodes"]
    assert [(c["kindLabel"], c["statusLabel"]) for c in found] == [
        ("先进基层党组织", "已公布"),
        ("优秀共产党员", "已公布"),
        ("优秀共产党员", "未批准"),
    ]
    organisation, member, direct = found
    # The commended community is the one its evaluation ranked first.
    ranking = client.post(
        "/graphql",
        json={"query": '{ tenant(id: "fenglin") { ranking(period: "2026H1") { subjectId } } }'},
        headers=auditor,
    ).json()["data"]["tenant"]["ranking"]
    assert organisation["nomineeId"] == ranking[0]["subjectId"]
    assert organisation["evaluation"]["subjectId"] == organisation["nomineeId"]
    assert member["member"] is not None and member["evaluation"] is not None
    assert direct["evaluation"] is None and direct["channelLabel"] is None


PLENARY = """{ tenant(id: "fenglin-kangjian") {
  council { seats { officeLabel unit { name } } resolution { title meeting { kind } }
    history { type } }
  workDocuments(first: 5) { nodes { kindLabel period title resolution { title }
    items { id text responsibleUnit { name } due } } }
  meetings(first: 10) { nodes { kind chair { name } } } } }"""


def test_the_demo_plenary_confirms_the_council_and_adopts_the_work_documents(
    demo: Platform, auditor: dict[str, str]
) -> None:
    client = TestClient(create_app(demo))
    data = client.post("/graphql", json={"query": PLENARY}, headers=auditor).json()
    tenant = data["data"]["tenant"]
    council = tenant["council"]
    assert [s["officeLabel"] for s in council["seats"]] == ["理事长", "副理事长", "副理事长"] + [
        "理事"
    ] * 4
    assert council["seats"][0]["unit"]["name"] == "社区党委"
    assert council["resolution"]["title"] == "确认联席会议理事长、副理事长、理事名单"
    assert council["resolution"]["meeting"]["kind"] == "plenary"
    assert [e["type"] for e in council["history"]] == ["Confirmed"]
    documents = tenant["workDocuments"]["nodes"]
    assert [(d["kindLabel"], d["period"]) for d in documents] == [
        ("工作报告", "2025"),
        ("工作计划", "2026"),
    ]
    assert {d["resolution"]["title"] for d in documents} == {
        "审议2025年度工作报告和2026年度工作计划"
    }
    plan = documents[1]["items"]
    assert plan[0]["due"] == "2026-12-31" and plan[0]["responsibleUnit"]["name"] == "社区党委"
    # Every meeting records its chair: named at the plenary, the council's chair after.
    meetings = tenant["meetings"]["nodes"]
    assert {m["chair"]["name"] for m in meetings} == {"社区党委"}
    assert sorted(m["kind"] for m in meetings) == ["plenary", "regular", "regular", "regular"]


EVIDENCE = """{ tenant(id: "fenglin") {
  evidenceFiles { nodes { sha256 name mediaType attachments { recordType eventType } } }
  resolutions(first: 20) { nodes { executionReports { kind files {
    sha256 name mediaTypeLabel size downloadPath } } } } } }"""


def test_the_demo_attaches_a_scanned_sign_in_sheet_and_a_photo_to_a_report(
    demo: Platform, auditor: dict[str, str]
) -> None:
    client = TestClient(create_app(demo))
    street = client.post("/graphql", json={"query": EVIDENCE}, headers=auditor).json()["data"][
        "tenant"
    ]
    attached = [f for r in street["resolutions"]["nodes"] for e in r["executionReports"]
                for f in e["files"]]  # fmt: skip
    assert [(f["name"], f["mediaTypeLabel"]) for f in attached] == [
        ("现场验收签到表.pdf", "PDF 文件"),
        ("完工现场照片.png", "PNG 图片"),
    ]
    uploaded = street["evidenceFiles"]["nodes"]
    assert {f["sha256"] for f in uploaded} == {f["sha256"] for f in attached}
    assert all(f["attachments"] == [{"recordType": "Resolution", "eventType": "ExecutionReported"}]
               for f in uploaded)  # fmt: skip
    for file in attached:
        got = client.get(file["downloadPath"], headers=auditor)
        assert got.status_code == 200 and len(got.content) == file["size"]
        assert hashlib.sha256(got.content).hexdigest() == file["sha256"]
    sheet = client.get(attached[0]["downloadPath"], headers=auditor).content
    assert sheet.startswith(b"%PDF-") and sheet.rstrip().endswith(b"%%EOF")


REPORTS = """{ tenant(id: "fenglin") { receivedReports(period: "2026H1", first: 5) { nodes {
  communityId filedReportId statusLabel revision history { type reason }
  revisions { revision status filedOn reflectsPosition narrative { section }
    figures { meetingsHeld { kind count } resolutionsAdopted resolutionsVerified
      resolutionsOnTime { numerator denominator } resolutionsOverdue
      commitmentSatisfaction { numerator denominator }
      memberParticipation { denominator } } } } } } }"""
AS_FILED = """query($c: ID!, $p: Int) {
  then: tenant(id: $c, atPosition: $p) { commitmentSatisfaction(period: "2026H1") {
    numerator denominator } }
  now: tenant(id: $c) { upwardReports { nodes { revisions { figures {
    commitmentSatisfaction { numerator denominator } } } } } } }"""


def test_the_demo_communities_report_their_2026h1_upward_and_the_street_decides(
    demo: Platform, auditor: dict[str, str]
) -> None:
    client = TestClient(create_app(demo))
    data = client.post("/graphql", json={"query": REPORTS}, headers=auditor).json()
    received = data["data"]["tenant"]["receivedReports"]["nodes"]
    assert [(r["communityId"], r["statusLabel"], r["revision"]) for r in received] == [
        ("fenglin-yicun", "已确认", 1),
        ("fenglin-guilinyuan", "已确认", 1),
        ("fenglin-kangjian", "已确认", 2),
    ]
    returned = received[2]
    assert [h["type"] for h in returned["history"]] == [
        "Received", "Returned", "RevisionReceived", "Acknowledged"
    ]  # fmt: skip
    assert [(r["status"], len(r["narrative"])) for r in returned["revisions"]] == [
        ("returned", 1),
        ("acknowledged", 3),
    ]
    for report in received:
        figures = report["revisions"][-1]["figures"]
        # Two quarterly meetings in the half, the first the plenary; their two topic
        # resolutions and the plenary's two (the council, the work documents) all
        # verified by their deadlines, none overdue in early July.
        assert [m["count"] for m in figures["meetingsHeld"]] == [1, 1, 0]
        assert figures["resolutionsAdopted"] == figures["resolutionsVerified"] == 4
        assert figures["resolutionsOnTime"] == {"numerator": 4, "denominator": 4}
        assert figures["resolutionsOverdue"] == 0
        assert figures["memberParticipation"]["denominator"] > 0
        # The community read as of the position the figures reflect shows them too.
        position = report["revisions"][-1]["reflectsPosition"]
        variables = {"c": report["communityId"], "p": position}
        read = client.post("/graphql", json={"query": AS_FILED, "variables": variables},
                           headers=auditor).json()["data"]  # fmt: skip
        assert read["then"]["commitmentSatisfaction"] == figures["commitmentSatisfaction"]
        # The community's own record holds the same frozen figures as the street's copy.
        [filed] = read["now"]["upwardReports"]["nodes"]
        assert (
            filed["revisions"][-1]["figures"]["commitmentSatisfaction"]
            == (figures["commitmentSatisfaction"])
        )
