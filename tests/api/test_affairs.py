"""A resident's affair over HTTP on its four cards (intake, assignment, result,
feedback), and its reads: history, masking, overdue, per-unit load, figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.charters import local_date
from tests.api.conftest import Community

AFFAIR = """query($t: ID!, $a: ID!) { tenant(id: $t) { affair(id: $a) {
  id nodeId matter channelLabel statusLabel assigneeKind assigneeId deadline result evidence
  satisfied reopened closedOn daysToClose overdue resident { name phone }
  feedback { satisfied comment givenOn }
  history { type reason } } } }"""

LISTS = """query($t: ID!, $u: ID!) { tenant(id: $t) {
  all: affairs { totalCount }
  overdue: affairs(overdue: true) { nodes { matter } }
  onTime: affairs(overdue: false) { totalCount }
  closed: affairs(status: CLOSED) { nodes { matter } }
  ofUnit: affairs(assignedUnitId: $u) { nodes { matter } }
  affairLoad { assigneeKind assigneeId open overdue }
  affairFigures(period: "2026H1") { closed medianDaysToClose meanDaysToClose
    satisfaction { numerator denominator rate meetsTarget } } } }"""


def liaison(community: Community, unit: str) -> dict[str, str]:
    return {"Authorization": f"Bearer dev:liaison-1:unit_liaison:{community.api.tenant}:{unit}"}


def receive(community: Community, matter: str, received_on: str) -> str:
    body = {"resident_name": "李娜", "resident_phone": "138 0000 1234", "matter": matter,
            "channel": "phone", "received_on": received_on}  # fmt: skip
    return str(community.api.t("/affairs", body, 201)["record_id"])


def test_an_affair_reopened_by_an_unsatisfied_resident_closes_when_satisfied(
    community: Community,
) -> None:
    api, (unit, other) = community.api, community.units
    a = receive(community, "楼道灯不亮", "2026-03-02")
    # A result waits for an assignment; feedback waits for a result.
    assert api.t(f"/affairs/{a}/result", {"result": "已修"}, 409)["code"] == "affair-not-assigned"
    late = api.t(f"/affairs/{a}/assignment", {"assignee_kind": "unit", "assignee_id": unit,
                                             "deadline": "2026-03-01"}, 422)  # fmt: skip
    assert late["code"] == "invalid-value"
    api.t(f"/affairs/{a}/assignment",
          {"assignee_kind": "unit", "assignee_id": other, "deadline": "2026-03-12"})  # fmt: skip
    again = {"assignee_kind": "unit", "assignee_id": unit, "deadline": "2026-03-12"}
    assert api.t(f"/affairs/{a}/assignment", again, 422)["code"] == "reason-required"
    api.t(f"/affairs/{a}/assignment", {**again, "reason": "属物业职责"})
    # Only the assigned unit's liaison reports its result.
    body = {"result": "已更换灯泡", "evidence": ["照片.jpg"]}
    api.t(f"/affairs/{a}/result", body, 403, headers=liaison(community, other))
    api.t(f"/affairs/{a}/result", body, headers=liaison(community, unit))
    api.t(f"/affairs/{a}/feedback", {"satisfied": False, "comment": "第二天又坏了",
                                     "occurred_at": "2026-03-06T10:00:00+08:00"})  # fmt: skip
    assert api.t(f"/affairs/{a}/feedback", {"satisfied": True}, 409)["code"] == (
        "affair-result-not-reported"
    )
    api.t(f"/affairs/{a}/result", {"result": "更换整套线路"}, headers=liaison(community, unit))
    api.t(f"/affairs/{a}/feedback", {"satisfied": True, "comment": "满意",
                                     "occurred_at": "2026-03-10T10:00:00+08:00"})  # fmt: skip
    assert api.t(f"/affairs/{a}/result", {"result": "再修"}, 409)["code"] == "affair-closed"

    affair = api.gql(AFFAIR, t=api.tenant, a=a)["data"]["tenant"]["affair"]
    assert affair["statusLabel"] == "已办结" and affair["channelLabel"] == "来电"
    assert (affair["assigneeKind"], affair["assigneeId"]) == ("unit", unit)
    assert affair["result"] == "更换整套线路" and affair["reopened"] == 1
    assert affair["closedOn"] == "2026-03-10" and affair["daysToClose"] == 8
    assert affair["overdue"] is False and affair["satisfied"] is True
    assert affair["resident"] == {"name": "李娜", "phone": "138 0000 1234"}
    assert [f["satisfied"] for f in affair["feedback"]] == [False, True]
    assert [(e["type"], e["reason"]) for e in affair["history"]] == [
        ("Received", None), ("Assigned", None), ("Assigned", "属物业职责"),
        ("ResultReported", None), ("FeedbackGiven", None), ("ResultReported", None),
        ("FeedbackGiven", None),
    ]  # fmt: skip


def test_an_integrator_reads_an_affair_without_the_residents_data(community: Community) -> None:
    api = community.api
    a = receive(community, "噪音扰民", "2026-04-01")
    api.t(f"/affairs/{a}/assignment", {"assignee_kind": "unit", "assignee_id": community.units[0],
                                       "deadline": "2026-04-10"})  # fmt: skip
    api.t(f"/affairs/{a}/result", {"result": "已调解"})
    api.t(f"/affairs/{a}/feedback", {"satisfied": True, "comment": "我住302室"})
    integrator = {"Authorization": f"Bearer dev:int-1:integrator:{api.tenant}"}
    query = {"query": AFFAIR, "variables": {"t": api.tenant, "a": a}}
    answer = api.client.post("/graphql", json=query, headers=integrator).json()
    affair = answer["data"]["tenant"]["affair"]
    assert affair["resident"] == {"name": "李*", "phone": "*** **** 1234"}
    assert affair["feedback"][0]["comment"] is None
    assert "302" not in str(answer) and "李娜" not in str(answer)


def test_overdue_load_and_figures_are_derived_from_deadlines_and_feedback(
    community: Community,
) -> None:
    api, (unit, other) = community.api, community.units
    today = local_date(datetime.now(UTC))
    past, future = today - timedelta(days=1), today + timedelta(days=30)

    def assign(affair: str, who: str, deadline: object) -> None:
        api.t(f"/affairs/{affair}/assignment",
              {"assignee_kind": "unit", "assignee_id": who, "deadline": str(deadline)})  # fmt: skip

    late = receive(community, "路面塌陷", str(past - timedelta(days=5)))
    assign(late, unit, past)
    waiting = receive(community, "绿化修剪", str(past - timedelta(days=5)))
    assign(waiting, unit, future)
    elsewhere = receive(community, "垃圾清运", str(past - timedelta(days=5)))
    assign(elsewhere, other, past)
    # Closed after its deadline: settled, so no longer overdue.
    for n, (received, closed, happy) in enumerate(
        (("2026-01-05", "2026-01-09", True), ("2026-02-01", "2026-02-11", True))
    ):
        a = receive(community, f"已办结事项{n}", received)
        assign(a, other, received)
        api.t(f"/affairs/{a}/result", {"result": "已办"})
        if n == 1:  # one unsatisfied round first
            api.t(f"/affairs/{a}/feedback", {"satisfied": False,
                                             "occurred_at": "2026-02-05T10:00:00+08:00"})  # fmt: skip
            api.t(f"/affairs/{a}/result", {"result": "再办"})
        api.t(f"/affairs/{a}/feedback", {"satisfied": happy,
                                         "occurred_at": f"{closed}T10:00:00+08:00"})  # fmt: skip

    data = api.gql(LISTS, t=api.tenant, u=unit)["data"]["tenant"]
    assert data["all"]["totalCount"] == 5
    assert sorted(n["matter"] for n in data["overdue"]["nodes"]) == ["垃圾清运", "路面塌陷"]
    assert data["onTime"]["totalCount"] == 3
    assert len(data["closed"]["nodes"]) == 2
    assert sorted(n["matter"] for n in data["ofUnit"]["nodes"]) == ["绿化修剪", "路面塌陷"]
    assert data["affairLoad"] == [
        {"assigneeKind": "unit", "assigneeId": unit, "open": 2, "overdue": 1},
        {"assigneeKind": "unit", "assigneeId": other, "open": 1, "overdue": 1},
    ]
    figures = data["affairFigures"]
    # Closed in 4 and 10 days; 2 satisfied of 3 feedbacks.
    assert figures["closed"] == 2
    assert (figures["medianDaysToClose"], figures["meanDaysToClose"]) == ("7.0", "7.0")
    assert figures["satisfaction"] == {
        "numerator": 2, "denominator": 3, "rate": "0.6667", "meetsTarget": False,
    }  # fmt: skip


def test_an_affair_is_assigned_only_to_a_unit_still_in_the_meeting(community: Community) -> None:
    api, unit = community.api, community.units[1]
    api.t(f"/units/{unit}/leave", {"reason": "撤销"})
    a = receive(community, "停车难", "2026-05-01")
    body = {"assignee_kind": "unit", "assignee_id": unit, "deadline": "2026-05-20"}
    assert api.t(f"/affairs/{a}/assignment", body, 409)["code"] == "unit-has-left"
    missing = {**body, "assignee_kind": "member", "assignee_id": "not-a-member"}
    assert api.t(f"/affairs/{a}/assignment", missing, 404)["code"] == "not-found"
