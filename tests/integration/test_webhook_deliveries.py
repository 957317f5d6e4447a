"""Webhook deliveries to a real receiver on 127.0.0.1: signed, in log order, retried,
at least once, and never in a command's way (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from api.app import create_app
from api.platform import Platform
from api.webhooks import signing
from api.webhooks.dispatcher import DeliveryPolicy, Dispatcher, Key
from tenants.messages import COMMANDS
from tenants.pipeline.identity import SYSTEM, Principal, Role
from tenants.store.webhooks import secret_of, webhook_deliveries
from tests.integration.receiver import Receiver, running_receiver

QUICK = DeliveryPolicy(attempts=3, first_backoff=0, timeout=30)


@dataclass
class Street:
    platform: Platform
    tenant: str
    admin: Principal

    def run(self, command: str, who: Principal | None = None, **body: Any) -> dict[str, Any]:
        message = COMMANDS[command].model_validate(body)
        return self.platform.pipeline.handle(who or self.admin, message, self.tenant)

    def unit(self, name: str) -> dict[str, Any]:
        return self.run("join_unit", name=name, kind="enterprise")

    def statuses(self, webhook: str) -> list[str]:
        return [row.status for row in self.deliveries(webhook)]

    def deliveries(self, webhook: str) -> list[Any]:
        d = webhook_deliveries
        query = select(d).where(d.c.tenant_id == self.tenant, d.c.webhook_id == webhook)
        with self.platform.engine.connect() as conn:
            return list(conn.execute(query.order_by(d.c.position)))


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    with running_receiver(monkeypatch) as running:
        yield running


@pytest.fixture
def street(engine: Engine, tenant_id: str) -> Street:
    platform = Platform(engine, embedded=True)  # projects in-line; no background threads
    message = COMMANDS["register_tenant"].model_validate(
        {"tenant_id": tenant_id, "kind": "street", "name": "枫林街道"}
    )
    platform.pipeline.handle(SYSTEM, message)
    return Street(platform, tenant_id, Principal("boss", Role.STREET_ADMIN, tenant_id))


def _deliver_until(dispatcher: Dispatcher, key: Key, done: Any, rounds: int = 20) -> None:
    """Deliver what is due for one webhook, round after round, until ``done()`` (in a
    bounded number of rounds). Tests serve their own webhook only: the databases are
    shared, and other tests' webhooks may be due too."""
    for _ in range(rounds):
        if done():
            return
        dispatcher.serve(key)
    assert done(), "not delivered within the rounds allowed"


def test_a_receiver_gets_signed_deliveries_of_the_events_it_asked_for_in_log_order(
    street: Street, receiver: Receiver
) -> None:
    registered = street.run("register_webhook", url=receiver.url, event_types=["MemberUnit"])
    hook, secret = registered["record_id"], registered["secret"]
    joined = [street.unit(name) for name in ("光明乳业", "邮政支局", "第一小学")]
    street.run("schedule_meeting", kind="regular", title="例会", location="会议室",
               scheduled_for="2025-09-01T09:00:00+08:00")  # not asked for  # fmt: skip
    left = street.run("leave_unit", unit_id=joined[1]["record_id"], reason="搬迁")

    dispatcher = Dispatcher(street.platform.engine, QUICK)
    try:
        assert dispatcher.serve((street.tenant, hook)) == 4
        assert (street.tenant, hook) not in dispatcher.due()  # nothing more is due
    finally:
        dispatcher.close()

    expected = [answer["position"] for answer in [*joined, left]]
    assert receiver.positions() == expected
    for got, position in zip(receiver.received, expected, strict=True):
        assert signing.verify(secret, got.body, got.headers[signing.SIGNATURE_HEADER])
        assert not signing.verify(secret + "x", got.body, got.headers[signing.SIGNATURE_HEADER])
        body = got.json
        assert got.headers["X-Gongjian-Position"] == str(position)
        assert got.headers["X-Gongjian-Delivery"] == body["delivery_id"]
        assert (body["tenant"], body["webhook_id"]) == (street.tenant, hook)
        assert body["record_type"] == "MemberUnit"
    assert [r.json["type"] for r in receiver.received] == [
        "MemberUnit.Joined", "MemberUnit.Joined", "MemberUnit.Joined", "MemberUnit.Left",
    ]  # fmt: skip
    assert receiver.received[0].json["data"]["name"] == "光明乳业"
    log = street.deliveries(hook)
    assert [(row.position, row.status, row.attempts, row.last_status_code) for row in log] == [
        (position, "delivered", 1, 204) for position in expected
    ]


def test_a_failing_receiver_gets_the_delivery_once_it_answers(
    street: Street, receiver: Receiver
) -> None:
    hook = street.run("register_webhook", url=receiver.url, event_types=["*"])["record_id"]
    first, second = street.unit("光明乳业"), street.unit("邮政支局")
    receiver.failures = 2
    dispatcher = Dispatcher(street.platform.engine, QUICK)
    try:
        _deliver_until(dispatcher, (street.tenant, hook), lambda: len(receiver.received) == 4)
    finally:
        dispatcher.close()
    # The first event is tried until it is answered; the second waits behind it.
    assert receiver.positions() == [first["position"]] * 3 + [second["position"]]
    ids = {r.headers["X-Gongjian-Delivery"] for r in receiver.received[:3]}
    assert len(ids) == 1, "every attempt at a delivery carries its one delivery id"
    assert [r.headers["X-Gongjian-Attempt"] for r in receiver.received[:3]] == ["1", "2", "3"]
    log = street.deliveries(hook)
    assert [(row.status, row.attempts, row.last_status_code) for row in log] == [
        ("delivered", 3, 204),
        ("delivered", 1, 204),
    ]


def test_a_delivery_failed_for_good_is_visible_and_sent_again_on_request(
    street: Street, receiver: Receiver
) -> None:
    hook = street.run("register_webhook", url=receiver.url, event_types=["MemberUnit"])["record_id"]
    key = (street.tenant, hook)
    first = street.unit("光明乳业")
    receiver.failures = QUICK.attempts  # every attempt the policy allows fails
    dispatcher = Dispatcher(street.platform.engine, QUICK)
    try:
        _deliver_until(dispatcher, key, lambda: street.statuses(hook) == ["failed"])
        failed = street.deliveries(hook)[0]
        assert (failed.attempts, failed.last_status_code, failed.last_error) == (3, 500, "HTTP 500")
        # A failed delivery no longer holds up the ones behind it.
        second = street.unit("邮政支局")
        _deliver_until(dispatcher, key, lambda: receiver.positions()[-1:] == [second["position"]])
        street.run("retry_webhook_deliveries", webhook_id=hook)
        _deliver_until(dispatcher, key, lambda: street.statuses(hook) == ["delivered"] * 2)
    finally:
        dispatcher.close()
    assert receiver.positions() == [first["position"]] * 3 + [second["position"], first["position"]]
    assert receiver.received[-1].headers["X-Gongjian-Delivery"] == failed.delivery_id


def test_a_delivery_whose_outcome_was_never_recorded_is_sent_again_with_its_id(
    street: Street, receiver: Receiver
) -> None:
    """At least once: a process that stops after its POST and before recording the
    answer leaves the delivery pending; once its lease runs out it is sent again."""
    hook = street.run("register_webhook", url=receiver.url, event_types=["MemberUnit"])["record_id"]
    joined = street.unit("光明乳业")
    stopped = Dispatcher(street.platform.engine, QUICK)
    lease = stopped._claim((street.tenant, hook))
    assert lease is not None
    work = stopped._next((street.tenant, hook), lease)
    assert work is not None
    secret = secret_of(street.platform.engine, street.tenant, hook, work.generation)
    assert stopped._send(work, secret).delivered  # posted; stopped before recording it
    stopped.close()

    now = datetime.now(UTC)
    meanwhile = Dispatcher(street.platform.engine, QUICK, clock=lambda: now)
    assert meanwhile.serve((street.tenant, hook)) == 0  # the stopped process's lease holds
    meanwhile.close()
    later = now + QUICK.lease + timedelta(seconds=1)
    successor = Dispatcher(street.platform.engine, QUICK, clock=lambda: later)
    try:
        assert successor.serve((street.tenant, hook)) == 1
    finally:
        successor.close()
    assert receiver.positions() == [joined["position"]] * 2
    assert len({r.headers["X-Gongjian-Delivery"] for r in receiver.received}) == 1
    assert [row.status for row in street.deliveries(hook)] == ["delivered"]


def test_a_paused_webhook_is_sent_what_happened_meanwhile_once_resumed(
    street: Street, receiver: Receiver
) -> None:
    hook = street.run("register_webhook", url=receiver.url, event_types=["MemberUnit"])["record_id"]
    street.run("pause_webhook", webhook_id=hook)
    joined = street.unit("光明乳业")
    dispatcher, key = Dispatcher(street.platform.engine, QUICK), (street.tenant, hook)
    try:
        assert key not in dispatcher.due() and dispatcher.serve(key) == 0
        street.run("resume_webhook", webhook_id=hook)
        assert key in dispatcher.due() and dispatcher.serve(key) == 1
        street.run("remove_webhook", webhook_id=hook, reason="对接结束")
        street.unit("邮政支局")
        assert key not in dispatcher.due() and dispatcher.serve(key) == 0
    finally:
        dispatcher.close()
    assert receiver.positions() == [joined["position"]]


def test_a_rotated_secret_signs_the_deliveries_after_it(street: Street, receiver: Receiver) -> None:
    registered = street.run("register_webhook", url=receiver.url, event_types=["MemberUnit"])
    hook = registered["record_id"]
    rotated = street.run("rotate_webhook_secret", webhook_id=hook)["secret"]
    assert rotated != registered["secret"]
    street.unit("光明乳业")
    dispatcher = Dispatcher(street.platform.engine, QUICK)
    try:
        assert dispatcher.serve((street.tenant, hook)) == 1
    finally:
        dispatcher.close()
    got = receiver.received[0]
    assert signing.verify(rotated, got.body, got.headers[signing.SIGNATURE_HEADER])
    assert not signing.verify(registered["secret"], got.body, got.headers[signing.SIGNATURE_HEADER])


def test_personal_data_is_delivered_masked_as_an_integrator_reads_it(
    street: Street, receiver: Receiver
) -> None:
    types = ["MemberUnit", "PartyMember"]
    hook = street.run("register_webhook", url=receiver.url, event_types=types)["record_id"]
    unit = street.unit("光明乳业")["record_id"]
    street.run("appoint_liaison", unit_id=unit, name="王小明", phone="+86 138 0013 8000")
    street.run("register_member", name="张伟", member_class="retired")
    dispatcher = Dispatcher(street.platform.engine, QUICK)
    try:
        assert dispatcher.serve((street.tenant, hook)) == 3
    finally:
        dispatcher.close()
    _, appointed, registered = (r.json for r in receiver.received)
    assert appointed["data"]["person"] == {"name": "王**", "phone": "+** *** **** 8000"}
    assert registered["data"]["name"] == "张*"
    assert appointed["actor"] == {"role": "street_admin", "unit_id": None}


def test_commands_complete_while_the_receiver_hangs(
    private_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dispatcher runs in threads of its own: a receiver that never answers holds
    one of them, never a command."""
    monkeypatch.setenv("GONGJIAN_WEBHOOK_TIMEOUT", "120")
    platform = Platform(private_engine, embedded=True, dev_tokens=True)
    admin = {"Authorization": "Bearer dev:boss:street_admin:s-hang"}
    with running_receiver(monkeypatch) as receiver, TestClient(create_app(platform)) as client:
        receiver.hang = True
        try:
            operator = {"Authorization": "Bearer dev:op:platform_admin:-"}
            body = {"tenant_id": "s-hang", "kind": "street", "name": "街道"}
            assert client.post("/tenants", json=body, headers=operator).status_code == 201
            webhook = {"url": receiver.url, "event_types": ["MemberUnit"]}
            assert client.post("/tenants/s-hang/webhooks", json=webhook, headers=admin).is_success
            unit = {"name": "光明乳业", "kind": "enterprise"}
            assert client.post("/tenants/s-hang/units", json=unit, headers=admin).is_success
            assert receiver.arrived.wait(60), "the dispatcher never posted"
            for n in range(5):
                unit = {"name": f"单位{n}", "kind": "enterprise"}
                answer = client.post("/tenants/s-hang/units", json=unit, headers=admin)
                assert answer.status_code == 201, answer.text
            assert receiver.held == 1 and not receiver.release.is_set()
            assert len(receiver.received) == 1  # the others wait behind the held one
        finally:
            receiver.release.set()
            platform.close()
