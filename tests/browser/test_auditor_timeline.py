"""The auditor's timeline and the as-of control in a browser: an auditor moves the
control back to before a meeting's notice and sees it still scheduled (and, by a
time before anything was recorded, nothing at all), then returns to the present; the
timeline says who recorded the notice, when, when it happened, why and what it
changed, checks the tenant's signed checkpoints in the browser, and leads to the
meeting's history and to the meeting as it stood after an earlier event."""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoServer, screenshot, sign_in
from tests.integration.servers import script

KANGJIAN = "fenglin-kangjian"
BEIJING = timezone(timedelta(hours=8))
TITLE = "审计回看专题会议"  # this module's own meeting: no other test touches it
REASON = "按章程提前七天通知"


@pytest.fixture(scope="module")
def noticed(demo_server: DemoServer) -> dict[str, Any]:
    """A meeting scheduled, given an item and noticed (with a reason) through the API as
    the secretary, then a new checkpoint of the log signed with the demo's key."""
    secretary = demo_server.tokens["community_secretary"]
    base = f"tenants/{KANGJIAN}/meetings"
    held = (datetime.now(BEIJING) + timedelta(days=10)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    scheduled = demo_server.post(secretary, base, {
        "kind": "thematic", "title": TITLE, "location": "康健社区党群服务中心",
        "scheduled_for": held.isoformat(),
    })  # fmt: skip
    meeting = str(scheduled["record_id"])
    demo_server.post(secretary, f"{base}/{meeting}/agenda-items",
                     {"item_id": "audit", "title": "年度财务公开"})  # fmt: skip
    notice = demo_server.post(secretary, f"{base}/{meeting}/notice", {
        "reason": REASON, "occurred_at": (held - timedelta(days=7)).isoformat(),
    })  # fmt: skip
    # The demo signed every log when it loaded; sign this one again, as the notary's
    # periodic round would, so that the timeline has two checkpoints to compare.
    database = demo_server.env["GONGJIAN_DATABASE_URL"].removeprefix("sqlite:///")
    env = {**demo_server.env, "GONGJIAN_SIGNING_KEY_FILE": f"{database}.signing-key.pem"}
    subprocess.run([script("gongjian"), "checkpoint", "--tenant", KANGJIAN],
                   env=env, check=True, capture_output=True)  # fmt: skip
    return {
        "meeting": meeting,
        "scheduled_at": int(scheduled["position"]),
        "noticed_at": int(notice["position"]),
    }


def test_an_auditor_moves_the_as_of_control_back_and_sees_the_earlier_state(
    page: Page, demo_server: DemoServer, noticed: dict[str, Any]
) -> None:
    auditor = demo_server.tokens["auditor"]
    meeting, before_notice = noticed["meeting"], noticed["noticed_at"] - 1
    workspace = f"#/tenants/{KANGJIAN}/meetings/{meeting}"
    sign_in(page, demo_server.url, auditor, workspace)
    facts = page.locator("dl.facts")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(facts).to_contain_text("已通知")
    banner = page.get_by_role("complementary", name="历史状态")
    expect(banner).to_have_count(0)

    # Back to just before the notice: the meeting was still only scheduled.
    page.get_by_text("查看历史状态……").click()
    page.get_by_label("日志位置", exact=True).fill(str(before_notice))
    screenshot(page, "as-of-control")
    page.get_by_role("button", name="按位置查看").click()
    expect(banner).to_contain_text("【历史状态 · 只读】")
    expect(banner).to_contain_text(f"截至日志位置 {before_notice}")
    expect(facts).to_contain_text("已安排")
    expect(facts.locator("dd").nth(4)).to_have_text("—")  # no notice yet
    expect(page).to_have_url(re.compile(rf"\?at={before_notice}$"))
    # The API, read at that position, agrees with the page.
    then = demo_server.graphql(auditor,
               "query($t: ID!, $m: ID!, $at: Int) { tenant(id: $t, atPosition: $at) { meeting(id: $m) { status } } }",
               t=KANGJIAN, m=meeting, at=before_notice)  # fmt: skip
    assert then["tenant"]["meeting"]["status"] == "scheduled"
    screenshot(page, "meeting-workspace-as-of")

    # A shared link carries the moment: signed in at it in a new tab, the same past.
    shared = page.url.split("/#", 1)[1]
    other = page.context.new_page()
    sign_in(other, demo_server.url, auditor, f"#{shared}")
    expect(other.get_by_role("complementary", name="历史状态")).to_contain_text(
        f"截至日志位置 {before_notice}"
    )
    expect(other.locator("dl.facts")).to_contain_text("已安排")
    other.close()

    # By a time before anything of the demo was recorded: nothing of the tenant yet.
    yesterday = (datetime.now(BEIJING) - timedelta(days=1)).strftime("%Y-%m-%dT09:00:00")
    page.get_by_text("换一个时刻").click()
    page.get_by_label("记录时间截至", exact=True).fill(yesterday)
    page.get_by_role("button", name="按时间查看").click()
    expect(banner).to_contain_text("已记录")
    expect(banner).to_contain_text("此时尚无该单位的任何记录。")
    expect(page.locator("main").get_by_role("alert")).to_have_text("找不到该记录，或您无权查看。")

    # And back to the present.
    banner.get_by_role("button", name="回到现在").click()
    expect(banner).to_have_count(0)
    expect(facts).to_contain_text("已通知")
    expect(page).to_have_url(re.compile(rf"{re.escape(workspace)}$"))


def test_the_timeline_says_who_when_and_why_and_checks_the_checkpoints(
    page: Page, demo_server: DemoServer, noticed: dict[str, Any], tmp_path: Path
) -> None:
    auditor = demo_server.tokens["auditor"]
    meeting, noticed_at = noticed["meeting"], noticed["noticed_at"]
    sign_in(page, demo_server.url, auditor, f"#/tenants/{KANGJIAN}/meetings")
    page.get_by_role("link", name="审计时间线与核验状态").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("康健社区的审计时间线")

    # The log's two newest checkpoints, checked here against the published key.
    checks = page.locator("section.verification")
    expect(checks.locator("[data-check=signature]")).to_contain_text("✓ 通过")
    expect(checks.locator("[data-check=consistency]")).to_contain_text("✓ 通过")
    expect(checks.locator("[data-verification=summary]")).to_contain_text("均已纳入签名检查点")
    # The export it offers checks out offline, as the auditor would check it.
    with page.expect_download() as download:
        checks.get_by_role("button", name="导出本单位日志（供离线核验）").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"{KANGJIAN}.gongjian-export"
    verified = subprocess.run([script("gongjian"), "verify-export", str(saved), "--workers", "1"],
                              capture_output=True, text=True)  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # The notice: who recorded it, when, when it happened, why, and what it changed.
    [event] = demo_server.graphql(auditor,
                  "query($t: ID!, $after: Int) { tenant(id: $t) { events(afterPosition: $after, first: 1) { nodes { "
                  "recordedAt occurredAt actor { userId } reason } } } }",
                  t=KANGJIAN, after=noticed_at - 1)["tenant"]["events"]["nodes"]  # fmt: skip
    entry = page.locator(f"li.event[data-position='{noticed_at}']")
    expect(entry.get_by_role("heading")).to_have_text(f"位置 {noticed_at} · 会议 · 发出会议通知")
    expect(entry.locator("[data-fact=actor]")).to_contain_text(
        f"{event['actor']['userId']}（社区书记）"
    )
    expect(entry.locator("[data-fact=reason]")).to_have_text(REASON)
    assert event["reason"] == REASON
    occurred = datetime.fromisoformat(event["occurredAt"]).astimezone(BEIJING)
    expect(entry.locator("[data-fact=occurredAt]")).to_have_text(
        f"{occurred.year}年{occurred.month}月{occurred.day}日 09:00"
    )
    recorded = datetime.fromisoformat(event["recordedAt"]).astimezone(BEIJING)
    expect(entry.locator("[data-fact=recordedAt]")).to_contain_text(
        f"{recorded.year}年{recorded.month}月{recorded.day}日"
    )
    status = (
        entry.get_by_role("table").filter(has_text="会议（变更）").get_by_role("row", name="状态")
    )
    expect(status).to_have_text(re.compile("状态\\s*scheduled\\s*noticed"))
    expect(entry.locator("[data-fact=proof]")).to_contain_text("✓ 通过")
    screenshot(page, "auditor-timeline")

    # "View as it stood after this" on the scheduling: the meeting then had no notice.
    scheduled = page.locator(f"li.event[data-position='{noticed['scheduled_at']}']")
    scheduled.get_by_role("button", name=f"查看此后状态（位置 {noticed['scheduled_at']}）").click()
    banner = page.get_by_role("complementary", name="历史状态")
    expect(banner).to_contain_text(f"截至日志位置 {noticed['scheduled_at']}")
    page.locator(f"li.event[data-position='{noticed['scheduled_at']}']").get_by_role(
        "link", name="打开会议"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("dl.facts")).to_contain_text("已安排")
    expect(page.get_by_role("heading", name="议程").locator("..")).to_contain_text("尚无议题。")
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="回到现在").click()
    expect(page.locator("dl.facts")).to_contain_text("已通知")

    # The meeting's history, from its workspace: scheduled, its item, the notice.
    page.get_by_role("link", name="本会议的变更历史").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"会议“{TITLE}”的历史")
    headings = page.locator("li.event h3")
    expect(headings).to_have_text([
        re.compile("会议 · 安排会议$"), re.compile("会议 · 增加议题$"), re.compile("会议 · 发出会议通知$"),
    ])  # fmt: skip
    expect(page.locator(f"li.event[data-position='{noticed_at}'] [data-fact=reason]")).to_have_text(
        REASON
    )
    screenshot(page, "record-history")
    assert meeting in page.url


def test_the_browsers_checks_refuse_a_tampered_checkpoint_or_proof(
    page: Page, demo_server: DemoServer, noticed: dict[str, Any]
) -> None:
    """verify.js, run in the browser on the API's own answers: each check holds for
    them and fails once one byte of what it checks is changed."""
    auditor = demo_server.tokens["auditor"]
    tenant = demo_server.graphql(auditor,
                 "query($t: ID!) { tenant(id: $t) { checkpoints(first: 2) { nodes { size headHash root keyId signature signedMessage } } "
                 "events(last: 1) { nodes { proof { leafIndex treeSize leafHash path } } } } }",
                 t=KANGJIAN)["tenant"]  # fmt: skip
    newest, previous = tenant["checkpoints"]["nodes"]
    consistency = demo_server.graphql(auditor,
                      "query($t: ID!, $from: Int!, $to: Int!) { tenant(id: $t) { consistency(from: $from, to: $to) { "
                      "fromSize toSize fromRoot toRoot proof } } }",
                      t=KANGJIAN, **{"from": previous["size"], "to": newest["size"]})["tenant"]["consistency"]  # fmt: skip
    page.goto(demo_server.url)
    outcomes = page.evaluate(
        """async ([tenant, checkpoint, proof, consistency]) => {
          const v = await import("/console/verify.js");
          const flip = (hex) => (hex[0] === "0" ? "1" : "0") + hex.slice(1);
          return {
            signature: await v.signatureHolds(checkpoint, tenant),
            forged: await v.signatureHolds({ ...checkpoint, signature: flip(checkpoint.signature) }, tenant),
            otherRoot: await v.signatureHolds({ ...checkpoint, root: flip(checkpoint.root) }, tenant),
            otherTenant: await v.signatureHolds(checkpoint, "fenglin-yicun"),
            inclusion: await v.inclusionHolds(proof, checkpoint.root),
            otherLeaf: await v.inclusionHolds({ ...proof, leafHash: flip(proof.leafHash) }, checkpoint.root),
            otherPlace: await v.inclusionHolds({ ...proof, leafIndex: proof.leafIndex - 1 }, checkpoint.root),
            consistency: await v.consistencyHolds(consistency),
            rewritten: await v.consistencyHolds({ ...consistency, fromRoot: flip(consistency.fromRoot) }),
          };
        }""",
        [KANGJIAN, newest, tenant["events"]["nodes"][0]["proof"], consistency],
    )
    assert outcomes == {
        "signature": True, "forged": False, "otherRoot": False, "otherTenant": False,
        "inclusion": True, "otherLeaf": False, "otherPlace": False,
        "consistency": True, "rewritten": False,
    }  # fmt: skip
