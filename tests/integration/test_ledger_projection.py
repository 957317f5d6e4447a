"""A meeting end to end through the ledger and the projector, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import Engine, select

from api.platform import Platform
from domain import errors
from domain.agenda import ItemKind
from domain.charters import Charter
from domain.decisions import Position
from domain.meetings import MeetingKind
from domain.stamp import Actor, Stamp
from domain.tenants import TenantKind
from domain.units import UnitKind
from projections import tables
from tenants.commands.meetings import ProposedResolution

ACTOR = Actor("u1", "community_secretary")
AT = datetime(2025, 5, 10, 9, tzinfo=UTC)


def s(tenant: str, reason: str | None = None) -> Stamp:
    return Stamp(tenant, ACTOR, reason=reason)


@pytest.fixture
def platform(engine: Engine) -> Platform:
    return Platform(engine, embedded=True)


def test_a_meeting_decides_and_its_read_models_follow(platform: Platform, tenant_id: str) -> None:
    ledger = platform.ledger(tenant_id)
    ledger.register(s(tenant_id), TenantKind.STREET, "枫林街道", Charter(), None)
    units = [uuid4() for _ in range(3)]
    for n, unit in enumerate(units):
        ledger.join_unit(s(tenant_id), unit, f"成员单位{n}", UnitKind.ENTERPRISE)
    meeting = uuid4()
    ledger.schedule_meeting(s(tenant_id), meeting, MeetingKind.REGULAR, "五月例会", AT, "会议室")
    ledger.add_item(s(tenant_id), meeting, "i1", "停车难", ItemKind.TOPIC, None)
    ledger.issue_notice(s(tenant_id), meeting, AT - timedelta(days=5), False)
    ledger.request_leave(s(tenant_id, "出差"), meeting, str(units[2]), {"i1": "同意"})
    ledger.decide_leave(s(tenant_id), meeting, str(units[2]), approved=True)
    for unit in units[:2]:
        ledger.sign_in(s(tenant_id), meeting, str(unit), "代表", False)
    ledger.open_meeting(s(tenant_id), meeting, str(units[0]))
    for unit in units[:2]:
        ledger.record_position(s(tenant_id), meeting, "i1", str(unit), Position.AGREE)
    resolution = uuid4()
    proposal = ProposedResolution(resolution, "划定临时车位", [str(units[0])], date(2025, 6, 1))
    result = ledger.decide_item(s(tenant_id), meeting, "i1", proposal)
    assert result.position == ledger.head_position()
    platform.after_command(tenant_id)

    with platform.engine.connect() as conn:
        item = conn.execute(
            select(tables.agenda_items).filter_by(tenant_id=tenant_id, valid_to=None)
        ).one()
        assert (item.outcome, item.resolution_id) == ("agreed", str(resolution))
        row = conn.execute(
            select(tables.resolutions).filter_by(tenant_id=tenant_id, valid_to=None)
        ).one()
        assert row.responsible == [str(units[0])] and row.status == "adopted"
        leave = conn.execute(
            select(tables.attendance).filter_by(
                tenant_id=tenant_id, unit_id=str(units[2]), valid_to=None
            )
        ).one()
        assert leave.on_leave and leave.leave_reason == "出差"
        count = conn.execute(select(tables.events).filter_by(tenant_id=tenant_id)).all()
        assert len(count) == ledger.head_position()


def test_another_tenants_ids_are_not_found(platform: Platform, tenant_id: str) -> None:
    other = f"{tenant_id}-b"
    for tenant in (tenant_id, other):
        platform.ledger(tenant).register(s(tenant), TenantKind.STREET, "街道", Charter(), None)
    unit = uuid4()
    platform.ledger(tenant_id).join_unit(s(tenant_id), unit, "医院", UnitKind.PUBLIC_INSTITUTION)
    with pytest.raises(errors.NotFound):
        platform.ledger(other).appoint(s(other), unit, "liaison", "某人", None)
    assert platform.ledger(other).head_position() == 1


def test_replaying_a_projected_batch_is_refused(platform: Platform, tenant_id: str) -> None:
    ledger = platform.ledger(tenant_id)
    ledger.register(s(tenant_id), TenantKind.STREET, "街道", Charter(), None)
    platform.after_command(tenant_id)
    from eventsourcing.persistence import IntegrityError

    from tenants.store.database import write_transaction
    from tenants.store.tracking import advance_tracking

    with pytest.raises(IntegrityError), write_transaction(platform.engine) as conn:
        advance_tracking(conn, tenant_id, "read_models", 1)
    assert platform.projector.catch_up(tenant_id) == 0
