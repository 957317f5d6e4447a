"""Auditors' questions: repeated absence without leave, decisions of a period."""

from __future__ import annotations

from tests.api.conftest import READER, Api, Street


def _held_meeting(
    api: Api, month: int, present: list[str], on_leave: list[str], kind: str = "regular"
) -> str:
    """Hold a meeting in ``month`` of 2025 that adopts one resolution; return its id."""
    m = api.t(
        "/meetings",
        {
            "kind": kind,
            "title": f"{month}月例会",
            "location": "会议室",
            "scheduled_for": f"2025-{month:02d}-20T09:00:00+08:00",
        },
        201,
    )["record_id"]
    api.t(f"/meetings/{m}/agenda-items", {"title": "议题", "item_id": "x"}, 201)
    api.t(f"/meetings/{m}/notice", {"issued_at": f"2025-{month:02d}-01T09:00:00+08:00"})
    for unit in on_leave:
        api.t(f"/meetings/{m}/leave-requests", {"unit_id": unit, "reason": "出差"})
        api.t(f"/meetings/{m}/leave-requests/{unit}/decision", {"approved": True})
    for unit in present:
        api.t(f"/meetings/{m}/sign-ins", {"unit_id": unit, "attendee": "代表"})
    api.t(f"/meetings/{m}/open", {"chair_unit_id": present[0]})
    api.t(f"/meetings/{m}/agenda-items/x/positions", {"unit_id": present[0], "position": "agree"})
    decided = api.t(
        f"/meetings/{m}/agenda-items/x/decision",
        {
            "action": "落实",
            "responsible_unit_ids": [present[0]],
            "deadline": "2025-12-31",
            "occurred_at": f"2025-{month:02d}-20T11:00:00+08:00",
        },
    )
    api.t(f"/meetings/{m}/close")
    return str(decided["resolution_id"])


def test_units_that_missed_the_last_three_meetings_without_leave(street: Street) -> None:
    api, (a, b, c) = street.api, street.units
    # A plenary that all attend lowers the quorum, so that one unit may meet.
    plenary = _held_meeting(api, 2, present=[a, b, c], on_leave=[], kind="plenary")
    api.t("/charter-amendments", {"charter": {"quorum": "0.3"}, "reason": "小范围议事",
                                  "resolution_id": plenary})  # fmt: skip
    _held_meeting(api, 3, present=[a, b], on_leave=[])
    _held_meeting(api, 4, present=[a], on_leave=[b])
    query = "query($t: ID!, $n: Int!) { tenant(id: $t) { absentWithoutLeave(lastMeetings: $n) { id name } } }"
    assert api.gql(query, t=api.tenant, n=3)["data"]["tenant"]["absentWithoutLeave"] == [], (
        "c attended the plenary, one of the last three"
    )
    _held_meeting(api, 5, present=[a], on_leave=[])
    absent = api.gql(query, t=api.tenant, n=3)["data"]["tenant"]["absentWithoutLeave"]
    assert [u["id"] for u in absent] == [c]
    two = {
        u["id"] for u in api.gql(query, t=api.tenant, n=2)["data"]["tenant"]["absentWithoutLeave"]
    }
    assert two == {c}, "b was on leave for one of the last two"
    one = {
        u["id"] for u in api.gql(query, t=api.tenant, n=1)["data"]["tenant"]["absentWithoutLeave"]
    }
    assert one == {b, c}


def test_resolutions_adopted_in_a_period(street: Street) -> None:
    api, (a, b, _c) = street.api, street.units
    _held_meeting(api, 3, present=[a, b], on_leave=[])
    _held_meeting(api, 8, present=[a, b], on_leave=[])
    query = "query($t: ID!, $p: String) { tenant(id: $t) { resolutions(adoptedIn: $p) { nodes { adoptedAt } } } }"
    first_half = api.gql(query, t=api.tenant, p="2025H1")["data"]["tenant"]["resolutions"]["nodes"]
    assert [r["adoptedAt"][:10] for r in first_half] == ["2025-03-20"]
    year = api.gql(query, t=api.tenant, p="2025")["data"]["tenant"]["resolutions"]["nodes"]
    assert len(year) == 2
    bad = api.client.post(
        "/graphql",
        json={"query": query, "variables": {"t": api.tenant, "p": "last year"}},
        headers=READER,
    ).json()
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
