"""The meeting workspace in a browser: a secretary takes a meeting from notice to
minutes, every step a form in the console; a liaison signs in at the door on a
phone; a refused command is said in Chinese and the form keeps what was typed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import API_TIMEOUT, PHONE, DemoServer, screenshot, sign_in, submit

KANGJIAN = "fenglin-kangjian"
BEIJING = timezone(timedelta(hours=8))
PARTY, HOSPITAL, SCHOOL = "社区党委", "区第一人民医院党委", "市第三中学党支部"
BANK, POLICE = "工商银行枫林支行党支部", "武警某中队党支部"
PRESENT = (PARTY, HOSPITAL, SCHOOL, BANK)  # half the notified units, the charter's quorum


def local(moment: datetime) -> str:
    """A time as a datetime-local field takes it, in Beijing time."""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M")


def scheduled_meeting(server: DemoServer, title: str, scheduled_for: datetime) -> str:
    """A meeting with one agenda item, scheduled through the API as an integrator would."""
    auth = {"Authorization": f"Bearer {server.tokens['community_secretary']}"}
    base = f"{server.url}/tenants/{KANGJIAN}/meetings"
    answer = httpx.post(base, headers=auth, timeout=API_TIMEOUT, json={
        "kind": "regular", "title": title, "location": "康健社区党群服务中心",
        "scheduled_for": scheduled_for.isoformat(),
        "occurred_at": (scheduled_for - timedelta(days=10)).isoformat(),
    })  # fmt: skip
    assert answer.status_code == 201, answer.text
    meeting = str(answer.json()["record_id"])
    item = httpx.post(f"{base}/{meeting}/agenda-items", headers=auth, timeout=API_TIMEOUT, json={
        "item_id": "winter", "title": "冬季独居老人走访慰问",
        "occurred_at": (scheduled_for - timedelta(days=9)).isoformat(),
    })  # fmt: skip
    assert item.status_code == 201, item.text
    return meeting


@pytest.fixture(scope="module")
def held_at() -> datetime:
    """Yesterday morning: the meeting's time, with its notice well before it."""
    yesterday = datetime.now(BEIJING) - timedelta(days=1)
    return yesterday.replace(hour=9, minute=0, second=0, microsecond=0)


def test_a_secretary_takes_a_meeting_from_notice_to_minutes(
    page: Page, demo_server: DemoServer, held_at: datetime
) -> None:
    meeting = scheduled_meeting(demo_server, "冬季走访专题会议", held_at)
    sign_in(page, demo_server.url, demo_server.tokens["community_secretary"],
            f"#/tenants/{KANGJIAN}/meetings/{meeting}")  # fmt: skip
    status = page.locator("dl.facts")
    expect(page.get_by_role("heading", level=1)).to_have_text("冬季走访专题会议")
    expect(status).to_contain_text("已安排")
    screenshot(page, "meeting-workspace-scheduled")

    submit(page, "notice", {"通知发出时间": local(held_at - timedelta(days=7))})
    expect(status).to_contain_text("已通知")
    submit(page, "leave-request", {"成员单位": POLICE, "请假事由": "执行安保任务",
                                   "发生时间": local(held_at - timedelta(days=3))})  # fmt: skip
    submit(page, "leave-decision", {"成员单位": POLICE, "审批意见": "批准"})
    attendance = page.get_by_role("region", name="参会情况")
    expect(attendance.locator("tr", has_text=POLICE)).to_contain_text("已批准")
    for unit in PRESENT:
        submit(page, "sign-in", {"成员单位": unit, "参会人姓名": "主要负责人",
                                 "发生时间": local(held_at - timedelta(minutes=10))})  # fmt: skip
        expect(attendance.locator("tr", has_text=unit)).to_contain_text("已签到")
    submit(page, "open", {"主持单位": PARTY, "发生时间": local(held_at)})
    expect(status).to_contain_text("进行中")
    expect(status).to_contain_text(PARTY)
    for unit in PRESENT:
        submit(page, "position", {"议题": "冬季独居老人走访慰问", "成员单位": unit, "意见": "同意",
                                  "发生时间": local(held_at + timedelta(minutes=30))})  # fmt: skip
        expect(page.locator("li[data-item='winter']")).to_contain_text(f"{unit}: 同意")
    screenshot(page, "meeting-workspace-open")
    deadline = (held_at + timedelta(days=40)).date().isoformat()
    decide = page.locator("form[data-command='decide']")
    decide.get_by_label("议题").select_option(label="冬季独居老人走访慰问")
    decide.get_by_label("决议事项").fill("年底前走访全部独居老人并建立台账")
    decide.get_by_role("group", name="责任单位").get_by_label(PARTY).check()
    decide.get_by_label("完成期限").fill(deadline)
    decide.get_by_label("发生时间").fill(local(held_at + timedelta(minutes=40)))
    decide.get_by_role("button").click()
    expect(page.locator("li[data-item='winter']")).to_contain_text(
        "决议：年底前走访全部独居老人并建立台账"
    )
    submit(page, "close", {"发生时间": local(held_at + timedelta(minutes=60))})
    expect(status).to_contain_text("已结束")
    submit(page, "minutes", {"纪要正文": "一、议定：年底前走访全部独居老人并建立台账。",
                             "发生时间": local(held_at + timedelta(hours=3))})  # fmt: skip
    minutes = page.get_by_role("region", name="会议纪要")
    expect(minutes).to_contain_text("一、议定：年底前走访全部独居老人并建立台账。")
    expect(minutes).to_contain_text("已签收0/")
    screenshot(page, "meeting-workspace-minutes")
    # A unit's receipt, then a correction with its reason; the form starts from the text.
    submit(page, "minutes-receipt", {"成员单位": HOSPITAL})
    expect(minutes).to_contain_text("已签收1/")
    correction = page.locator("form[data-command='minutes-correction']")
    expect(correction.get_by_label("纪要正文")).to_have_value(
        "一、议定：年底前走访全部独居老人并建立台账。"
    )
    submit(page, "minutes-correction", {"纪要正文": "一、议定：12月31日前走访全部独居老人并建立台账。",
                                        "理由": "期限表述不准确"})  # fmt: skip
    expect(minutes).to_contain_text("一、议定：12月31日前走访全部独居老人并建立台账。")
    # The official documents download with the user's token, as PDF.
    documents = page.get_by_role("region", name="公文下载")
    expect(documents.get_by_role("link")).to_have_text(
        ["会议通知（PDF）", "签到表（PDF）", "会议纪要（PDF）"]
    )
    with page.expect_download() as downloading:
        documents.get_by_role("link", name="会议纪要（PDF）").click()
    download = downloading.value
    assert download.suggested_filename == "冬季走访专题会议纪要.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")

    # What the console shows is what the API recorded.
    auth = {"Authorization": f"Bearer {demo_server.tokens['community_secretary']}"}
    query = """query($t: ID!, $m: ID!) { tenant(id: $t) { meeting(id: $m) { status minutes
      chair { name } agenda { resolution { action } } attendance { status } } } }"""
    answer = httpx.post(f"{demo_server.url}/graphql", headers=auth, timeout=API_TIMEOUT,
                        json={"query": query, "variables": {"t": KANGJIAN, "m": meeting}})  # fmt: skip
    recorded = answer.json()["data"]["tenant"]["meeting"]
    assert recorded["status"] == "closed" and recorded["chair"] == {"name": PARTY}
    assert recorded["minutes"] == "一、议定：12月31日前走访全部独居老人并建立台账。"
    assert recorded["agenda"][0]["resolution"] == {"action": "年底前走访全部独居老人并建立台账"}
    statuses = [a["status"] for a in recorded["attendance"]]
    assert statuses.count("present") == 4 and statuses.count("on_leave") == 1


def test_a_secretary_plans_a_meeting_then_postpones_and_cancels_it(
    page: Page, demo_server: DemoServer, held_at: datetime
) -> None:
    sign_in(page, demo_server.url, demo_server.tokens["community_secretary"],
            f"#/tenants/{KANGJIAN}/meetings")  # fmt: skip
    planned = held_at + timedelta(days=20)
    submit(page, "schedule", {"会议名称": "春节慰问筹备会", "会议类型": "专题会议",
                              "召开时间": local(planned), "地点": "康健社区党群服务中心"})  # fmt: skip
    expect(page.get_by_role("heading", level=1)).to_have_text("春节慰问筹备会")
    meeting = page.url.rsplit("/", 1)[1]
    status = page.locator("dl.facts")
    expect(status).to_contain_text("专题会议")
    agenda = page.get_by_role("region", name="议程")
    submit(page, "agenda-item", {"议题名称": "慰问对象名单"})
    expect(agenda.get_by_role("heading", level=3)).to_have_text(["慰问对象名单"])
    submit(page, "agenda-item", {"议题名称": "慰问经费安排"})
    expect(agenda.get_by_role("heading", level=3)).to_have_text(["慰问对象名单", "慰问经费安排"])
    # Withdrawing needs a reason: without one the browser keeps the form from going.
    withdraw = submit(page, "withdraw", {"议题": "慰问经费安排"})
    expect(withdraw.get_by_label("理由")).to_have_js_property("validity.valid", False)
    submit(page, "withdraw", {"议题": "慰问经费安排", "理由": "经费另行研究"})
    expect(agenda.locator("li", has_text="慰问经费安排")).to_contain_text("已撤回")
    submit(
        page,
        "opinion-request",
        {"议题": "慰问对象名单", "意见截止时间": local(planned - timedelta(days=2))},
    )
    expect(agenda.locator("li", has_text="慰问对象名单")).to_contain_text("书面意见征求截止")
    later = planned + timedelta(days=7)
    submit(page, "postpone", {"新的召开时间": local(later), "理由": "与区里会议时间冲突"})
    expect(status).to_contain_text(f"{later.month}月{later.day}日")
    submit(page, "notice", {"通知发出时间": local(held_at)})
    expect(status).to_contain_text("已通知")
    submit(
        page,
        "opinion",
        {"议题": "慰问对象名单", "成员单位": SCHOOL, "意见内容": "建议增加困难教师家庭"},
    )
    expect(agenda.get_by_role("list", name="书面意见")).to_contain_text(
        f"{SCHOOL}: 建议增加困难教师家庭"
    )
    screenshot(page, "meeting-workspace-planned")
    submit(page, "cancel", {"理由": "并入年终总结会议"})
    expect(status).to_contain_text("已取消")
    expect(page.locator("form[data-command='cancel']")).to_have_count(0)

    auth = {"Authorization": f"Bearer {demo_server.tokens['community_secretary']}"}
    query = """query($t: ID!, $m: ID!) { tenant(id: $t) { meeting(id: $m) { status kind
      scheduledFor agenda { title status opinions { unitId text } } history { reason } } } }"""
    answer = httpx.post(f"{demo_server.url}/graphql", headers=auth, timeout=API_TIMEOUT,
                        json={"query": query, "variables": {"t": KANGJIAN, "m": meeting}})  # fmt: skip
    recorded = answer.json()["data"]["tenant"]["meeting"]
    assert recorded["status"] == "cancelled" and recorded["kind"] == "thematic"
    assert datetime.fromisoformat(recorded["scheduledFor"]) == later.replace(second=0)
    assert [i["status"] for i in recorded["agenda"]] == ["proposed", "withdrawn"]
    assert recorded["agenda"][0]["opinions"][0]["text"] == "建议增加困难教师家庭"
    reasons = [e["reason"] for e in recorded["history"]]
    assert {"与区里会议时间冲突", "并入年终总结会议"} <= set(reasons)


def test_a_refused_command_is_said_in_chinese_and_keeps_what_was_typed(
    page: Page, demo_server: DemoServer, held_at: datetime
) -> None:
    meeting = scheduled_meeting(demo_server, "通知期限不足的会议", held_at)
    sign_in(page, demo_server.url, demo_server.tokens["community_secretary"],
            f"#/tenants/{KANGJIAN}/meetings/{meeting}")  # fmt: skip
    # One day before the meeting: the charter asks for three days of notice.
    too_late = local(held_at - timedelta(days=1))
    form = submit(page, "notice", {"通知发出时间": too_late})
    expect(form.get_by_role("alert")).to_have_text("距开会时间不足章程规定的通知期限。")
    expect(form.get_by_label("通知发出时间")).to_have_value(too_late)
    expect(page.locator("dl.facts")).to_contain_text("已安排")
    screenshot(page, "meeting-workspace-refused")


def test_a_liaison_signs_in_on_a_phone(
    phone: Page, demo_server: DemoServer, held_at: datetime
) -> None:
    later = held_at + timedelta(days=2)  # noticed, not yet held: sign-in is open
    meeting = scheduled_meeting(demo_server, "手机签到测试会议", later)
    auth = {"Authorization": f"Bearer {demo_server.tokens['community_secretary']}"}
    noticed = httpx.post(f"{demo_server.url}/tenants/{KANGJIAN}/meetings/{meeting}/notice", headers=auth, timeout=API_TIMEOUT,
                         json={"issued_at": (later - timedelta(days=5)).isoformat()})  # fmt: skip
    assert noticed.status_code == 200, noticed.text
    sign_in(phone, demo_server.url, demo_server.tokens["unit_liaison"],
            f"#/tenants/{KANGJIAN}/meetings/{meeting}/sign-in")  # fmt: skip
    expect(phone.get_by_role("heading", level=1)).to_have_text("会议签到")
    # The page fits the phone: nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Another unit's sign-in is refused (the liaison acts for the hospital only).
    form = submit(phone, "sign-in", {"成员单位": SCHOOL, "参会人姓名": "李慧敏"})
    expect(form.get_by_role("alert")).to_have_text("您的角色无权执行此操作。")
    expect(form.get_by_label("参会人姓名")).to_have_value("李慧敏")
    screenshot(phone, "sign-in-phone-refused")
    submit(phone, "sign-in", {"成员单位": HOSPITAL, "参会人姓名": "李慧敏"})
    expect(phone.get_by_role("list").last).to_contain_text(f"{HOSPITAL}: 李慧敏 (已签到)")
    screenshot(phone, "sign-in-phone")
