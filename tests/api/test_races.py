"""Commands racing on one record: retried when no version was expected, 409 when it was."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError
from fastapi.testclient import TestClient

from api.app import create_app
from api.platform import Platform
from tenants.commands.ledger import Ledger
from tests.api.conftest import Street, manager_token


def _lose_first_race(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = Ledger.sign_in

    def racing(self: Ledger, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("another command appended this version first")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Ledger, "sign_in", racing)
    return calls


def test_a_command_that_loses_a_race_is_retried_on_the_current_record(
    street: Street, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _lose_first_race(monkeypatch)
    street.api.t(
        f"/meetings/{street.meeting}/sign-ins", {"unit_id": street.units[0], "attendee": "张"}
    )
    assert len(calls) == 2


def test_with_an_expected_version_a_lost_race_is_a_409(
    street: Street, monkeypatch: pytest.MonkeyPatch
) -> None:
    version = street.api.gql(
        "query($t: ID!, $m: ID!) { tenant(id: $t) { meeting(id: $m) { version } } }",
        t=street.api.tenant,
        m=street.meeting,
    )["data"]["tenant"]["meeting"]["version"]
    calls = _lose_first_race(monkeypatch)
    refused = street.api.t(
        f"/meetings/{street.meeting}/sign-ins",
        {"unit_id": street.units[0], "attendee": "张", "expected_version": version},
        409,
    )
    assert refused["code"] == "version-conflict" and len(calls) == 1


def test_concurrent_sign_ins_of_different_units_all_land(street: Street) -> None:
    api = street.api
    platform: Platform = api.client.app.state.platform  # type: ignore[attr-defined]
    for n in range(5):
        api.t("/units", {"name": f"新单位{n}", "kind": "enterprise"}, 201)
    m = api.t(
        "/meetings",
        {
            "kind": "regular",
            "title": "并发签到",
            "location": "室",
            "scheduled_for": "2025-12-01T09:00:00+08:00",
        },
        201,
    )["record_id"]
    api.t(f"/meetings/{m}/agenda-items", {"title": "议题"}, 201)
    api.t(f"/meetings/{m}/notice", {"issued_at": "2025-11-01T09:00:00+08:00"})
    units = [
        a["unitId"]
        for a in api.gql(
            "query($t: ID!, $m: ID!) { tenant(id: $t) { meeting(id: $m) { attendance { unitId } } } }",
            t=api.tenant,
            m=m,
        )["data"]["tenant"]["meeting"]["attendance"]
    ]
    statuses: list[int] = []
    start = threading.Barrier(len(units))
    app = create_app(platform)
    clients = {unit: TestClient(app) for unit in units}

    def sign_in(unit: str) -> None:
        client = clients[unit]
        start.wait()
        response = client.post(
            f"/tenants/{api.tenant}/meetings/{m}/sign-ins",
            json={"unit_id": unit, "attendee": "代表"},
            headers=manager_token(street.api.tenant, street.api.streets),
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=sign_in, args=(unit,)) for unit in units]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(units)
    attendance = api.gql(
        "query($t: ID!, $m: ID!) { tenant(id: $t) { meeting(id: $m) { attendance { status } } } }",
        t=api.tenant,
        m=m,
    )["data"]["tenant"]["meeting"]["attendance"]
    assert [a["status"] for a in attendance] == ["present"] * len(units)
