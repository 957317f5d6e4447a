"""Field-level history: each history entry's changes (record by record, field by
field, before and after) and `tenant.changes` over a range of the log, with
personal data masked as in the fields themselves."""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import event

from projections import changes
from tests.api.conftest import READER, Api, Community, Street, manager_token

CHANGE = "table key recordId kind fields { field before after } before after"

HISTORY = (
    "query($t: ID!, $m: ID!) { tenant(id: $t) { meeting(id: $m) { history { position type "
    "reason actor { role } recordedAt occurredAt changes { " + CHANGE + " } } } } }"
)

RANGE = (
    "query($t: ID!, $from: Int, $to: Int, $fromTime: DateTime, $toTime: DateTime, "
    "$first: Int! = 100, $after: String, $last: Int, $before: String) { tenant(id: $t) { "
    "changes(fromPosition: $from, toPosition: $to, from: $fromTime, to: $toTime, "
    "first: $first, after: $after, last: $last, before: $before) { totalCount "
    "edges { cursor node { " + CHANGE + " } } pageInfo { hasNextPage hasPreviousPage "
    "startCursor endCursor } } } }"
)


def _hold(street: Street) -> None:
    """Sign in, open, decide and close the street's meeting."""
    api, (a, b, _), m = street.api, street.units, street.meeting
    api.t(f"/meetings/{m}/sign-ins", {"unit_id": a, "attendee": "张经理"})
    api.t(f"/meetings/{m}/sign-ins", {"unit_id": b, "attendee": "王副局长"})
    api.t(f"/meetings/{m}/open", {"chair_unit_id": a})
    api.t(f"/meetings/{m}/agenda-items/lift/positions", {"unit_id": a, "position": "agree"})
    api.t(
        f"/meetings/{m}/agenda-items/lift/decision",
        {"action": "完成意见征询", "responsible_unit_ids": [a], "deadline": "2025-10-31"},
    )
    api.t(f"/meetings/{m}/close")


def _history(api: Api, meeting: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = api.gql(HISTORY, t=api.tenant, m=meeting)["data"]["tenant"][
        "meeting"
    ]["history"]
    return found


def _range(api: Api, **variables: Any) -> dict[str, Any]:
    data = api.gql(RANGE, t=api.tenant, **variables)
    found: dict[str, Any] = data["data"]["tenant"]["changes"]
    return found


def test_a_correction_shows_only_the_field_it_changed(street: Street) -> None:
    api, m = street.api, street.meeting
    _hold(street)
    api.t(f"/meetings/{m}/minutes", {"text": "会议纪要"})
    api.t(f"/meetings/{m}/minutes/corrections", {"text": "会议纪要（更正）", "reason": "错字"})

    correction = _history(api, m)[-1]
    assert correction["type"] == "MinutesCorrected" and correction["reason"] == "错字"
    assert correction["actor"]["role"] == "street_admin" and correction["recordedAt"]
    [change] = correction["changes"]
    assert change["table"] == "rm_meetings"
    assert change["key"] == {"id": m} and change["recordId"] == m
    assert change["kind"] == "CHANGED"
    # The minutes and nothing else (the meeting's version is the entry's own).
    assert change["fields"] == [
        {"field": "minutes", "before": "会议纪要", "after": "会议纪要（更正）"}
    ]
    assert change["before"]["minutes"] == "会议纪要"
    assert change["after"]["minutes"] == "会议纪要（更正）"
    assert change["before"]["title"] == change["after"]["title"] == "九月例会"
    assert change["after"]["status"] == "closed" and "version" not in change["after"]


def test_a_created_record_has_no_before_and_an_ended_one_no_after(street: Street) -> None:
    api, m = street.api, street.meeting
    history = _history(api, m)
    scheduled, item_added = history[0], history[1]
    [created] = scheduled["changes"]
    assert created["kind"] == "CREATED" and created["before"] is None
    fields = {f["field"]: f for f in created["fields"]}
    assert fields["title"] == {"field": "title", "before": None, "after": "九月例会"}
    assert fields["status"]["after"] == "scheduled"
    assert fields["scheduledFor"]["after"].startswith("2025-09-01T09:00:00")
    # Null before and after is no change: no minutes yet.
    assert "minutes" not in fields and "version" not in fields
    assert created["after"]["minutes"] is None
    # Adding an item writes the item; the meeting only moves to a new version.
    [item] = item_added["changes"]
    assert item["table"] == "rm_agenda_items"
    assert item["key"] == {"meetingId": m, "id": "lift"}
    assert item["recordId"] == f"{m}/lift"
    assert {"field": "title", "before": None, "after": "加装电梯"} in item["fields"]

    # Postponing ends the notice's attendance rows and reschedules the meeting.
    api.t(
        f"/meetings/{m}/postpone", {"scheduled_for": "2025-09-20T09:00:00+08:00", "reason": "台风"}
    )
    postponed = _history(api, m)[-1]
    assert postponed["type"] == "Postponed"
    by_table: dict[str, list[dict[str, Any]]] = {}
    for change in postponed["changes"]:
        by_table.setdefault(change["table"], []).append(change)
    assert sorted(by_table) == ["rm_attendance", "rm_meetings"]
    [meeting] = by_table["rm_meetings"]
    changed = {f["field"]: (f["before"], f["after"]) for f in meeting["fields"]}
    assert sorted(changed) == ["noticeIssuedAt", "scheduledFor", "status"]
    assert changed["status"] == ("noticed", "scheduled")
    assert changed["noticeIssuedAt"][1] is None
    ended = by_table["rm_attendance"]
    assert sorted(c["key"]["unitId"] for c in ended) == sorted(street.units)
    for change in ended:
        assert change["kind"] == "ENDED" and change["after"] is None
        assert all(f["after"] is None for f in change["fields"])
        assert change["before"]["notified"] is True


def test_a_range_collapses_each_record_to_its_first_before_and_last_after(
    street: Street,
) -> None:
    api, m = street.api, street.meeting
    _hold(street)
    closed = api.head()
    api.t(f"/meetings/{m}/minutes", {"text": "会议纪要"})
    api.t(f"/meetings/{m}/minutes/corrections", {"text": "初稿二", "reason": "错字"})
    api.t(f"/meetings/{m}/minutes/corrections", {"text": "定稿", "reason": "再改"})
    head = api.head()

    found = _range(api, **{"from": closed, "to": head})
    # The meeting, and a receipt row for each of the three units the minutes went to.
    assert found["totalCount"] == 1 + len(street.units)
    nodes = [edge["node"] for edge in found["edges"]]
    receipts = [n for n in nodes if n["table"] == "rm_minutes_receipts"]
    assert len(receipts) == 3 and all(n["kind"] == "CREATED" for n in receipts)
    [change] = [n for n in nodes if n["table"] == "rm_meetings"]
    assert change["kind"] == "CHANGED"
    changed = {f["field"]: (f["before"], f["after"]) for f in change["fields"]}
    # Three events, one change: from no minutes to the last correction.
    assert sorted(changed) == ["minutes", "minutesIssuedAt"]
    assert changed["minutes"] == (None, "定稿")
    assert change["before"]["status"] == change["after"]["status"] == "closed"

    # The range between two corrections holds the second alone.
    between = _range(api, **{"from": head - 1, "to": head})["edges"]
    assert [e["node"]["fields"] for e in between] == [
        [{"field": "minutes", "before": "初稿二", "after": "定稿"}]
    ]
    # A range ending where it starts holds nothing; one read as of a position stops there.
    assert _range(api, **{"from": head, "to": head})["totalCount"] == 0
    as_of = api.gql(
        "query($t: ID!, $p: Int!) { tenant(id: $t, atPosition: $p) { changes(fromPosition: 0) "
        "{ totalCount nodes { table recordId } } } }",
        t=api.tenant,
        p=closed,
    )["data"]["tenant"]["changes"]
    assert as_of["totalCount"] == _range(api, **{"from": 0, "to": closed})["totalCount"]


def test_positions_and_times_agree(street: Street) -> None:
    api, m = street.api, street.meeting
    _hold(street)
    api.t(f"/meetings/{m}/minutes", {"text": "会议纪要"})
    api.t(f"/meetings/{m}/minutes/corrections", {"text": "定稿", "reason": "错字"})
    events = api.gql(
        "query($t: ID!) { tenant(id: $t) { events(first: 100) { nodes { position recordedAt } } } }",
        t=api.tenant,
    )["data"]["tenant"]["events"]["nodes"]
    recorded = {e["position"]: e["recordedAt"] for e in events}
    head = max(recorded)
    start = head - 4

    def position_of(moment: str) -> int:
        data = api.gql(
            "query($t: ID!, $at: DateTime!) { tenant(id: $t, asOf: $at) { asOfPosition } }",
            t=api.tenant,
            at=moment,
        )
        return int(data["data"]["tenant"]["asOfPosition"])

    # Each event is recorded by its own request: its time names its position.
    assert position_of(recorded[start]) == start and position_of(recorded[head]) == head
    by_time = _range(api, fromTime=recorded[start], toTime=recorded[head])
    by_position = _range(api, **{"from": start, "to": head})
    assert by_time == by_position
    assert by_position["totalCount"] >= 2  # the meeting, its item, its resolution...
    # Mixed: a position at one end, a time at the other.
    assert _range(api, **{"from": start}, toTime=recorded[head]) == by_position


def test_changes_are_paged_both_ways(street: Street) -> None:
    api = street.api
    everything = _range(api)
    total = everything["totalCount"]
    assert total == len(everything["edges"]) > 6  # tenant, units, meeting, item, attendance
    ids = [(e["node"]["table"], e["node"]["recordId"]) for e in everything["edges"]]
    pages, after = [], None
    while True:
        page = _range(api, first=3, after=after)
        assert page["totalCount"] == total
        pages += [(e["node"]["table"], e["node"]["recordId"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        after = page["pageInfo"]["endCursor"]
    assert pages == ids
    last = _range(api, last=2, before=everything["edges"][-1]["cursor"], first=1)
    assert [(e["node"]["table"], e["node"]["recordId"]) for e in last["edges"]] == ids[-3:-1]
    assert last["pageInfo"]["hasNextPage"] and last["pageInfo"]["hasPreviousPage"]


def test_history_of_a_page_costs_one_query_per_table_not_per_event(street: Street) -> None:
    api, m = street.api, street.meeting
    _hold(street)
    engine = api.client.app.state.platform.engine  # type: ignore[attr-defined]
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    def selects(page: int) -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            api.gql(
                "query($t: ID!, $n: Int!) { tenant(id: $t) { events(first: $n) { nodes { "
                "changes { table fields { field } } } } } }",
                t=api.tenant,
                n=page,
            )
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))

    assert api.head() >= 14
    tables = len(changes.temporal_records())
    # As many for fourteen events as for two: the batch reads each table once.
    fourteen = selects(14)
    assert tables <= fourteen <= tables + 6
    assert selects(2) == fourteen
    assert _history(api, m)[-1]["changes"]  # (and the history answers)


def _issued(community: Community, role: str) -> dict[str, str]:
    api = community.api
    issuer = manager_token(community.street, api.streets)
    body = {"role": role, "user_id": f"{role}-1"}
    token = api.post(f"/tenants/{api.tenant}/tokens", body, 201, headers=issuer)["token"]
    return {"Authorization": f"Bearer {token}"}


def test_a_diff_masks_personal_data_as_its_field_does(community: Community) -> None:
    api = community.api
    unit = community.units[0]
    start = api.head()
    api.t(f"/units/{unit}/liaison", {"name": "王芳", "phone": "+86 13800138000"})
    api.t(f"/units/{unit}/liaison", {"name": "王芳芳", "phone": "+86 13900139000"})
    member = community.member("张伟", "in_service", work_unit="区卫生院")
    query = (
        "query($t: ID!, $m: ID!, $from: Int!) { tenant(id: $t) { "
        "units(first: 2) { nodes { id liaison { name phone } history { changes { "
        + CHANGE
        + " } } } } "
        "member(id: $m) { name history { changes { " + CHANGE + " } } } "
        "changes(fromPosition: $from, first: 10) { nodes { " + CHANGE + " } } } }"
    )
    variables = {"t": api.tenant, "m": member, "from": start}

    def read(headers: dict[str, str]) -> tuple[dict[str, Any], str]:
        response = api.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        data = response.json()
        assert "errors" not in data, data
        return data["data"]["tenant"], json.dumps(data, ensure_ascii=False)

    admin, admin_text = read(manager_token(community.street, api.streets))
    integrator, integrator_text = read(_issued(community, "integrator"))

    def liaison(tenant: dict[str, Any]) -> Any:
        [ours] = [node for node in tenant["units"]["nodes"] if node["id"] == unit]
        [change] = ours["history"][-1]["changes"]
        [field] = change["fields"]
        assert field["field"] == "liaison"
        # Masked exactly as the unit's own field is for the same reader.
        assert change["after"]["liaison"] == field["after"] == ours["liaison"]
        return field["before"], field["after"]

    assert liaison(admin) == (
        {"name": "王芳", "phone": "+86 13800138000"},
        {"name": "王芳芳", "phone": "+86 13900139000"},
    )
    assert liaison(integrator) == (
        {"name": "王*", "phone": "+** *******8000"},
        {"name": "王**", "phone": "+** *******9000"},
    )

    def registered(tenant: dict[str, Any]) -> dict[str, Any]:
        [change] = tenant["member"]["history"][0]["changes"]
        return {f["field"]: f["after"] for f in change["fields"]}

    assert registered(admin)["name"] == "张伟" and registered(admin)["workUnit"] == "区卫生院"
    # Masked exactly as the member's own fields are for the same reader.
    assert registered(integrator)["name"] == integrator["member"]["name"] == "张*"
    assert "workUnit" in registered(integrator) and registered(integrator)["workUnit"] is None
    for secret in ("王芳", "13800138000", "13900139000", "张伟", "区卫生院"):
        assert secret in admin_text
        assert secret not in integrator_text, secret
    # The range shows the same records, masked the same way.
    ranged = {(c["table"], c["recordId"]): c for c in integrator["changes"]["nodes"]}
    assert ranged[("rm_units", unit)]["after"]["liaison"]["name"] == "王**"
    assert ranged[("rm_units", unit)]["before"]["liaison"] is None
    assert ranged[("rm_members", member)]["after"]["name"] == "张*"


def test_out_of_range_arguments_are_refused(street: Street) -> None:
    api = street.api
    head = api.head()
    later = "2999-01-01T00:00:00+00:00"
    for arguments in (
        f"toPosition: {head + 1}",
        "fromPosition: -1",
        f"fromPosition: {head}, toPosition: {head - 1}",
        f'fromPosition: 1, from: "{later}"',
        f'toPosition: 1, to: "{later}"',
        'from: "2999-01-01T00:00:00+00:00", toPosition: 1',
        'after: "@@"',
        f'after: "{base64.urlsafe_b64encode(b"r:[[1]]").decode()}"',
        f'before: "{base64.urlsafe_b64encode(b"k:[1]").decode()}", last: 1',
        "first: 0",
        "first: 1000",
    ):
        query = "query($t: ID!) { tenant(id: $t) { changes(" + arguments + ") { totalCount } } }"
        result = api.client.post(
            "/graphql", json={"query": query, "variables": {"t": api.tenant}}, headers=READER
        ).json()
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", arguments
    # Read as of a position, a range may not pass it.
    query = (
        "query($t: ID!, $p: Int!, $to: Int!) { tenant(id: $t, atPosition: $p) { "
        "changes(toPosition: $to) { totalCount } } }"
    )
    result = api.client.post(
        "/graphql",
        json={"query": query, "variables": {"t": api.tenant, "p": 3, "to": 4}},
        headers=READER,
    ).json()
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


RECORD_HISTORY = (
    "query($t: ID!, $id: ID!, $at: Int) { tenant(id: $t, atPosition: $at) { "
    "recordHistory(id: $id) { position type recordType recordId changes { recordId } } } }"
)


def test_any_records_history_is_read_by_the_id_its_events_name(street: Street) -> None:
    api, m = street.api, street.meeting

    def record_history(record_id: str, at: int | None = None) -> list[dict[str, Any]]:
        data = api.gql(RECORD_HISTORY, t=api.tenant, id=record_id, at=at)
        found: list[dict[str, Any]] = data["data"]["tenant"]["recordHistory"]
        return found

    noticed = api.head()
    _hold(street)
    # The meeting's: exactly what its own history gives.
    meeting = record_history(m)
    assert [e["position"] for e in meeting] == [e["position"] for e in _history(api, m)]
    assert meeting[0]["type"] == "Scheduled" and meeting[-1]["type"] == "Closed"
    # An agenda item's, by the id a change names it by: added, a position, decided,
    # and the resolution the decision adopted.
    item = record_history(f"{m}/lift")
    assert [e["type"] for e in item] == [
        "AgendaItemAdded", "PositionRecorded", "ItemDecided", "Adopted"
    ]  # fmt: skip
    assert f"{m}/lift" in {c["recordId"] for c in item[0]["changes"]}
    # That resolution's own history, by its id: the decision, then its adoption.
    adopted = item[-1]
    assert adopted["recordType"] == "Resolution"
    resolution = [e["type"] for e in record_history(adopted["recordId"])]
    assert resolution[-2:] == ["ItemDecided", "Adopted"]
    # Read as of a position: what was recorded by then; an unknown id has none.
    assert [e["position"] for e in record_history(m, noticed)] == [
        e["position"] for e in meeting if e["position"] <= noticed
    ]
    assert record_history("no-such-record") == []
