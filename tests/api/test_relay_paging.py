"""Relay connections both ways: first/after and last/before walk the same list,
pageInfo says what lies on either side, totalCount counts the whole (filtered,
as-of) list, and the event feed answers "everything since position P"."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api, Street, manager_token

PAGE = """query($t: ID!, $first: Int, $after: String, $last: Int, $before: String, $at: Int) {
  tenant(id: $t, atPosition: $at) {
    meetings(first: $first, after: $after, last: $last, before: $before) {
      nodes { title } totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }"""


def _meetings(api: Api, **window: Any) -> dict[str, Any]:
    variables = {"first": 20, "after": None, "last": None, "before": None, "at": None, **window}
    result: dict[str, Any] = api.gql(PAGE, t=api.tenant, **variables)["data"]["tenant"]["meetings"]
    return result


def test_paging_forward_and_backward_walks_the_same_list(street: Street) -> None:
    api = street.api
    before_new = api.head()
    for n in range(6):  # with the fixture's meeting: seven, newest first
        api.t("/meetings", {"kind": "regular", "title": f"会议{n}", "location": "室",
                            "scheduled_for": "2025-12-01T09:00:00+08:00"}, 201)  # fmt: skip
    everything = [m["title"] for m in _meetings(api)["nodes"]]
    assert len(everything) == 7 and everything[0] == "会议5" and everything[-1] == "九月例会"

    forward, after, infos = [], None, []
    while True:
        page = _meetings(api, first=3, after=after)
        forward += [m["title"] for m in page["nodes"]]
        infos.append(page["pageInfo"])
        assert page["totalCount"] == 7
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert forward == everything
    assert [i["hasPreviousPage"] for i in infos] == [False, True, True]
    assert [i["hasNextPage"] for i in infos] == [True, True, False]

    backward: list[str] = []
    before, infos = None, []
    while True:
        page = _meetings(api, last=3, before=before)
        backward = [m["title"] for m in page["nodes"]] + backward
        infos.append(page["pageInfo"])
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert backward == everything
    assert [i["hasNextPage"] for i in infos] == [False, True, True]
    # Counting respects the moment asked: before the six new meetings, one.
    then = _meetings(api, at=before_new)
    assert then["totalCount"] == 1 and [m["title"] for m in then["nodes"]] == ["九月例会"]


def test_the_feed_answers_everything_since_a_position(street: Street) -> None:
    api = street.api
    head = api.head()
    query = """query($t: ID!, $p: Int!) { tenant(id: $t) { events(afterPosition: $p, first: 100) {
      nodes { position } totalCount pageInfo { hasPreviousPage } } } }"""
    since = api.gql(query, t=api.tenant, p=head - 2)["data"]["tenant"]["events"]
    assert [e["position"] for e in since["nodes"]] == [head - 1, head]
    assert since["pageInfo"]["hasPreviousPage"] is True and since["totalCount"] == head
    both = query.replace("afterPosition: $p", 'afterPosition: $p, after: "Yzox"')
    response = api.client.post(
        "/graphql",
        json={"query": both, "variables": {"t": api.tenant, "p": 1}},
        headers=manager_token(api.tenant, api.streets),
    ).json()
    assert response["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_the_feed_filters_by_when_facts_happened_and_when_they_were_recorded(
    street: Street,
) -> None:
    api = street.api
    api.t("/units", {"name": "旧单位", "kind": "enterprise",
                     "occurred_at": "2024-01-01T10:00:00+08:00"}, 201)  # fmt: skip
    query = """query($t: ID!, $of: DateTime, $ot: DateTime, $rf: DateTime, $rt: DateTime) {
      tenant(id: $t) { events(first: 100, occurredFrom: $of, occurredTo: $ot,
                              recordedFrom: $rf, recordedTo: $rt) {
        totalCount nodes { type occurredAt } } } }"""

    def feed(**window: str | None) -> dict[str, Any]:
        variables: dict[str, Any] = {"of": None, "ot": None, "rf": None, "rt": None, **window}
        tenant: dict[str, Any] = api.gql(query, t=api.tenant, **variables)["data"]["tenant"]
        events: dict[str, Any] = tenant["events"]
        return events

    happened = feed(of="2024-01-01T00:00:00+08:00", ot="2024-01-02T00:00:00+08:00")
    assert happened["totalCount"] == 1 and happened["nodes"][0]["type"] == "Joined"
    everything = feed()["totalCount"]
    assert everything == api.head()
    assert feed(rf="2000-01-01T00:00:00Z")["totalCount"] == everything
    assert feed(rt="2000-01-01T00:00:00Z")["totalCount"] == 0
    # Recorded now, it happened in 2024: outside "happened since 2025".
    assert feed(of="2025-01-01T00:00:00Z")["totalCount"] == everything - 1


def test_filters_are_typed_enums(street: Street) -> None:
    api = street.api
    typed = "query($t: ID!) { tenant(id: $t) { meetings(status: NOTICED) { totalCount } } }"
    assert api.gql(typed, t=api.tenant)["data"]["tenant"]["meetings"]["totalCount"] == 1
    for wrong in ('status: "noticed"', "status: HELD_IN_SECRET"):
        query = typed.replace("status: NOTICED", wrong)
        refused = api.client.post(
            "/graphql",
            json={"query": query, "variables": {"t": api.tenant}},
            headers=manager_token(api.tenant, api.streets),
        )
        assert refused.status_code == 400, refused.text
        assert refused.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
