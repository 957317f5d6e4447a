"""The commitments board and the members, posts and claims pages in a browser: the
board shows each commitment's milestones and residents' satisfaction as the API has
them, a milestone's progress is reported and a resident rates a commitment; a member
is registered, reports at residence, claims a post, logs service that the community
confirms and is reviewed for the year; a role that may not see personal data sees
surnames only and no work units, comments or residents' ids."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import DemoServer, screenshot, sign_in, sign_out, submit

KANGJIAN = "fenglin-kangjian"
BOARD = f"#/tenants/{KANGJIAN}/commitments"
MEMBERS = f"#/tenants/{KANGJIAN}/members"
POSTS = f"#/tenants/{KANGJIAN}/posts"

COMMITMENTS = """query($tenant: ID!) { tenant(id: $tenant) {
  commitmentSatisfaction { numerator denominator }
  commitments(first: 20) { nodes { id text statusLabel
    milestones { title percent } satisfaction { numerator denominator }
    ratings { residentId rating comment } } } } }"""
MEMBER_ROLL = """query($tenant: ID!) { tenant(id: $tenant) {
  members(first: 100) { nodes { id name workUnit memberClass confirmedHours
    claims(activeOnly: true) { post { title } }
    serviceLogs { status hours what } yearReviews { year rating feedback } } } } }"""


def read(server: DemoServer, role: str, query: str, token: str | None = None) -> Any:
    """A GraphQL answer for the role's token (an integrator's view of the same data)."""
    return server.graphql(token or server.tokens[role], query, tenant=KANGJIAN)["tenant"]


def card(page: Page, text: str) -> Locator:
    return page.locator("article.commitment").filter(
        has=page.get_by_role("heading", level=2, name=text, exact=True)
    )


def share(figure: dict[str, int]) -> str:
    return f"({figure['numerator']}/{figure['denominator']})"


def shot(page: Page, name: str) -> None:
    """A screenshot, once the page is seen to fit the office screen's width."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    screenshot(page, name)


def test_the_board_matches_the_api_takes_progress_and_a_residents_rating(
    page: Page, demo_server: DemoServer
) -> None:
    sign_in(page, demo_server.url, demo_server.tokens["community_secretary"])
    page.locator(f"tr[data-tenant='{KANGJIAN}']").get_by_role("link", name="承诺").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("康健社区的公开承诺")

    # Each commitment's milestones, status and satisfaction are the API's.
    api = read(demo_server, "community_secretary", COMMITMENTS)
    assert len(api["commitments"]["nodes"]) == 3
    expect(page.locator("#overall-satisfaction")).to_contain_text(
        share(api["commitmentSatisfaction"])
    )
    for commitment in api["commitments"]["nodes"]:
        shown = card(page, commitment["text"])
        expect(shown).to_contain_text(commitment["statusLabel"])
        expect(shown).to_contain_text(share(commitment["satisfaction"]))
        rows = shown.locator("table.milestones tbody tr")
        expect(rows).to_have_count(len(commitment["milestones"]))
        for row, milestone in zip(rows.all(), commitment["milestones"], strict=True):
            expect(row.get_by_role("rowheader")).to_have_text(milestone["title"])
            expect(row).to_contain_text(f"{milestone['percent']}%")
        # The secretary sees residents' ids and comments.
        shown.locator("summary").click()
        expect(shown.locator("details table")).to_contain_text(
            commitment["ratings"][0]["residentId"]
        )

    # The community reports the second half's progress of its own commitment.
    submit(page, "progress", {"进度节点": "党群服务中心延时开放 · 全年完成 (0%)", "完成进度（%）": "60",
                              "佐证材料": "延时开放登记表.pdf"})  # fmt: skip
    row = card(page, "党群服务中心延时开放").locator("tr", has_text="全年完成")
    expect(row).to_contain_text("60%")
    expect(row).to_contain_text("进行中")
    expect(row).to_contain_text("延时开放登记表.pdf")
    shot(page, "commitments-board")

    # A resident rates a commitment for the running half-year, under their own id.
    sign_out(page)
    resident = demo_server.token("resident", KANGJIAN, "resident-zhang")
    sign_in(page, demo_server.url, resident, BOARD)
    clinic = "每季度开展一次义诊"
    before = next(c for c in api["commitments"]["nodes"] if c["text"] == clinic)["satisfaction"]
    # Under someone else's id the API refuses; the message is Chinese, the form kept.
    form = submit(page, "rate", {"承诺事项": clinic, "居民编号": "resident-li",
                                 "满意程度": "2 不满意", "意见建议": "排队时间太长"})  # fmt: skip
    expect(form.get_by_role("alert")).to_have_text("您的角色无权执行此操作。")
    expect(form.get_by_label("意见建议")).to_have_value("排队时间太长")
    form.get_by_label("居民编号").fill("resident-zhang")
    form.get_by_role("button").click()
    after = {"numerator": before["numerator"], "denominator": before["denominator"] + 1}
    rated = card(page, clinic)
    expect(rated).to_contain_text(share(after))
    now = next(
        c
        for c in read(demo_server, "community_secretary", COMMITMENTS)["commitments"]["nodes"]
        if c["text"] == clinic
    )
    assert now["satisfaction"] == after
    # The resident sees their own comment; other residents' ids and comments are withheld.
    rated.locator("summary").click()
    ratings = rated.locator("details table")
    expect(ratings.locator("tr", has_text="resident-zhang")).to_contain_text("排队时间太长")
    expect(ratings).to_contain_text("（按权限不显示）")
    expect(ratings).not_to_contain_text("服务及时")
    shot(page, "commitments-board-resident")


def test_a_member_is_registered_claims_a_post_and_service_is_confirmed(
    page: Page, demo_server: DemoServer
) -> None:
    sign_in(page, demo_server.url, demo_server.tokens["community_secretary"])
    page.locator(f"tr[data-tenant='{KANGJIAN}']").get_by_role("link", name="党员").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("康健社区的党员")
    expect(page.get_by_role("table")).to_contain_text("王秀英")
    shot(page, "members-roll")

    # An in-service member without a work unit is refused; what was typed stays.
    form = submit(page, "register", {"姓名": "林晓明", "党员类别": "在职党员"})
    expect(form.get_by_role("alert")).to_have_text("填写的内容有误，请检查后重试。")
    expect(form.get_by_label("姓名", exact=True)).to_have_value("林晓明")
    submit(page, "register", {"工作单位": "区图书馆"})
    expect(page.get_by_role("heading", level=1)).to_have_text("林晓明")
    expect(page.locator("dl.facts")).to_contain_text("区图书馆")

    # Claiming before reporting at residence is refused, in Chinese.
    form = submit(page, "claim", {"服务岗位": "楼道安全巡查（已认领 2/3）"})
    expect(form.get_by_role("alert")).to_have_text("在职党员须先到社区报到，才能认领岗位。")
    page.locator("form[data-command='residence']").get_by_role("button").click()
    expect(page.locator("form[data-command='residence']")).to_have_count(0)
    submit(page, "claim", {"服务岗位": "楼道安全巡查（已认领 2/3）"})
    claims = page.get_by_role("table", name="岗位认领记录")
    expect(claims.locator("tr", has_text="楼道安全巡查")).to_contain_text("在岗")

    submit(page, "log-service", {"服务岗位": "楼道安全巡查", "时长（小时）": "2.5",
                                 "服务内容": "检查楼道消防通道"})  # fmt: skip
    logs = page.get_by_role("table", name="服务记录（最新在前）")
    expect(logs.locator("tr", has_text="检查楼道消防通道")).to_contain_text("待审核")
    review = page.locator("form[data-command='review-log']")
    review.get_by_label("服务记录").select_option(index=1)
    submit(page, "review-log", {"审核意见": "确认"})
    expect(logs.locator("tr", has_text="检查楼道消防通道")).to_contain_text("已确认")
    expect(page.locator("dl.facts")).to_contain_text("2.50")

    submit(
        page, "year-review", {"评议等次": "优秀", "反馈工作单位意见": "按时参加楼道巡查，表现突出"}
    )
    reviews = page.get_by_role("table", name="年度评议与反馈")
    expect(reviews).to_contain_text("优秀")
    expect(reviews).to_contain_text("按时参加楼道巡查，表现突出")
    shot(page, "member-card")

    # The API agrees with the card.
    roll = read(demo_server, "community_secretary", MEMBER_ROLL)["members"]["nodes"]
    member = next(m for m in roll if m["name"] == "林晓明")
    assert member["workUnit"] == "区图书馆" and member["confirmedHours"] == "2.50"
    assert [c["post"]["title"] for c in member["claims"]] == ["楼道安全巡查"]
    assert member["serviceLogs"] == [
        {"status": "confirmed", "hours": "2.5", "what": "检查楼道消防通道"}
    ]
    assert member["yearReviews"][0]["rating"] == "excellent"

    # The posts page: the post is now full, held by the new member.
    page.get_by_role("navigation", name="当前位置").get_by_role(
        "link", name="党员", exact=True
    ).click()
    page.get_by_role("link", name="服务岗位", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("康健社区的服务岗位")
    patrol = page.locator("tr", has=page.get_by_role("rowheader", name="楼道安全巡查"))
    expect(patrol).to_contain_text("3/3 （已满）")
    expect(patrol.get_by_role("link", name="林晓明")).to_be_visible()
    # A full post refuses another claim, in Chinese.
    form = submit(
        page, "claim", {"党员": "陈建华 (直管党员)", "服务岗位": "楼道安全巡查（已认领 3/3）"}
    )
    expect(form.get_by_role("alert")).to_have_text("该岗位名额已满。")
    shot(page, "service-posts")


def test_a_role_without_personal_data_sees_no_names(page: Page, demo_server: DemoServer) -> None:
    integrator = demo_server.tokens["integrator"]
    api = read(demo_server, "integrator", MEMBER_ROLL)["members"]["nodes"]
    full = {
        m["name"] for m in read(demo_server, "community_secretary", MEMBER_ROLL)["members"]["nodes"]
    }
    assert all(re.fullmatch(r".\*+", m["name"]) for m in api)
    assert all(m["workUnit"] is None for m in api)

    sign_in(page, demo_server.url, integrator, MEMBERS)
    expect(page.get_by_role("heading", level=1)).to_have_text("康健社区的党员")
    expect(page.get_by_role("note")).to_contain_text("姓名只显示姓氏")
    roll = page.get_by_role("table")
    expect(roll.locator("tbody tr")).to_have_count(len(api))
    for member in api:
        expect(roll.get_by_role("link", name=member["name"], exact=True).first).to_be_visible()
    in_service = roll.locator("tr", has_text="在职党员").first
    expect(in_service).to_contain_text("（按权限不显示）")
    text = page.locator("main").inner_text()
    assert not any(name in text for name in full), "a full name reached a reader who may not see it"
    assert "区税务局" not in text
    shot(page, "members-roll-masked")

    # A member's card degrades the same way, and so do the posts and the board.
    roll.get_by_role("link", name="黄**").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("黄**")
    expect(page.locator("dl.facts")).to_contain_text("（按权限不显示）")
    expect(page.get_by_role("table", name="服务记录（最新在前）")).to_be_visible()
    shot(page, "member-card-masked")
    page.goto(f"{demo_server.url}/{POSTS}")
    expect(page.get_by_role("heading", level=1)).to_have_text("康健社区的服务岗位")
    expect(page.get_by_role("note")).to_be_visible()
    assert not any(name in page.locator("main").inner_text() for name in full)
    page.goto(f"{demo_server.url}/{BOARD}")
    board = card(page, "每周走访两户独居老人")
    expect(board).to_contain_text("党员 · 王**")
    board.locator("summary").click()
    expect(board.locator("details table tbody tr").first).to_contain_text("（按权限不显示）")
    expect(board.locator("details table")).not_to_contain_text("居民0")
    assert not any(name in page.locator("main").inner_text() for name in full)
    shot(page, "commitments-board-masked")
