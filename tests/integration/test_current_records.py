"""A ledger's cached records stay true when another process appends: a command reads
its tenant's head once and catches up, instead of checking every record it loads."""

from __future__ import annotations

import threading
import uuid
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Engine

from api.platform import Platform
from bench.command_round_trips import traced
from domain.errors import UnitHasLeft
from domain.units import MemberUnit
from tenants.ledger import VersionConflict
from tenants.messages import COMMANDS
from tenants.pipeline.identity import SYSTEM, Principal
from tests.conftest import BACKENDS
from tests.integration.world import manager


class Community:
    """A street and one community in it, with one unit, seen by two processes' worth
    of ledgers (two platforms on one database: each keeps its own cached records)."""

    def __init__(self, engine: Engine) -> None:
        self.first = Platform(engine, embedded=False)
        self.second = Platform(engine, embedded=False)
        tag = uuid.uuid4().hex[:8]
        self.street, self.tenant = f"s-{tag}", f"a-{tag}"
        self.run(self.first, SYSTEM, "register_tenant", None, tenant_id=self.street,
                 kind="street", name="街道")  # fmt: skip
        self.run(self.first, manager(self.street, True), "register_tenant", None,
                 tenant_id=self.tenant, kind="community", name="社区",
                 parent_id=self.street)  # fmt: skip
        self.secretary = manager(self.tenant, False)
        joined = self.send(self.first, "join_unit", name="物业公司", kind="enterprise")
        self.unit = UUID(joined["record_id"])

    @staticmethod
    def run(
        platform: Platform, who: Principal, command: str, tenant: str | None, **body: Any
    ) -> dict[str, Any]:
        message = COMMANDS[command].model_validate(body)
        return platform.pipeline.handle(who, message, tenant)

    def send(self, platform: Platform, command: str, **body: Any) -> dict[str, Any]:
        return self.run(platform, self.secretary, command, self.tenant, **body)

    def appoint(self, platform: Platform, name: str, **more: Any) -> dict[str, Any]:
        return self.send(platform, "appoint_representative", unit_id=self.unit, name=name, **more)

    def sign(self, platform: Platform) -> dict[str, Any]:
        lines = [{"id": "u1", "party": "unit", "text": "开放场地"},
                 {"id": "c1", "party": "community", "text": "志愿服务"}]  # fmt: skip
        return self.send(platform, "sign_agreement", unit_id=self.unit, title="共建责任书",
                         starts_on="2025-01-01", ends_on="2025-12-31", lines=lines)  # fmt: skip

    def unit_in(self, platform: Platform) -> MemberUnit:
        return platform.ledger(self.tenant).load(MemberUnit, self.unit)


@pytest.fixture
def community(engine: Engine) -> Community:
    return Community(engine)


def test_a_record_another_process_changed_is_read_as_changed(community: Community) -> None:
    community.sign(community.first)  # the unit is now cached in the first
    left = community.send(community.second, "leave_unit", unit_id=community.unit,
                          reason="搬迁")  # fmt: skip
    before = community.first.ledger(community.tenant).head_position()
    # Signing reads the unit without changing it: a cache that trusted itself would
    # still see the unit as active, and the agreement would be appended.
    with pytest.raises(UnitHasLeft):
        community.sign(community.first)
    assert community.first.ledger(community.tenant).head_position() == before
    assert community.unit_in(community.first).version == left["version"]
    assert not community.unit_in(community.first).active


def test_an_expected_version_from_another_process_is_met(community: Community) -> None:
    first = community.appoint(community.first, "张三")
    second = community.appoint(community.second, "李四", expected_version=first["version"])
    # The first process last saw the unit at the first version; the caller knows better.
    third = community.appoint(community.first, "王五", expected_version=second["version"])
    assert third["version"] == second["version"] + 1
    with pytest.raises(VersionConflict):
        community.appoint(community.second, "赵六", expected_version=second["version"])
    assert community.unit_in(community.second).representative["name"] == "王五"  # type: ignore[index]


def test_two_processes_racing_on_one_record_lose_nothing(community: Community) -> None:
    start = community.unit_in(community.first).version
    done: list[int] = []
    errors: list[BaseException] = []

    def appoint(platform: Platform, n: int) -> None:
        for i in range(6):
            try:
                done.append(community.appoint(platform, f"代表{n}-{i}")["version"])
            except BaseException as error:
                errors.append(error)

    threads = [
        threading.Thread(target=appoint, args=(p, n))
        for n, p in enumerate([community.first, community.second] * 3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Six writers on one record may exhaust a command's retries (a 409, nothing
    # appended); every answered command holds its own version, none lost or doubled.
    assert all(isinstance(e, VersionConflict) for e in errors), errors
    assert sorted(done) == list(range(start + 1, start + 1 + len(done)))
    assert len(done) > len(errors)
    fresh = Platform(community.first.engine, embedded=False)
    truth = community.unit_in(fresh)
    assert truth.version == start + len(done)
    for platform in (community.first, community.second):
        cached = community.unit_in(platform)
        assert (cached.version, cached.representative) == (truth.version, truth.representative)


@pytest.mark.parametrize("engine", [BACKENDS[1]], indirect=True)
def test_a_command_on_cached_records_reads_only_the_head_then_appends(
    community: Community,
) -> None:
    """Two round trips: the tenant's head, then the append; no query per record."""
    # Admitting a unit loads the tenant's record: cached by the admission before.
    with traced(community.first.engine) as traces:
        community.send(community.first, "join_unit", name="超市", kind="enterprise")
    trips = [trip for done in traces.closed.values() for trip in done]
    # New connections prepare each statement once, the first time they send it (a
    # round trip of its own); a serving process's connections have done so already.
    assert sorted(t for t in trips if not t.startswith("prepare: ")) == [
        "SELECT gongjian_append($1, $2, $3, $4, $5, $6, $7, $8)",
        "SELECT position FROM es_tenant_heads WHERE tenant_id = $1",
    ], trips
