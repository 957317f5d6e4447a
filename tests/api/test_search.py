"""Full-text search in Chinese: every searchable kind is found by a word of it (two
characters or more), within the reader's tenants, as of a past position, never by
personal data, and bad queries are refused with a reason."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import MEETING_AT, READER, Api, Community, Street, manager_token

HIT = "kind kindLabel tenantId recordId nodeId title snippet field position"
SEARCH = f"""query($t: ID!, $q: String!, $p: Int, $k: [SearchKind!], $first: Int, $after: String,
                  $last: Int, $before: String) {{
  tenant(id: $t, atPosition: $p) {{
    search(query: $q, kinds: $k, first: $first, after: $after, last: $last, before: $before) {{
      totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
      edges {{ cursor node {{ {HIT} }} }} }} }} }}"""
EVERYWHERE = f"""query($q: String!, $ts: [ID!]) {{
  search(query: $q, tenants: $ts, first: 100) {{ totalCount nodes {{ {HIT} }} }} }}"""
NODE = """query($n: ID!) { node(id: $n) { __typename
  ... on Meeting { id title minutes } ... on AgendaItem { id title }
  ... on Resolution { id title } ... on Commitment { id text } } }"""


def _post(api: Api, query: str, headers: dict[str, str], **variables: Any) -> dict[str, Any]:
    response = api.client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body: dict[str, Any] = response.json()
    return body


def _search(api: Api, q: str, **variables: Any) -> dict[str, Any]:
    """Search the api's tenant as its manager."""
    variables.setdefault("first", 100)
    found: dict[str, Any] = api.gql(SEARCH, t=api.tenant, q=q, **variables)["data"]["tenant"]
    page: dict[str, Any] = found["search"]
    return page


def _hits(api: Api, q: str, **variables: Any) -> list[dict[str, Any]]:
    return [edge["node"] for edge in _search(api, q, **variables)["edges"]]


def _hold(street: Street, minutes: str, action: str = "筹集资金") -> None:
    """Hold the street's meeting: its one item agreed, its minutes issued."""
    api, (a, b, _c), m = street.api, street.units, street.meeting
    for unit in (a, b):
        api.t(f"/meetings/{m}/sign-ins", {"unit_id": unit, "attendee": "代表"})
    api.t(f"/meetings/{m}/open", {"chair_unit_id": a})
    api.t(f"/meetings/{m}/agenda-items/lift/positions", {"unit_id": a, "position": "agree"})
    api.t(f"/meetings/{m}/agenda-items/lift/decision",
          {"action": action, "responsible_unit_ids": [a], "deadline": "2025-12-31"})  # fmt: skip
    api.t(f"/meetings/{m}/close")
    api.t(f"/meetings/{m}/minutes", {"text": minutes})


def _meeting(api: Api, title: str, location: str = "会议室", path: str = "") -> str:
    body = {"kind": "regular", "title": title, "location": location,
            "scheduled_for": MEETING_AT.isoformat()}  # fmt: skip
    return str(api.post(f"{path or f'/tenants/{api.tenant}'}/meetings", body, 201)["record_id"])


def test_a_word_finds_records_of_every_kind_and_each_hit_fetches_its_record(
    street: Street,
) -> None:
    api = street.api
    _hold(street, "会议同意老旧小区加装电梯，由光明乳业牵头。")
    _meeting(api, "加装电梯协调会")
    maker = street.units[0]
    api.t("/commitments", {"maker_kind": "unit_party_organisation", "maker_id": maker,
                           "text": "年内完成加装电梯", "category": "民生",
                           "due": "2030-12-31"}, 201)  # fmt: skip

    hits = _hits(api, "电梯")
    assert sorted(h["kind"] for h in hits) == sorted(
        ["AGENDA_ITEM", "RESOLUTION", "MINUTES", "MEETING", "COMMITMENT"]
    )
    labels = {h["kind"]: h["kindLabel"] for h in hits}
    assert labels["MINUTES"] == "会议纪要" and labels["AGENDA_ITEM"] == "议题"
    minutes = next(h for h in hits if h["kind"] == "MINUTES")
    assert minutes["field"] == "minutes" and minutes["title"] == "九月例会"
    assert "加装电梯" in minutes["snippet"]
    expected = {"MEETING": "Meeting", "MINUTES": "Meeting", "AGENDA_ITEM": "AgendaItem",
                "RESOLUTION": "Resolution", "COMMITMENT": "Commitment"}  # fmt: skip
    for hit in hits:
        assert hit["tenantId"] == api.tenant
        node = api.gql(NODE, t=api.tenant, n=hit["nodeId"])["data"]["node"]
        assert node["__typename"] == expected[hit["kind"]], hit
        assert hit["recordId"].split("/")[-1] == node["id"], (hit, node)
    item = next(h for h in hits if h["kind"] == "AGENDA_ITEM")
    assert item["recordId"] == f"{street.meeting}/lift" and item["title"] == "加装电梯"
    record = "record { __typename ... on AgendaItem { id status } }"
    query = SEARCH.replace("position } }", f"position {record} }} }}", 1)
    found = api.gql(query, t=api.tenant, q="电梯", k=["AGENDA_ITEM"])["data"]["tenant"]["search"]
    assert [e["node"]["record"] for e in found["edges"]] == [
        {"__typename": "AgendaItem", "id": "lift", "status": "decided"}
    ]


def test_one_two_and_more_characters_and_several_terms_find_the_same_record(
    street: Street,
) -> None:
    api = street.api  # the street's meeting has the agenda item 加装电梯
    for q in ("梯", "电梯", "装电梯", "加装电梯", "电梯 加装", "  加装\u3000电梯  "):
        hits = _hits(api, q, k=["AGENDA_ITEM"])
        assert [h["recordId"] for h in hits] == [f"{street.meeting}/lift"], q
    for q in ("电梯加装", "加装 电梯 坡道", "扶梯"):
        assert _hits(api, q, k=["AGENDA_ITEM"]) == [], q


def test_a_term_never_matches_across_two_fields(street: Street) -> None:
    api = street.api
    _hold(street, "同意。", action="筹集资金")  # the resolution: title 加装电梯, action 筹集资金
    assert [h["kind"] for h in _hits(api, "电梯 筹集")] == ["RESOLUTION"]
    assert _hits(api, "电梯筹集") == [] and _hits(api, "梯筹") == []
    resolution = _hits(api, "筹集资金")[0]
    assert (resolution["field"], resolution["snippet"]) == ("action", "筹集资金")


def test_full_width_digits_and_letters_find_their_ascii_forms_and_back(street: Street) -> None:
    api = street.api
    _meeting(api, "３号楼ＷｉＦｉ改造")
    _meeting(api, "5号楼wifi改造")
    assert [h["title"] for h in _hits(api, "3号楼", k=["MEETING"])] == ["3号楼WiFi改造"]
    assert [h["title"] for h in _hits(api, "５号楼", k=["MEETING"])] == ["5号楼wifi改造"]
    assert len(_hits(api, "WIFI", k=["MEETING"])) == 2


def test_titles_holding_every_term_come_first_then_the_newest_and_pages_are_stable(
    street: Street,
) -> None:
    api = street.api
    in_title = [_meeting(api, f"电梯议事会{n}") for n in range(4)]
    in_place = _meeting(api, "楼道议事会", location="电梯厅")
    hits = _hits(api, "电梯", k=["MEETING"])
    assert [h["recordId"] for h in hits] == [*in_title[::-1], in_place]
    assert [h["field"] for h in hits] == ["title"] * 4 + ["location"]

    seen, after = [], None
    while True:
        page = _search(api, "电梯", k=["MEETING"], first=2, after=after)
        assert page["totalCount"] == 5
        seen += [e["node"]["recordId"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [h["recordId"] for h in hits]
    last = page["pageInfo"]["startCursor"]  # the fifth hit's
    back = _search(api, "电梯", k=["MEETING"], last=2, before=last)
    assert [e["node"]["recordId"] for e in back["edges"]] == seen[2:4]
    assert back["pageInfo"]["hasPreviousPage"] and back["pageInfo"]["hasNextPage"]


def test_a_past_position_finds_the_text_as_it_was_then(street: Street) -> None:
    api, m = street.api, street.meeting
    before_minutes = api.head()
    _hold(street, "初稿：同意加装电梯。")
    drafted = api.head()
    api.t(
        f"/meetings/{m}/minutes/corrections",
        {"text": "定稿：同意增设无障碍坡道。", "reason": "更正"},
    )
    assert _hits(api, "电梯", k=["MINUTES"]) == []
    assert [h["snippet"] for h in _hits(api, "坡道", k=["MINUTES"])] == [
        "定稿：同意增设无障碍坡道。"
    ]
    then = _hits(api, "电梯", k=["MINUTES"], p=drafted)
    assert [(h["snippet"], h["position"]) for h in then] == [("初稿：同意加装电梯。", drafted)]
    assert _hits(api, "坡道", p=drafted) == []
    assert _hits(api, "电梯", k=["MINUTES"], p=before_minutes) == []
    assert len(_hits(api, "电梯", k=["AGENDA_ITEM"], p=before_minutes)) == 1


def test_withdrawn_items_and_commitments_leave_the_search_but_stay_in_the_past(
    street: Street,
) -> None:
    api, m = street.api, street.meeting
    extra = _meeting(api, "十月例会")
    api.t(f"/meetings/{extra}/agenda-items", {"title": "楼顶防水", "item_id": "roof"}, 201)
    maker = street.units[0]
    made = api.t("/commitments", {"maker_kind": "unit_party_organisation", "maker_id": maker,
                                  "text": "修缮楼顶防水层", "category": "民生",
                                  "due": "2030-12-31"}, 201)["record_id"]  # fmt: skip
    standing = api.head()
    api.t(f"/meetings/{extra}/agenda-items/roof/withdraw", {"reason": "并入下次"})
    api.t(f"/commitments/{made}/withdrawal", {"reason": "场地收回"})
    assert _hits(api, "防水") == []
    assert sorted(h["kind"] for h in _hits(api, "防水", p=standing)) == [
        "AGENDA_ITEM",
        "COMMITMENT",
    ]
    assert len(_hits(api, "电梯", k=["AGENDA_ITEM"])) == 1, f"{m}'s item is not withdrawn"


def _sibling(community: Community) -> str:
    """A second community of the same street."""
    api = community.api
    sibling = f"{api.tenant}-b"
    api.post("/tenants", {"tenant_id": sibling, "kind": "community",
                          "parent_id": community.street, "name": "枫林社区"}, 201)  # fmt: skip
    return sibling


def test_a_reader_finds_only_what_its_tenants_hold(community: Community) -> None:
    api, street = community.api, community.street
    sibling = _sibling(community)
    for tenant in (api.tenant, sibling, street):
        _meeting(api, f"电梯议事会 {tenant}", path=f"/tenants/{tenant}")
    ours = [api.tenant, sibling, street]

    def tenants_found(headers: dict[str, str], **variables: Any) -> set[str]:
        answer = _post(api, EVERYWHERE, headers, q="电梯议事会", **variables)
        assert "errors" not in answer, answer
        return {hit["tenantId"] for hit in answer["data"]["search"]["nodes"]}

    secretary = manager_token(api.tenant, api.streets)
    assert tenants_found(secretary) == {api.tenant}
    assert tenants_found(secretary, ts=[sibling, street]) == set()
    other = _post(api, SEARCH, secretary, t=sibling, q="电梯")
    assert other["data"] == {"tenant": None}
    admin = manager_token(street, api.streets)
    assert tenants_found(admin) == set(ours)
    assert tenants_found(admin, ts=[sibling]) == {sibling}
    assert tenants_found(READER, ts=ours) == set(ours)
    integrator = {"Authorization": f"Bearer dev:int-1:integrator:{sibling}"}
    assert tenants_found(integrator) == {sibling}


def test_personal_data_is_never_searched_and_stays_masked_in_hits(community: Community) -> None:
    api = community.api
    meeting = _meeting(api, "电梯议事会")
    api.t(f"/meetings/{meeting}/agenda-items", {"title": "加装电梯", "item_id": "lift"}, 201)
    api.t(f"/meetings/{meeting}/notice", {"issued_at": "2025-08-20T09:00:00+00:00"})
    api.t(f"/meetings/{meeting}/sign-ins", {"unit_id": community.units[0], "attendee": "欧阳修远"})
    community.member("司马光明")
    integrator = {"Authorization": f"Bearer dev:int-1:integrator:{api.tenant}"}
    secretary = manager_token(api.tenant, api.streets)
    for reader in (secretary, integrator):
        for name in ("欧阳修远", "欧阳", "司马光明"):
            answer = _post(api, SEARCH, reader, t=api.tenant, q=name)
            assert answer["data"]["tenant"]["search"]["totalCount"] == 0, (reader, name)
    query = SEARCH.replace(
        "position } }", "position record { ... on Meeting { attendance { attendee } } } } }", 1
    )
    answer = _post(api, query, integrator, t=api.tenant, q="电梯", k=["MEETING"])
    (hit,) = [e["node"] for e in answer["data"]["tenant"]["search"]["edges"]]
    assert "欧阳" not in str(hit)
    assert sorted(a["attendee"] or "" for a in hit["record"]["attendance"]) == ["", "欧***"]


def test_bad_queries_and_arguments_are_refused_with_a_reason(street: Street) -> None:
    api = street.api
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"q": "   "}, "query", "EMPTY"),
        ({"q": "电" * 101}, "query", "TOO_LONG"),
        ({"q": "电\u0007梯"}, "query", "CONTROL_CHARACTER"),
        ({"q": "加装\n电梯"}, "query", "CONTROL_CHARACTER"),
        ({"q": "一 二 三 四 五 六 七 八 九"}, "query", "TOO_MANY_TERMS"),
        ({"q": "电梯", "first": 0}, "first", "OUT_OF_RANGE"),
        ({"q": "电梯", "after": "@@"}, "after", "MALFORMED_CURSOR"),
    ]
    for variables, argument, reason in cases:
        answer = _post(api, SEARCH, READER, t=api.tenant, **variables)
        (error,) = answer["errors"]
        assert error["extensions"] == {
            "code": "BAD_USER_INPUT",
            "argument": argument,
            "reason": reason,
        }, (variables, error)
    many = _post(api, EVERYWHERE, READER, q="电梯", ts=[f"t{n}" for n in range(201)])
    assert many["errors"][0]["extensions"]["reason"] == "TOO_MANY_TENANTS"
