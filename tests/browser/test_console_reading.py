"""Reading in the console: a secretary signs in and sees the tenant tree in Chinese; a
principal of another community sees nothing of it; the English toggle; a refused
token is said in Chinese and what was typed stays."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoServer, screenshot, sign_in

KANGJIAN = "fenglin-kangjian"


def test_a_secretary_sees_the_tenant_tree_in_chinese(page: Page, demo_server: DemoServer) -> None:
    sign_in(page, demo_server.url, demo_server.tokens["community_secretary"])
    expect(page.get_by_role("heading", level=1)).to_have_text("街道与社区")
    row = page.locator(f"tr[data-tenant='{KANGJIAN}']")
    expect(row.get_by_role("link", name="康健社区")).to_be_visible()
    # The demo's figures for 康健社区: every member served, every rating satisfied.
    expect(row).to_contain_text("100% (4/4)")
    expect(row).to_contain_text("100% (24/24)")
    # A secretary reads its own community only: no other community, no street.
    expect(page.locator("tr[data-tenant]")).to_have_count(1)
    screenshot(page, "tenant-tree-secretary")
    row.get_by_role("link", name="康健社区").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("康健社区的会议")
    expect(page.get_by_role("table")).to_contain_text("已结束")
    screenshot(page, "meeting-list")


def test_the_street_admin_sees_every_community_of_the_street(
    page: Page, demo_server: DemoServer
) -> None:
    sign_in(page, demo_server.url, demo_server.tokens["street_admin"])
    expect(page.get_by_role("heading", name="枫林街道")).to_be_visible()
    table = page.get_by_role("table", name="枫林街道所辖社区")
    expect(table.locator("tbody tr")).to_have_count(3)
    for name in ("枫林一村社区", "桂林苑社区", "康健社区"):
        expect(table.get_by_role("link", name=name)).to_be_visible()
    screenshot(page, "tenant-tree-street")


def test_a_principal_of_another_community_sees_none_of_this_tenant(
    page: Page, demo_server: DemoServer
) -> None:
    other = demo_server.token("community_secretary", "fenglin-yicun", "secretary-yicun")
    sign_in(page, demo_server.url, other)
    expect(page.locator("tr[data-tenant='fenglin-yicun']")).to_be_visible()
    expect(page.get_by_text("康健社区")).to_have_count(0)
    # Asked for by address, the tenant's meetings are not there for this reader.
    page.goto(f"{demo_server.url}/#/tenants/{KANGJIAN}/meetings")
    expect(page.get_by_role("alert")).to_have_text("找不到该记录，或您无权查看。")
    expect(page.get_by_text("康健社区")).to_have_count(0)
    screenshot(page, "another-community-refused")


def test_a_refused_token_is_said_in_chinese_and_stays_typed(
    page: Page, demo_server: DemoServer
) -> None:
    page.goto(demo_server.url)
    field = page.get_by_label("访问令牌")
    field.fill("gj_not_a_token")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("令牌无效或已过期，请重新登录。")
    expect(field).to_have_value("gj_not_a_token")
    screenshot(page, "sign-in-refused")


def test_the_language_toggle_switches_to_english_and_is_remembered(
    page: Page, demo_server: DemoServer
) -> None:
    sign_in(page, demo_server.url, demo_server.tokens["community_secretary"])
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Streets and communities")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Streets and communities")


def test_the_console_is_used_with_the_keyboard_alone(page: Page, demo_server: DemoServer) -> None:
    page.goto(demo_server.url)
    # The token field has the focus on arrival; Enter signs in.
    expect(page.get_by_label("访问令牌")).to_be_focused()
    page.keyboard.type(demo_server.tokens["street_admin"])
    page.keyboard.press("Enter")
    link = page.get_by_role("link", name="康健社区")
    expect(link).to_be_visible()
    for _ in range(30):  # Tab through the header and the table to the community
        page.keyboard.press("Tab")
        if link.evaluate("e => e === document.activeElement"):
            break
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("康健社区的会议")
    expect(page.locator("main")).to_be_focused()
