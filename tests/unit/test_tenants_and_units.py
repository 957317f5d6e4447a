"""Tenants, charters and member units, as behaviours."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from domain import errors
from domain.charters import Charter, DecisionRule
from domain.meetings import MeetingKind
from domain.plenary_business import PlenaryResolution
from domain.resolutions import ResolutionStatus
from domain.stamp import Stamp
from domain.tenants import Tenant, TenantKind
from domain.units import MemberUnit, UnitKind
from tests.unit.builders import SECRETARY, stamp


def street() -> Tenant:
    return Tenant.register(
        Stamp("fenglin", SECRETARY), kind=TenantKind.STREET, name="枫林街道", charter=Charter()
    )


def test_a_community_is_registered_under_a_street_only() -> None:
    community = Tenant.register(
        Stamp("c1", SECRETARY),
        kind=TenantKind.COMMUNITY,
        name="枫林一社区",
        charter=Charter(),
        parent=street(),
    )
    assert community.parent_id == "fenglin"
    with pytest.raises(errors.ParentMustBeStreet):
        Tenant.register(
            Stamp("c2", SECRETARY),
            kind=TenantKind.COMMUNITY,
            name="x",
            charter=Charter(),
            parent=community,
        )
    with pytest.raises(errors.ParentMustBeStreet):
        Tenant.register(
            Stamp("c3", SECRETARY), kind=TenantKind.COMMUNITY, name="x", charter=Charter()
        )


def test_charter_defaults_to_consensus_and_rejects_impossible_quorum() -> None:
    assert Charter().decision_rule is DecisionRule.CONSENSUS
    with pytest.raises(errors.InvalidValue):
        Charter(quorum=Decimal("1.5"))
    with pytest.raises(errors.InvalidValue):
        Charter.from_dict({"decision_rule": "unanimous-ish"})


def _resolution(kind: MeetingKind, status: ResolutionStatus) -> PlenaryResolution:
    return PlenaryResolution(uuid4(), uuid4(), kind, status)


def test_a_charter_amendment_needs_a_reason_and_a_plenary_resolution_in_force() -> None:
    tenant = street()
    plenary = _resolution(MeetingKind.PLENARY, ResolutionStatus.ADOPTED)
    with pytest.raises(errors.ReasonRequired):
        tenant.amend_charter(stamp(), Charter(notice_days=5), plenary)
    for kind, status in (
        (MeetingKind.REGULAR, ResolutionStatus.ADOPTED),
        (MeetingKind.THEMATIC, ResolutionStatus.VERIFIED),
        (MeetingKind.PLENARY, ResolutionStatus.SUPERSEDED),
    ):
        with pytest.raises(errors.NotPlenaryResolution):
            tenant.amend_charter(stamp("修订"), Charter(notice_days=5), _resolution(kind, status))
    assert tenant.charter.notice_days != 5
    tenant.amend_charter(stamp("全体会议修订章程"), Charter(notice_days=5), plenary)
    assert tenant.charter.notice_days == 5


def test_units_appoint_and_replace_people_until_they_leave() -> None:
    unit = MemberUnit.join(
        stamp(), unit_id=uuid4(), name="区第一人民医院", kind=UnitKind.PUBLIC_INSTITUTION
    )
    unit.appoint_representative(stamp(), "陈院长", "13800000000")
    unit.appoint_representative(stamp(), "刘书记", None)
    unit.appoint_liaison(stamp(), "周干事", None)
    assert unit.representative == {"name": "刘书记", "phone": None}
    with pytest.raises(errors.ReasonRequired):
        unit.leave(stamp())
    unit.leave(stamp("单位搬迁"))
    with pytest.raises(errors.UnitHasLeft):
        unit.appoint_liaison(stamp(), "x", None)


def test_enums_carry_chinese_labels() -> None:
    assert UnitKind.MILITARY.label == "驻区部队"
    assert TenantKind.STREET.label == "街道"
