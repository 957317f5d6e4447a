"""Calendar feeds: an iCalendar document per tenant and per unit, behind a
revocable secret URL, read back and parsed here."""

from __future__ import annotations

from datetime import timedelta

from tests.api.conftest import MEETING_AT, Api, Street

LONG_TITLE = (
    "关于加装电梯、增设非机动车充电桩及老旧小区综合整治的第三季度联席会议；请各单位准时参加"
)


def feed_path(api: Api, unit_id: str | None = None, headers: dict[str, str] | None = None) -> str:
    body = {"unit_id": unit_id} if unit_id else {}
    answer = api.t("/calendar-feeds", body, 201, headers=headers)
    return f"/calendars/{answer['token']}.ics"


def read_feed(api: Api, path: str) -> list[dict[str, str]]:
    """GET the feed without credentials, check its framing, and return its VEVENTs."""
    response = api.client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    raw = response.content
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    physical = raw.split(b"\r\n")[:-1]
    for line in physical:
        assert len(line) <= 75, line
        line.decode()  # every folded piece is whole UTF-8: no character was split
    lines: list[str] = []
    for line in raw.decode().split("\r\n")[:-1]:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    events: list[dict[str, str]] = []
    for line in lines:
        name, _, value = line.partition(":")
        if name == "BEGIN" and value == "VEVENT":
            events.append({})
        elif events and name != "END" and "END" not in events[-1]:
            events[-1][name] = value
        if name == "END" and value == "VEVENT":
            events[-1]["END"] = "VEVENT"
    return events


def by_uid(events: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {e["UID"].split("@")[0]: e for e in events}


def test_a_tenant_feed_lists_its_meetings_with_folded_chinese_titles(street: Street) -> None:
    api = street.api
    long = api.t("/meetings", {"kind": "regular", "title": LONG_TITLE,
                               "scheduled_for": (MEETING_AT + timedelta(days=30)).isoformat(),
                               "location": "会议室, 三楼; 东侧"}, 201)["record_id"]  # fmt: skip
    events = by_uid(read_feed(api, feed_path(api)))
    assert set(events) == {street.meeting, long}
    first = events[street.meeting]
    assert first["SUMMARY"] == "九月例会" and first["DTSTART"] == "20250901T090000Z"
    assert first["STATUS"] == "CONFIRMED" and first["LOCATION"] == "社区党群服务中心"
    assert events[long]["SUMMARY"] == LONG_TITLE
    assert events[long]["LOCATION"] == "会议室\\, 三楼\\; 东侧"
    assert events[long]["STATUS"] == "TENTATIVE"  # no notice yet


def test_a_postponement_and_a_cancellation_show_in_the_feed(street: Street) -> None:
    api, m = street.api, street.meeting
    other = api.t("/meetings", {"kind": "regular", "title": "十月例会",
                                "scheduled_for": (MEETING_AT + timedelta(days=30)).isoformat(),
                                "location": "会议室"}, 201)["record_id"]  # fmt: skip
    path = feed_path(api)
    before = by_uid(read_feed(api, path))
    later = MEETING_AT + timedelta(days=7, hours=2)
    api.t(f"/meetings/{m}/postpone", {"scheduled_for": later.isoformat(), "reason": "场地冲突"})
    api.t(f"/meetings/{other}/cancel", {"reason": "议题并入九月例会"})
    after = by_uid(read_feed(api, path))
    assert after[m]["DTSTART"] == "20250908T110000Z"
    assert int(after[m]["SEQUENCE"]) > int(before[m]["SEQUENCE"])
    assert after[m]["UID"] == before[m]["UID"]
    assert after[other]["STATUS"] == "CANCELLED"
    assert int(after[other]["SEQUENCE"]) > int(before[other]["SEQUENCE"])


def test_a_revoked_or_unknown_feed_is_not_found(street: Street) -> None:
    api = street.api
    answer = api.t("/calendar-feeds", {}, 201)
    path = f"/calendars/{answer['token']}.ics"
    assert api.client.get(path).status_code == 200
    api.t(f"/calendar-feeds/{answer['feed_id']}/revocation", {}, 422)  # a reason is required
    api.t(f"/calendar-feeds/{answer['feed_id']}/revocation", {"reason": "链接外泄"})
    for wrong in (path, path[:-8] + "AAAAAAAA.ics", "/calendars/nonsense.ics"):
        response = api.client.get(wrong)
        assert response.status_code == 404, wrong
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "not-found"


def test_a_feed_never_shows_another_tenants_meetings(street: Street) -> None:
    api = street.api
    neighbour = Api(api.client, f"{api.tenant}-n", api.streets)
    neighbour.post("/tenants", {"tenant_id": neighbour.tenant, "kind": "street", "name": "邻街"},
                   status=201)  # fmt: skip
    theirs = neighbour.t("/meetings", {"kind": "regular", "title": "邻街例会",
                                       "scheduled_for": MEETING_AT.isoformat(),
                                       "location": "邻街"}, 201)["record_id"]  # fmt: skip
    their_path = feed_path(neighbour)
    assert set(by_uid(read_feed(api, feed_path(api)))) == {street.meeting}
    assert set(by_uid(read_feed(neighbour, their_path))) == {theirs}
    # Their feed's id and secret under our tenant's name open nothing.
    _, feed, secret = their_path.removeprefix("/calendars/").split(".", 2)
    assert api.client.get(f"/calendars/{api.tenant}.{feed}.{secret}").status_code == 404


def test_a_unit_feed_shows_the_meetings_whose_notice_reached_the_unit(street: Street) -> None:
    api = street.api
    newcomer = api.t("/units", {"name": "新华书店", "kind": "enterprise"}, 201)["record_id"]
    noticed = api.t("/meetings", {"kind": "regular", "title": "十月例会",
                                  "scheduled_for": (MEETING_AT + timedelta(days=30)).isoformat(),
                                  "location": "会议室"}, 201)["record_id"]  # fmt: skip
    api.t(f"/meetings/{noticed}/agenda-items", {"title": "加装电梯", "item_id": "lift"}, 201)
    api.t(f"/meetings/{noticed}/notice",
          {"issued_at": (MEETING_AT + timedelta(days=20)).isoformat()})  # fmt: skip
    api.t("/meetings", {"kind": "regular", "title": "十一月例会",
                        "scheduled_for": (MEETING_AT + timedelta(days=60)).isoformat(),
                        "location": "会议室"}, 201)  # fmt: skip
    liaison = {"Authorization": f"Bearer dev:l:unit_liaison:{api.tenant}:{newcomer}"}
    path = feed_path(api, newcomer, headers=liaison)
    assert set(by_uid(read_feed(api, path))) == {noticed}
    # A postponement withdraws the notice, not the meeting from the unit's calendar.
    later = MEETING_AT + timedelta(days=35)
    api.t(f"/meetings/{noticed}/postpone", {"scheduled_for": later.isoformat(), "reason": "改期"})
    assert by_uid(read_feed(api, path))[noticed]["DTSTART"] == "20251006T090000Z"
    # An early unit got both notices.
    assert set(by_uid(read_feed(api, feed_path(api, street.units[0])))) == {street.meeting, noticed}
    # A liaison issues only its own unit's feed, never the tenant's or another unit's.
    api.t("/calendar-feeds", {"unit_id": street.units[0]}, 403, headers=liaison)
    api.t("/calendar-feeds", {}, 403, headers=liaison)
    api.t("/calendar-feeds", {"unit_id": "no-such-unit"}, 404)
