"""Every console page passes axe-core's WCAG 2.1 A and AA rules (the automated part
of the issue's WCAG 2.1 AA requirement), in Chinese, at office size and, for the
sign-in page, on a phone: each page as a secretary, a street admin or an auditor
sees it, with its forms."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoServer, screenshot, sign_in, sign_out

KANGJIAN = "fenglin-kangjian"
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
IDS = """query($t: ID!) { tenant(id: $t) {
  meetings(first: 1, status: CLOSED) { nodes { id } }
  resolutions(first: 1) { nodes { id } }
  members(first: 1) { nodes { id } } } }"""
STREET_IDS = """query($t: ID!) { tenant(id: $t) { evaluations(first: 1) { nodes { id } } } }"""


def violations(page: Page, axe: Axe) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it stands: rule and where."""
    found: dict[str, Any] = axe.run(page, options=WCAG_21_AA).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found["violations"]
    ]


def check_pages(page: Page, axe: Axe, pages: dict[str, str]) -> dict[str, list[str]]:
    """Open each page (name → #fragment), wait until it is drawn, and run axe on it."""
    failing: dict[str, list[str]] = {}
    for name, fragment in pages.items():
        page.goto(f"{page.url.split('#')[0]}{fragment}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.locator("main[aria-busy]")).to_have_count(0)
        found = violations(page, axe)
        if found:
            failing[name] = found
            screenshot(page, f"accessibility-{name}")
    return failing


def test_every_page_passes_wcag_21_aa_rules(page: Page, demo_server: DemoServer) -> None:
    axe = Axe()
    ids = demo_server.graphql(demo_server.tokens["community_secretary"], IDS, t=KANGJIAN)["tenant"]
    first = {kind: ids[kind]["nodes"][0]["id"] for kind in ids}
    base = f"#/tenants/{KANGJIAN}"
    sign_in(page, demo_server.url, demo_server.tokens["community_secretary"])
    failing = check_pages(page, axe, {
        "tree": "#/",
        "meetings": f"{base}/meetings",
        "workspace": f"{base}/meetings/{first['meetings']}",
        "resolutions": f"{base}/resolutions",
        "resolution": f"{base}/resolutions/{first['resolutions']}",
        "commitments": f"{base}/commitments",
        "members": f"{base}/members",
        "member": f"{base}/members/{first['members']}",
        "posts": f"{base}/posts",
        "evaluations": f"{base}/evaluations",
        "timeline": f"{base}/timeline",
        "history": f"{base}/history/{first['meetings']}",
        "as-of": f"{base}/meetings?at=20",
    })  # fmt: skip
    sign_out(page)
    admin = demo_server.tokens["street_admin"]
    sheet = demo_server.graphql(admin, STREET_IDS, t="fenglin")["tenant"]["evaluations"]
    sign_in(page, demo_server.url, admin)
    failing |= check_pages(page, axe, {
        "street-tree": "#/", "ranking": "#/tenants/fenglin/ranking",
        "street-evaluations": "#/tenants/fenglin/evaluations",
        "scoring-sheet": f"#/tenants/fenglin/evaluations/{sheet['nodes'][0]['id']}",
    })  # fmt: skip
    assert failing == {}, "\n".join(f"{k}: {v}" for k, vs in failing.items() for v in vs)


def test_the_sign_in_pages_pass_wcag_21_aa_rules_on_a_phone(
    phone: Page, demo_server: DemoServer
) -> None:
    axe = Axe()
    phone.goto(demo_server.url)
    expect(phone.get_by_label("访问令牌")).to_be_visible()
    assert violations(phone, axe) == []
    sign_in(phone, demo_server.url, demo_server.tokens["unit_liaison"])
    ids = demo_server.graphql(demo_server.tokens["unit_liaison"], IDS, t=KANGJIAN)["tenant"]
    meeting = ids["meetings"]["nodes"][0]["id"]
    failing = check_pages(
        phone, axe, {"sign-in": f"#/tenants/{KANGJIAN}/meetings/{meeting}/sign-in"}
    )
    assert failing == {}, failing
