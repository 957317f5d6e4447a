"""Following a resolution to verified completion, as behaviours."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain import errors
from domain.resolutions import ReportKind, Resolution, ResolutionStatus
from tests.unit.builders import stamp


def adopted(*units: str, notified: bool = True) -> Resolution:
    responsible = list(units or ["unit-a"])
    resolution = Resolution.adopt(
        stamp(),
        resolution_id=uuid4(),
        meeting_id=uuid4(),
        item_id="i1",
        title="加装电梯",
        action="完成三栋楼的意见征询",
        responsible_unit_ids=responsible,
        deadline=date(2025, 6, 30),
        meeting_day=date(2025, 5, 20),
    )
    if notified:
        resolution.notify(stamp(), responsible)
    return resolution


def test_a_resolution_names_responsible_units_and_an_action() -> None:
    with pytest.raises(errors.InvalidValue):
        Resolution.adopt(
            stamp(),
            resolution_id=uuid4(),
            meeting_id=uuid4(),
            item_id="i",
            title="t",
            action="做事",
            responsible_unit_ids=[],
            deadline=date(2025, 1, 1),
            meeting_day=date(2025, 1, 1),
        )


def test_a_deadline_falls_on_or_after_the_meeting() -> None:
    def adopt(deadline: date) -> Resolution:
        return Resolution.adopt(stamp(), resolution_id=uuid4(), meeting_id=uuid4(), item_id="i",
                                title="t", action="做事", responsible_unit_ids=["u"],
                                deadline=deadline, meeting_day=date(2025, 5, 20))  # fmt: skip

    with pytest.raises(errors.InvalidValue, match="before the meeting"):
        adopt(date(2025, 5, 19))
    assert adopt(date(2025, 5, 20)).deadline == date(2025, 5, 20)


def test_a_unit_reports_only_once_notified() -> None:
    resolution = adopted("unit-a", "unit-b", notified=False)
    with pytest.raises(errors.ResolutionNotNotified):
        resolution.report_execution(stamp(), "unit-a", ReportKind.PROGRESS, "进展", [])
    resolution.notify(stamp(), ["unit-a"])
    resolution.report_execution(stamp(), "unit-a", ReportKind.PROGRESS, "进展", [])
    with pytest.raises(errors.ResolutionNotNotified):
        resolution.report_execution(stamp(), "unit-b", ReportKind.PROGRESS, "进展", [])


def test_only_responsible_units_report_execution() -> None:
    resolution = adopted("unit-a")
    with pytest.raises(errors.NotResponsible):
        resolution.report_execution(stamp(), "unit-b", ReportKind.PROGRESS, "进展", [])
    resolution.report_execution(stamp(), "unit-a", ReportKind.PROGRESS, "已走访", ["照片.jpg"])
    assert resolution.status is ResolutionStatus.IN_PROGRESS


def test_verification_waits_for_every_responsible_unit_to_complete() -> None:
    resolution = adopted("unit-a", "unit-b")
    resolution.report_execution(stamp(), "unit-a", ReportKind.COMPLETED, "完成", [])
    with pytest.raises(errors.ExecutionIncomplete):
        resolution.verify(stamp())
    resolution.report_execution(stamp(), "unit-b", ReportKind.COMPLETED, "完成", [])
    assert resolution.status is ResolutionStatus.COMPLETED
    resolution.verify(stamp())
    assert resolution.status.value == "verified"
    with pytest.raises(errors.ResolutionClosed):
        resolution.report_execution(stamp(), "unit-a", ReportKind.PROGRESS, "再报", [])


def test_a_returned_completion_needs_a_reason_and_reopens_execution() -> None:
    resolution = adopted("unit-a")
    with pytest.raises(errors.NothingToReturn):
        resolution.return_report(stamp("x"), "unit-a")
    resolution.report_execution(stamp(), "unit-a", ReportKind.COMPLETED, "完成", [])
    with pytest.raises(errors.ReasonRequired):
        resolution.return_report(stamp(), "unit-a")
    resolution.return_report(stamp("缺少验收材料"), "unit-a")
    assert resolution.status is ResolutionStatus.IN_PROGRESS
    with pytest.raises(errors.ExecutionIncomplete):
        resolution.verify(stamp())


def test_overdue_is_derived_from_the_deadline_until_verified() -> None:
    resolution = adopted("unit-a")
    assert not resolution.is_overdue(date(2025, 6, 30))
    assert resolution.is_overdue(date(2025, 7, 1))
    resolution.report_execution(stamp(), "unit-a", ReportKind.COMPLETED, "完成", [])
    resolution.verify(stamp())
    assert not resolution.is_overdue(date(2025, 7, 1))


def test_superseding_needs_a_reason_and_closes_the_resolution() -> None:
    resolution = adopted("unit-a")
    later = uuid4()
    with pytest.raises(errors.ReasonRequired):
        resolution.supersede(stamp(), later)
    resolution.supersede(stamp("方案调整"), later)
    assert resolution.status is ResolutionStatus.SUPERSEDED
    assert resolution.superseded_by == later
