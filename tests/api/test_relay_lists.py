"""The tenant tree's and a tenant's other growing lists are connections too: each
walks page by page forwards (first/after) and backwards (last/before) to the same
list as one large page, across rows that tie on their sort column (the record id
breaks the tie, so no row is skipped or repeated at a page boundary), with a
totalCount that follows the list's filters, the reader's tenants and the position
read at."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.conftest import Api, Community, Street, manager_token

WINDOW = "first: $first, after: $after, last: $last, before: $before"
PAGE = "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
VARIABLES = "$first: Int, $after: String, $last: Int, $before: String"
SOURCES = [{"id": "inspection", "label": "街道检查", "weight": "1"}]

Read = Callable[..., dict[str, Any]]
Key = tuple[Any, ...]


def _post_graphql(api: Api, query: str, headers: dict[str, str], **variables: Any) -> Any:
    response = api.client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert "errors" not in answer, answer
    return answer["data"]


def _tenant_list(
    api: Api, field: str, filters: str = "", *, at: int | None = None, select: str = "id"
) -> Read:
    """Pages of one of the api tenant's lists, read as its manager (as of ``at``)."""
    name = field
    arguments = ", ".join(a for a in (WINDOW, filters) if a)
    query = (
        f"query($t: ID!, $at: Int, {VARIABLES}) {{ tenant(id: $t, atPosition: $at) {{ "
        f"{name}({arguments}) {{ {PAGE} nodes {{ {select} }} }} }} }}"
    )

    def read(**window: Any) -> dict[str, Any]:
        data = _post_graphql(api, query, manager_token(api.tenant, api.streets),
                             t=api.tenant, at=at, **window)  # fmt: skip
        found: dict[str, Any] = data["tenant"][name]
        return found

    return read


def _walk(read: Read, size: int = 2) -> list[Key]:
    """The whole list (its nodes' keys), checked to be the same read as one page,
    forwards in pages of ``size`` and backwards; each page's flags and total checked."""
    whole = read(first=100, after=None, last=None, before=None)
    listed = [tuple(node.values()) for node in whole["nodes"]]
    total = whole["totalCount"]
    assert len(listed) == total and len(set(listed)) == total, whole
    assert whole["pageInfo"]["hasNextPage"] is False
    assert whole["pageInfo"]["hasPreviousPage"] is False

    forward: list[Key] = []
    after = None
    while True:
        page = read(first=size, after=after, last=None, before=None)
        assert page["totalCount"] == total
        assert len(page["nodes"]) <= size
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        forward += [tuple(node.values()) for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert len(page["nodes"]) == size
        after = page["pageInfo"]["endCursor"]
    assert forward == listed
    if listed:
        end = page["pageInfo"]["endCursor"]
        past = read(first=size, after=end, last=None, before=None)
        assert past["nodes"] == [] and past["pageInfo"]["hasNextPage"] is False
        assert past["pageInfo"]["hasPreviousPage"] is True

    backward: list[Key] = []
    before = None
    while True:
        # `first` stays at its size: with `last` given it does not count.
        page = read(first=size, after=None, last=size, before=before)
        assert page["totalCount"] == total
        assert page["pageInfo"]["hasNextPage"] is (before is not None)
        backward = [tuple(node.values()) for node in page["nodes"]] + backward
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        assert len(page["nodes"]) == size
        before = page["pageInfo"]["startCursor"]
    assert backward == listed
    return listed


def _ids(keys: list[Key]) -> list[Any]:
    return [key[0] for key in keys]


def _street_of(api: Api, communities: int) -> list[str]:
    api.post("/tenants", {"tenant_id": api.tenant, "kind": "street", "name": "枫林街道"}, 201)
    ids = [f"{api.tenant}-c{n}" for n in range(communities)]
    for n, community in enumerate(ids):
        api.post("/tenants", {"tenant_id": community, "kind": "community", "parent_id": api.tenant,
                              "name": f"第{n + 1}社区"}, 201)  # fmt: skip
    return ids


def _rubric(api: Api, name: str = "六位一体考评细则") -> str:
    rubric = str(api.t("/rubrics", {"name": name, "template": "six_in_one"}, 201)["record_id"])
    api.t(f"/rubrics/{rubric}/publication", {"revision": 1})
    return rubric


def _evaluation(api: Api, rubric: str, community: str, period: str) -> str:
    body = {"subject_kind": "community", "subject_id": community, "period": period,
            "rubric_id": rubric, "revision": 1, "sources": SOURCES}  # fmt: skip
    return str(api.t("/evaluations", body, 201)["record_id"])


def test_the_tenant_tree_pages_within_what_the_reader_may_read(api: Api) -> None:
    communities = _street_of(api, 3)
    half = api.head()  # the street's log: registered, and three communities joined
    more = [f"{api.tenant}-c{n}" for n in range(3, 5)]
    for n, community in enumerate(more, start=3):
        api.post("/tenants", {"tenant_id": community, "kind": "community", "parent_id": api.tenant,
                              "name": f"第{n + 1}社区"}, 201)  # fmt: skip
    everyone = [*communities, *more]

    listed = _ids(_walk(_tenant_list(api, "communities")))
    assert sorted(listed) == sorted(everyone)
    # As of the street's position then: the communities it had recorded as joined.
    then = _ids(_walk(_tenant_list(api, "communities", at=half)))
    assert sorted(then) == sorted(communities) and then == [c for c in listed if c in then]

    def tenants(headers: dict[str, str], kind: str = "") -> Read:
        arguments = ", ".join(a for a in (WINDOW, kind) if a)
        query = f"query({VARIABLES}) {{ tenants({arguments}) {{ {PAGE} nodes {{ id }} }} }}"

        def read(**window: Any) -> dict[str, Any]:
            found: dict[str, Any] = _post_graphql(api, query, headers, **window)["tenants"]
            return found

        return read

    boss = manager_token(api.tenant, api.streets)
    # The street's admin reads the street and its communities, and nothing else
    # (other tests' tenants share the database): pages and totals alike.
    assert sorted(_ids(_walk(tenants(boss)))) == sorted([api.tenant, *everyone])
    assert _ids(_walk(tenants(boss, "kind: COMMUNITY"))) == listed
    assert _ids(_walk(tenants(boss, "kind: STREET"))) == [api.tenant]
    secretary = manager_token(more[0], api.streets)
    assert _ids(_walk(tenants(secretary))) == [more[0]]


def test_units_page_across_a_tie_with_active_only_and_as_of(street: Street) -> None:
    api = street.api
    before = api.head()
    same_moment = "2024-01-01T10:00:00+08:00"  # four units joined at once: a tie
    body = {"kind": "enterprise", "occurred_at": same_moment}
    tied = [api.t("/units", {**body, "name": f"同日单位{n}"}, 201)["record_id"] for n in range(4)]
    api.t(f"/units/{street.units[1]}/leave", {"reason": "搬离辖区"})

    everything = _ids(_walk(_tenant_list(api, "units")))
    assert sorted(everything[:4]) == sorted(tied) and everything[4:] == street.units
    active = _ids(_walk(_tenant_list(api, "units", "activeOnly: true")))
    assert active == [u for u in everything if u != street.units[1]]
    assert _ids(_walk(_tenant_list(api, "units", at=before))) == street.units
    # A cursor read now, used as of before the tied units joined: nothing lies
    # before it then, and every unit of that moment after it.
    cursor = _tenant_list(api, "units")(first=1, after=None, last=None, before=None)
    then = _tenant_list(api, "units", at=before)(
        first=10, after=cursor["pageInfo"]["endCursor"], last=None, before=None
    )
    assert [u["id"] for u in then["nodes"]] == street.units
    assert then["pageInfo"]["hasPreviousPage"] is False and then["totalCount"] == 3
    # A page size of one puts a page boundary between every pair of tied units.
    assert _ids(_walk(_tenant_list(api, "units"), size=1)) == everything


def test_posts_page_with_and_without_the_retired_and_as_of(community: Community) -> None:
    api = community.api
    body = {"category": "environment", "capacity": 2}
    posts = [api.t("/posts", {**body, "title": f"岗位{n}"}, 201)["record_id"] for n in range(5)]
    before = api.head()
    api.t(f"/posts/{posts[1]}/retirement", {"reason": "小区改造完成"})

    assert _ids(_walk(_tenant_list(api, "posts", "includeRetired: true"))) == posts
    open_ = [p for p in posts if p != posts[1]]
    assert _ids(_walk(_tenant_list(api, "posts"))) == open_
    assert _ids(_walk(_tenant_list(api, "posts", at=before))) == posts  # not yet retired


def test_activities_page_by_day_across_a_tie_and_as_of(community: Community) -> None:
    api = community.api

    def hold(day: str) -> str:
        body = {"title": f"活动{day}", "held_on": day, "participant_ids": []}
        return str(api.t("/activities", body, 201)["record_id"])

    may = [hold("2025-05-01") for _ in range(3)]  # three on one day: a tie
    before = api.head()
    june, april = hold("2025-06-01"), hold("2025-04-01")

    listed = _ids(_walk(_tenant_list(api, "activities")))
    assert listed[0] == april and sorted(listed[1:4]) == sorted(may) and listed[4] == june
    assert _ids(_walk(_tenant_list(api, "activities"), size=1)) == listed
    then = _ids(_walk(_tenant_list(api, "activities", at=before)))
    assert then == listed[1:4]


def test_rubrics_and_evaluations_page_with_their_filters_and_as_of(api: Api) -> None:
    communities = _street_of(api, 3)
    rubrics = [_rubric(api, f"细则{n}") for n in range(3)]
    first_half = [_evaluation(api, rubrics[0], c, "2026H1") for c in communities]
    before = api.head()
    second_half = [_evaluation(api, rubrics[0], c, "2026H2") for c in communities[:2]]
    late = _rubric(api, "晚到的细则")

    assert _ids(_walk(_tenant_list(api, "rubrics"))) == [*rubrics, late]
    assert _ids(_walk(_tenant_list(api, "rubrics", at=before))) == rubrics

    evaluations = _tenant_list(api, "evaluations", select="id period")
    assert _walk(evaluations) == [(e, "2026H1") for e in first_half] + [
        (e, "2026H2") for e in second_half
    ]
    h1 = _tenant_list(api, "evaluations", 'period: "2026H1"', select="id period")
    assert _ids(_walk(h1)) == first_half
    kinds = _tenant_list(api, "evaluations", "subjectKind: COMMUNITY")
    assert _ids(_walk(kinds)) == first_half + second_half
    assert _walk(_tenant_list(api, "evaluations", "subjectKind: MEMBER_UNIT")) == []
    assert _ids(_walk(_tenant_list(api, "evaluations", at=before))) == first_half
    then = _tenant_list(api, "evaluations", 'period: "2026H2"', at=before)
    assert _walk(then) == []


def test_open_rectifications_page_by_deadline_across_ties_and_as_of(api: Api) -> None:
    communities = _street_of(api, 2)
    rubric = _rubric(api)
    one, two = (_evaluation(api, rubric, c, "2026H1") for c in communities)

    def require(evaluation: str, rectification: str, deadline: str) -> None:
        body = {"rectification_id": rectification, "problem": "台账不全",
                "responsible": "社区党委", "deadline": deadline}  # fmt: skip
        api.t(f"/evaluations/{evaluation}/rectifications", body, 201)

    # Rectification ids repeat across evaluations, and deadlines repeat: only
    # (deadline, id, evaluation) orders them exactly.
    require(one, "r1", "2026-03-01")
    require(one, "r2", "2026-02-01")
    require(one, "r3", "2026-03-01")
    require(two, "r1", "2026-03-01")
    require(two, "r2", "2026-04-01")
    subject = manager_token(communities[0], api.streets)
    api.t(f"/evaluations/{one}/rectifications/r2/report", {"evidence": "已补齐"}, headers=subject)
    before = api.head()
    api.t(f"/evaluations/{one}/rectifications/r2/closure", {"evidence": "已补齐"})

    select = "deadline id evaluationId"
    listed = _walk(_tenant_list(api, "openRectifications", select=select), size=1)
    assert [key[:2] for key in listed] == [
        ("2026-03-01", "r1"),
        ("2026-03-01", "r1"),
        ("2026-03-01", "r3"),
        ("2026-04-01", "r2"),
    ]
    assert sorted(key[2] for key in listed[:2]) == sorted([one, two])
    assert _walk(_tenant_list(api, "openRectifications", select=select), size=3) == listed
    then = _walk(_tenant_list(api, "openRectifications", at=before, select=select))
    assert then == [("2026-02-01", "r2", one), *listed]


def test_a_cursor_from_another_list_or_a_malformed_one_is_bad_input(street: Street) -> None:
    api = street.api
    meetings = "query($t: ID!) { tenant(id: $t) { meetings(first: 1) { pageInfo { endCursor } } } }"
    meeting_cursor = api.gql(meetings, t=api.tenant)["data"]["tenant"]["meetings"]["pageInfo"]
    units = _tenant_list(api, "units")
    unit_cursor = units(first=1, after=None, last=None, before=None)["pageInfo"]["endCursor"]
    query = f"query($t: ID!, {VARIABLES}) {{ tenant(id: $t) {{ %s({WINDOW}) {{ totalCount }} }} }}"
    for field, cursor in (("units", meeting_cursor["endCursor"]), ("activities", unit_cursor),
                          ("units", "bm90IGEgY3Vyc29y"), ("posts", unit_cursor)):  # fmt: skip
        response = api.client.post(
            "/graphql",
            json={"query": query % field,
                  "variables": {"t": api.tenant, "first": 1, "after": cursor}},
            headers=manager_token(api.tenant, api.streets),
        )  # fmt: skip
        answer = response.json()
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", (field, answer)
