"""The evaluation scoring sheet in a browser: the street opens an evaluation of a
community, fills the sheet while the exact weighted total follows what is typed,
finalises, and the page's total is the API's; the ranking shows it. A member unit
appeals its community's evaluation and the community reopens it for rescoring.

This module alone opens 2026H2 evaluations (the demo's are 2026H1)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS, DemoServer, screenshot, sign_in

STREET, KANGJIAN = "fenglin", "fenglin-kangjian"
PERIOD = "2026H2"
WEIGHTS = {"inspection": Decimal("0.6"), "self": Decimal("0.2"), "residents": Decimal("0.2")}
SOURCE_LABELS = {"inspection": "街道实地检查", "self": "社区自评", "residents": "居民评议"}
HOSPITAL = "区第一人民医院党委"  # the demo liaison's unit


def graphql(server: DemoServer, role: str, query: str, **variables: Any) -> dict[str, Any]:
    """Ask the API directly, with the demo token of ``role``."""
    return server.graphql(server.tokens[role], query, **variables)


def post(server: DemoServer, role: str, tenant: str, path: str, body: dict[str, Any]) -> Any:
    """Send a REST command as an integrator would."""
    return server.post(server.tokens[role], f"tenants/{tenant}/{path}", body)


EVALUATION = """query($t: ID!, $e: ID!) { tenant(id: $t) { evaluation(id: $e) {
  status weightedTotal sources { sourceId total } items { id labelZh maxPoints } } } }"""


def recorded(server: DemoServer, role: str, tenant: str, evaluation: str) -> dict[str, Any]:
    """The evaluation as the API answers it."""
    found: dict[str, Any] = graphql(server, role, EVALUATION, t=tenant, e=evaluation)["tenant"][
        "evaluation"
    ]
    return found


def points_for(k: int, m: int, max_points: Decimal) -> Decimal:
    """What the test types for item k and source m: a little under the maximum."""
    return max(max_points - Decimal((k + m) % 4) / 4, Decimal(0))


def test_the_scoring_sheet_reaches_a_finalised_total_that_matches_the_api(
    page: Page, demo_server: DemoServer
) -> None:
    sign_in(page, demo_server.url, demo_server.tokens["street_admin"])
    page.get_by_role("link", name="考评社区").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("枫林街道的考评")
    screenshot(page, "evaluation-list")

    # Open the street's 2026H2 evaluation of 康健社区 with the demo rubric and sources.
    form = page.locator("form[data-command='open-evaluation']")
    form.get_by_label("考评对象").select_option(label="康健社区")
    form.get_by_label("考评期间").fill(PERIOD)
    form.get_by_label("考评细则").select_option(index=1)
    form.get_by_role("button", name="开展考评").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"康健社区 {PERIOD} 考评")
    expect(page.locator("dd.status")).to_have_text("评分中")
    evaluation = page.url.rsplit("/", 1)[-1]
    items = recorded(demo_server, "street_admin", STREET, evaluation)["items"]
    assert len(items) == 23
    total = page.get_by_role("status")
    expect(total).to_contain_text("加权总分：0")
    expect(total).to_contain_text("尚有 69 项未评分")
    # The commitment item shows the satisfaction figure computed from the records.
    expect(page.locator("tr[data-item]").filter(has_text="群众满意率达90%")).to_contain_text(
        "承诺群众满意率"
    )

    # A score over the item's maximum is said beside it and counts for nothing.
    first = items[0]
    cell = page.get_by_label(f"{first['labelZh']}：街道实地检查得分（满分{first['maxPoints']}）")
    cell.fill("9")
    expect(page.get_by_text(f"不能超过满分 {first['maxPoints']}")).to_be_visible()
    expect(total).to_contain_text("加权总分：0")

    # Fill the sheet; the total follows, exactly as the domain computes it.
    expected = Decimal(0)
    for k, item in enumerate(items):
        for m, (source, weight) in enumerate(WEIGHTS.items()):
            points = points_for(k, m, Decimal(item["maxPoints"]))
            label = f"{item['labelZh']}：{SOURCE_LABELS[source]}得分（满分{item['maxPoints']}）"
            page.get_by_label(label).fill(str(points))
            expected += weight * points
        if k == 0:
            # Σ weight × points of the first item: the live total after one row.
            expect(total).to_contain_text(f"加权总分：{expected}")
    expect(total).to_contain_text(f"加权总分：{expected}")
    expect(total).to_contain_text("已全部评分")
    expect(page.locator("input[aria-invalid]")).to_have_count(0)
    screenshot(page, "scoring-sheet")
    readme_picture(page)

    page.get_by_role("button", name="保存并定稿").click()
    # 69 scores are 69 commands, sent one after the other: allow them the time.
    expect(page.locator("dd.status")).to_have_text("已定稿", timeout=60_000)
    shown = page.locator("#weighted-total").text_content()
    final = recorded(demo_server, "street_admin", STREET, evaluation)
    assert final["status"] == "final"
    assert shown == final["weightedTotal"] == str(expected)
    # Each source's total on the page is the API's.
    foot = page.locator("table.sheet tfoot td")
    for n, source in enumerate(final["sources"]):
        expect(foot.nth(n)).to_have_text(source["total"])
    expect(page.get_by_label(f"{first['labelZh']}：街道实地检查得分（满分6）")).to_have_count(0)

    # An inspection finding to put right by a deadline.
    rectify = page.locator("form[data-command='require-rectification']")
    rectify.get_by_label("问题", exact=True).fill("党员活动室开放时间未公示")
    rectify.get_by_label("责任人").fill("社区党委")
    rectify.get_by_label("整改期限").fill("2027-01-31")
    rectify.get_by_role("button", name="提出整改要求").click()
    row = page.locator("tr[data-rectification]").filter(has_text="党员活动室开放时间未公示")
    expect(row).to_contain_text("整改中")
    screenshot(page, "scoring-sheet-final")

    # The ranking: this period's one finalised evaluation, then the demo's 2026H1.
    page.get_by_role("link", name="街道与社区").first.click()
    page.get_by_role("link", name="考评排名").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"枫林街道 {PERIOD} 社区考评排名")
    ranking = page.get_by_role("table")
    expect(ranking.locator("tbody tr")).to_have_count(1)
    expect(ranking.locator("tbody tr")).to_contain_text(f"1康健社区{expected}")
    page.get_by_role("combobox", name="考评期间").fill("2026H1")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("枫林街道 2026H1 社区考评排名")
    ranked = graphql(demo_server, "street_admin",
                     "query($t: ID!) { tenant(id: $t) { ranking(period: \"2026H1\") { rank subjectName weightedTotal } } }",
                     t=STREET)["tenant"]["ranking"]  # fmt: skip
    rows = ranking.locator("tbody tr")
    expect(rows).to_have_count(len(ranked))
    for n, entry in enumerate(ranked):
        expect(rows.nth(n)).to_have_text(
            f"{entry['rank']}{entry['subjectName']}{entry['weightedTotal']}"
        )
    screenshot(page, "ranking")


def readme_picture(page: Page) -> None:
    """The office-screen view of a filled sheet, for the README (docs/images/ holds a
    copy made by hand: cp test-output/screenshots/scoring-sheet-office.png docs/images/scoring-sheet.png)."""
    page.evaluate("window.scrollTo(0, 0)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "scoring-sheet-office.png"))


def unit_evaluation(server: DemoServer) -> str:
    """康健社区's finalised 2026H2 evaluation of the liaison's unit, made through the API."""
    units = graphql(server, "community_secretary",
                    "query($t: ID!) { tenant(id: $t) { units(first: 50) { nodes { id name } } } }",
                    t=KANGJIAN)["tenant"]["units"]["nodes"]  # fmt: skip
    unit = next(u["id"] for u in units if u["name"] == HOSPITAL)
    rubric = post(server, "community_secretary", KANGJIAN, "rubrics",
                  {"name": "成员单位共驻共建考评", "template": "six_in_one"})["record_id"]  # fmt: skip
    post(server, "community_secretary", KANGJIAN, f"rubrics/{rubric}/publication", {"revision": 1})
    evaluation = post(server, "community_secretary", KANGJIAN, "evaluations", {
        "subject_kind": "member_unit", "subject_id": unit, "period": PERIOD, "rubric_id": rubric,
        "revision": 1, "sources": [{"id": "community", "label": "社区评议", "weight": "1"}],
    })["record_id"]  # fmt: skip
    items = recorded(server, "community_secretary", KANGJIAN, evaluation)["items"]
    for item in items:
        post(server, "community_secretary", KANGJIAN, f"evaluations/{evaluation}/scores",
             {"item_id": item["id"], "source_id": "community", "points": item["maxPoints"]})  # fmt: skip
    post(server, "community_secretary", KANGJIAN, f"evaluations/{evaluation}/finalisation", {})
    post(server, "community_secretary", KANGJIAN, f"evaluations/{evaluation}/rectifications", {
        "rectification_id": "r1", "problem": "共建活动台账不全", "responsible": "医院党委办公室",
        "deadline": "2027-01-15",
    })  # fmt: skip
    return str(evaluation)


def test_a_unit_appeals_and_the_community_reopens_the_evaluation(
    page: Page, demo_server: DemoServer
) -> None:
    evaluation = unit_evaluation(demo_server)
    sheet = f"#/tenants/{KANGJIAN}/evaluations/{evaluation}"
    sign_in(page, demo_server.url, demo_server.tokens["unit_liaison"], sheet)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{HOSPITAL} {PERIOD} 考评")
    expect(page.locator("dd.status")).to_have_text("已定稿")
    expect(page.locator("#weighted-total")).to_have_text("100")
    appeal = page.locator("form[data-command='appeal']")
    appeal.get_by_label("申诉理由").fill("“结对帮扶”一项的走访记录已提交，未计入得分")
    appeal.get_by_role("button", name="提出申诉").click()
    expect(page.locator("dd.status")).to_have_text("申诉中")
    screenshot(page, "scoring-sheet-appealed")
    assert (
        recorded(demo_server, "community_secretary", KANGJIAN, evaluation)["status"] == "appealed"
    )
    # The liaison may not resolve its own appeal (the policy: only the evaluator's
    # managers), so it is not offered the form; the evaluator's secretary is, below.
    expect(page.locator("form[data-command='report-rectification']")).to_be_visible()
    expect(page.locator("form[data-command='resolve-appeal']")).to_have_count(0)

    # The unit reports its rectification done, with evidence.
    report = page.locator("form[data-command='report-rectification']")
    report.get_by_label("整改事项").select_option(label="共建活动台账不全")
    report.get_by_label("整改情况及佐证").fill("已补齐2026年下半年共建活动台账")
    report.get_by_role("button", name="报告整改完成").click()
    rectification = page.locator("tr[data-rectification='r1']")
    expect(rectification).to_contain_text("待核验")

    # The community's secretary reopens it; a changed score then needs a reason.
    page.get_by_role("button", name="退出").click()
    sign_in(page, demo_server.url, demo_server.tokens["community_secretary"], sheet)
    resolve = page.locator("form[data-command='resolve-appeal']")
    resolve.get_by_label("处理结果").select_option(label="重新评分")
    resolve.get_by_label("处理理由").fill("核实走访记录后重新评分")
    resolve.get_by_role("button", name="处理申诉").click()
    expect(page.locator("dd.status")).to_have_text("评分中")
    cell = page.locator("input.score").first
    cell.fill("5")
    expect(page.locator("#weighted-total")).to_have_text("99")
    page.get_by_role("button", name="保存评分").click()
    expect(page.locator("form[data-command='scores'] > p[role=alert]")).to_have_text(
        "此操作须填写理由。"
    )
    expect(cell).to_have_value("5")
    page.get_by_label("修改理由").fill("复核后扣一分")
    page.get_by_role("button", name="保存并定稿").click()
    expect(page.locator("dd.status")).to_have_text("已定稿")
    expect(page.locator("#weighted-total")).to_have_text("99")
    final = recorded(demo_server, "community_secretary", KANGJIAN, evaluation)
    assert final["weightedTotal"] == "99"
    # The secretary verifies the reported rectification and closes it.
    close = page.locator("form[data-command='close-rectification']")
    close.get_by_label("整改事项").select_option(label="共建活动台账不全")
    close.get_by_label("核验情况").fill("已查阅台账原件")
    close.get_by_role("button", name="核验销号").click()
    expect(rectification).to_contain_text("已销号")
    expect(rectification).to_contain_text("已查阅台账原件")
    screenshot(page, "scoring-sheet-reopened")

    # In English, every label comes from the catalogue (no key shows through).
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Scoring sheet")).to_be_visible()
    expect(page.locator("dd.status")).to_have_text("Finalised")
    expect(page.locator("main")).not_to_contain_text("scoring.")
    screenshot(page, "scoring-sheet-english")
