"""The resolution tracker in a browser: a secretary finds an open resolution (overdue
ones first), the hospital's liaison reports it done with an evidence file uploaded
from the page, the secretary reports for the party committee and verifies it, and
the page and the API both say verified; another resolution's completion report is
returned with a reason. Downloads (evidence, the resolution notice PDF) go through
the page with the bearer token."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import FilePayload, Locator, Page, expect

from tests.browser.conftest import OFFICE, DemoServer, screenshot, sign_in, sign_out

KANGJIAN = "fenglin-kangjian"
PARTY, HOSPITAL = "社区党委", "区第一人民医院党委"
EVIDENCE = b"%PDF-1.4\n% acceptance sheet of the summer care programme\n%%EOF\n"


def graphql(server: DemoServer, query: str, **variables: Any) -> dict[str, Any]:
    """A GraphQL answer's data, read with the secretary's token as an integrator would."""
    return server.graphql(server.tokens["community_secretary"], query, **variables)


@pytest.fixture(scope="module")
def in_progress(demo_server: DemoServer) -> list[dict[str, Any]]:
    """The community's resolutions in progress when the module starts (the hospital's
    and the party committee's in the demo), soonest deadline first: the last is
    followed to verified, the first has a report returned."""
    query = """query($t: ID!) { tenant(id: $t) { resolutions(first: 50, status: IN_PROGRESS) {
      nodes { id title action deadline overdue meeting { id title } } } } }"""
    found = graphql(demo_server, query, t=KANGJIAN)["tenant"]["resolutions"]["nodes"]
    assert len(found) >= 2, found
    return sorted(found, key=lambda r: str(r["deadline"]))


def recorded(server: DemoServer, resolution: str) -> dict[str, Any]:
    query = """query($t: ID!, $r: ID!) { tenant(id: $t) { resolution(id: $r) { status
      completedByUnitIds executionReports { kind note returnedReason files { sha256 name } } } } }"""
    found: dict[str, Any] = graphql(server, query, t=KANGJIAN, r=resolution)["tenant"]["resolution"]
    return found


def report_form(page: Page, unit: str, kind: str, note: str) -> Locator:
    form = page.locator("form[data-command='report']")
    form.get_by_label("成员单位").select_option(label=unit)
    form.get_by_label("报告类型").select_option(label=kind)
    form.get_by_label("落实情况").fill(note)
    return form


def send(form: Locator) -> None:
    form.get_by_role("button", name="报告落实情况").click()


def test_a_resolution_is_followed_to_verified(
    page: Page, demo_server: DemoServer, in_progress: list[dict[str, Any]], tmp_path: Path
) -> None:
    resolutions, chosen = in_progress, in_progress[-1]
    secretary = demo_server.tokens["community_secretary"]

    # The secretary goes from the tenant tree to the community's tracker.
    sign_in(page, demo_server.url, secretary)
    page.locator(f"tr[data-tenant='{KANGJIAN}']").get_by_role("link", name="决议落实跟踪").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("康健社区决议落实跟踪")
    rows = page.locator("#resolutions tbody tr")
    expect(rows.first).to_be_visible()
    # Overdue first: every overdue row comes before the first one that is not.
    overdue = [r for r in resolutions if r["overdue"]]
    for index in range(len(overdue)):
        expect(rows.nth(index)).to_contain_text("已逾期")
    screenshot(page, "resolution-tracker-list")
    # Filtered to the hospital's open resolutions, as the address then says.
    filters = page.get_by_role("search", name="筛选决议")
    filters.get_by_label("责任单位").select_option(label=HOSPITAL)
    filters.get_by_label("状态").select_option(label="未办结")
    expect(rows).to_have_count(len(resolutions))
    expect(page.get_by_role("status")).to_contain_text(f"显示{len(resolutions)}项")
    address = page.evaluate("location.hash")
    assert "unit=" in address and "status=open" in address
    row = page.locator(f"tr[data-resolution='{chosen['id']}']")
    expect(row).to_contain_text("落实中")
    expect(row).to_contain_text(HOSPITAL)
    meeting = chosen["meeting"]
    expect(row.get_by_role("link", name=meeting["title"])).to_have_attribute(
        "href", f"#/tenants/{KANGJIAN}/meetings/{meeting['id']}"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= OFFICE["width"]
    screenshot(page, "resolution-tracker-filtered")
    row.get_by_role("link", name=chosen["action"]).click()
    facts = page.locator("#resolution-facts")
    expect(page.get_by_role("heading", level=1)).to_have_text(chosen["title"])
    expect(facts).to_contain_text("落实中")
    detail = page.evaluate("location.hash")

    # The hospital's liaison reports completion with the acceptance sheet attached.
    sign_out(page)
    sign_in(page, demo_server.url, demo_server.tokens["unit_liaison"], detail)
    # Not for another unit: refused in Chinese, and what was typed stays.
    form = report_form(page, PARTY, "进展", "代社区党委报告")
    send(form)
    expect(form.get_by_role("alert")).to_have_text("您的角色无权执行此操作。")
    expect(form.get_by_label("落实情况")).to_have_value("代社区党委报告")
    form = report_form(page, HOSPITAL, "已完成", "托管班已全部开班，验收合格")
    sheet: FilePayload = {
        "name": "托管验收签到表.pdf",
        "mimeType": "application/pdf",
        "buffer": EVIDENCE,
    }
    form.get_by_label("证明材料文件").set_input_files(files=[sheet])
    send(form)
    report = page.locator("ol.reports > li[data-kind='completed']", has_text=HOSPITAL)
    expect(report).to_contain_text("托管班已全部开班，验收合格")
    expect(report).to_contain_text("单位联络员")
    evidence = report.get_by_role("link", name="下载 托管验收签到表.pdf")
    with page.expect_download() as downloaded:
        evidence.click()
    saved = tmp_path / "evidence.pdf"
    downloaded.value.save_as(saved)
    assert downloaded.value.suggested_filename == "托管验收签到表.pdf"
    assert saved.read_bytes() == EVIDENCE
    expect(facts).to_contain_text(f"{HOSPITAL}（已报完成）")

    # The secretary reports for the party committee, then verifies.
    sign_out(page)
    sign_in(page, demo_server.url, secretary, detail)
    send(report_form(page, PARTY, "已完成", "方案已实施完毕"))
    expect(facts).to_contain_text("待核验")
    page.locator("form[data-command='verify']").get_by_role("button").click()
    expect(facts).to_contain_text("已核验")
    expect(facts).to_contain_text("社区书记")
    expect(page.locator("form[data-command='report']")).to_have_count(0)
    with page.expect_download() as notice:
        page.get_by_role("link", name="下载决议通知（PDF）").click()
    pdf = tmp_path / "notice.pdf"
    notice.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    screenshot(page, "resolution-detail-verified")

    # The API says what the page says: verified, with the uploaded file attached.
    found = recorded(demo_server, chosen["id"])
    assert found["status"] == "verified"
    files = [f for r in found["executionReports"] for f in r["files"]]
    assert files == [{"sha256": hashlib.sha256(EVIDENCE).hexdigest(), "name": "托管验收签到表.pdf"}]
    # And the tracker lists it as verified.
    page.get_by_role("navigation", name="当前位置").get_by_role("link", name="决议落实跟踪").click()
    page.get_by_role("search").get_by_label("状态").select_option(label="已核验")
    expect(page.locator(f"tr[data-resolution='{chosen['id']}']")).to_contain_text("已核验")


def test_a_completion_report_is_returned_with_a_reason(
    page: Page, demo_server: DemoServer, in_progress: list[dict[str, Any]]
) -> None:
    chosen = in_progress[0]  # the earliest deadline (overdue in the demo)
    # From the meeting list's header to the tracker, then the resolution.
    sign_in(page, demo_server.url, demo_server.tokens["community_secretary"],
            f"#/tenants/{KANGJIAN}/meetings")  # fmt: skip
    page.get_by_role("main").get_by_role("link", name="决议落实跟踪").click()
    page.locator(f"tr[data-resolution='{chosen['id']}']").get_by_role(
        "link", name=chosen["action"]
    ).click()
    facts = page.locator("#resolution-facts")
    expect(page.get_by_role("heading", level=1)).to_have_text(chosen["title"])
    send(report_form(page, HOSPITAL, "已完成", "助餐点已开业"))
    expect(facts).to_contain_text(f"{HOSPITAL}（已报完成）")
    back = page.locator("form[data-command='return']")
    back.get_by_label("成员单位").select_option(label=HOSPITAL)
    back.get_by_label("退回理由").fill("缺少消防验收材料，请补充后重报")
    back.get_by_role("button").click()
    report = page.locator("ol.reports > li[data-kind='completed']", has_text=HOSPITAL)
    expect(report).to_contain_text("已退回：缺少消防验收材料，请补充后重报")
    expect(facts).not_to_contain_text("（已报完成）")
    expect(facts).to_contain_text("落实中")
    expect(page.locator("form[data-command='return']")).to_have_count(0)
    screenshot(page, "resolution-detail-returned")

    found = recorded(demo_server, chosen["id"])
    assert found["status"] == "in_progress" and found["completedByUnitIds"] == []
    returned = [r["returnedReason"] for r in found["executionReports"] if r["kind"] == "completed"]
    assert returned == ["缺少消防验收材料，请补充后重报"]
