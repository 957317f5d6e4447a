"""The plenary's business, as behaviours: the council roster and the work documents."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain import errors
from domain.meetings import MeetingKind
from domain.plenary_business import (
    Council,
    CouncilOffice,
    PlenaryResolution,
    WorkDocument,
    WorkDocumentKind,
    council_id,
)
from domain.resolutions import ResolutionStatus
from tests.unit.builders import stamp

CHAIR, VICE, MEMBER = CouncilOffice.CHAIR, CouncilOffice.VICE_CHAIR, CouncilOffice.COUNCIL_MEMBER


def plenary(kind: MeetingKind = MeetingKind.PLENARY) -> PlenaryResolution:
    return PlenaryResolution(uuid4(), uuid4(), kind, ResolutionStatus.ADOPTED)


def test_a_council_has_one_chair_and_each_unit_one_seat() -> None:
    with pytest.raises(errors.InvalidValue, match="one chair"):
        Council.confirm(stamp(), [(VICE, "u1"), (MEMBER, "u2")], plenary())
    with pytest.raises(errors.InvalidValue, match="one chair"):
        Council.confirm(stamp(), [(CHAIR, "u1"), (CHAIR, "u2")], plenary())
    with pytest.raises(errors.InvalidValue, match="one seat"):
        Council.confirm(stamp(), [(CHAIR, "u1"), (MEMBER, "u1")], plenary())


def test_a_roster_is_confirmed_only_by_a_plenary_resolution() -> None:
    with pytest.raises(errors.NotPlenaryResolution):
        Council.confirm(stamp(), [(CHAIR, "u1")], plenary(MeetingKind.REGULAR))


def test_the_roster_reads_chair_first_and_a_later_plenary_replaces_it() -> None:
    first = plenary()
    council = Council.confirm(stamp(), [(MEMBER, "u3"), (VICE, "u2"), (CHAIR, "u1")], first)
    assert council.id == council_id(council.tenant_id)
    assert [s["office"] for s in council.seats] == ["chair", "vice_chair", "council_member"]
    assert council.chair_unit_id == "u1"
    with pytest.raises(errors.ResolutionAlreadyCited):
        council.reconfirm(stamp(), [(CHAIR, "u2")], first)
    council.reconfirm(stamp(), [(CHAIR, "u2"), (MEMBER, "u1")], plenary())
    assert council.chair_unit_id == "u2"
    assert council.version == 2


def test_a_work_document_has_items_and_is_revised_only_with_a_reason_by_another_plenary() -> None:
    items = [("1", "开展义诊四次", "u1", date(2026, 6, 30)), ("2", "建设口袋公园", None, None)]
    with pytest.raises(errors.InvalidValue):
        WorkDocument.adopt(
            stamp(), kind=WorkDocumentKind.WORK_PLAN, period="2026", title="计划",
            items=[], resolution=plenary(),
        )  # fmt: skip
    with pytest.raises(errors.InvalidValue, match="unique"):
        WorkDocument.adopt(
            stamp(), kind=WorkDocumentKind.WORK_PLAN, period="2026", title="计划",
            items=[items[0], items[0]], resolution=plenary(),
        )  # fmt: skip
    first = plenary()
    plan = WorkDocument.adopt(
        stamp(), kind=WorkDocumentKind.WORK_PLAN, period="2026", title="2026年工作计划",
        items=items, resolution=first,
    )  # fmt: skip
    with pytest.raises(errors.ReasonRequired):
        plan.revise(stamp(), "2026年工作计划(修订)", items[:1], plenary())
    with pytest.raises(errors.ResolutionAlreadyCited):
        plan.revise(stamp("调整"), "2026年工作计划(修订)", items[:1], first)
    plan.revise(stamp("上级部署调整"), "2026年工作计划(修订)", items[:1], plenary())
    assert plan.version == 2
