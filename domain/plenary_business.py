"""The plenary's business (全体会议职责): confirming the council (理事长, 副理事长,
理事), adopting the work report and the work plan, and amending the charter.

Each of these is adopted by a resolution of a plenary meeting of the same tenant
(Fenglin charter, article 17), and the record of it cites that resolution. A seat
on the council is held by a member unit: its representative (主要负责人) sits, so
the person is the one the unit's appointment names, with that data's protection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.charters import LabelledEnum, labelled
from domain.meetings import MeetingKind
from domain.periods import Period
from domain.resolutions import ResolutionStatus
from domain.stamp import Stamp


@labelled({"chair": "理事长", "vice_chair": "副理事长", "council_member": "理事"})
class CouncilOffice(LabelledEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    COUNCIL_MEMBER = "council_member"


@labelled({"work_report": "工作报告", "work_plan": "工作计划"})
class WorkDocumentKind(LabelledEnum):
    WORK_REPORT = "work_report"
    WORK_PLAN = "work_plan"


@dataclass(frozen=True)
class PlenaryResolution:
    """What a plenary act needs to know of the resolution it cites."""

    resolution_id: UUID
    meeting_id: UUID
    meeting_kind: MeetingKind
    status: ResolutionStatus


def check_plenary(resolution: PlenaryResolution) -> None:
    """The resolution was adopted by a plenary meeting and is still in force."""
    if resolution.meeting_kind is not MeetingKind.PLENARY:
        raise errors.NotPlenaryResolution(
            f"resolution {resolution.resolution_id} was adopted by a "
            f"{resolution.meeting_kind.label}, not by a plenary meeting (全体会议)"
        )
    if resolution.status is ResolutionStatus.SUPERSEDED:
        raise errors.NotPlenaryResolution(
            f"resolution {resolution.resolution_id} was superseded: cite the one in force"
        )


def _citation(resolution: PlenaryResolution) -> dict[str, UUID]:
    """The event fields citing a plenary resolution (checked)."""
    check_plenary(resolution)
    return {"resolution_id": resolution.resolution_id, "meeting_id": resolution.meeting_id}


Seat = tuple[CouncilOffice, str]
"""A council seat: the office and the member unit (id) holding it."""


def _seats(seats: Sequence[Seat]) -> list[dict[str, str]]:
    """Validated seats as event data: one chair, each unit in at most one seat;
    ordered chair, vice-chairs, members, each in the order given."""
    chairs = [unit for office, unit in seats if office is CouncilOffice.CHAIR]
    if len(chairs) != 1:
        raise errors.InvalidValue(f"a council has one chair (理事长), not {len(chairs)}")
    units = [unit for _, unit in seats]
    repeated = sorted({unit for unit in units if units.count(unit) > 1})
    if repeated:
        raise errors.InvalidValue(f"a unit holds one seat on the council: {repeated[0]}")
    order = list(CouncilOffice)
    ranked = sorted(enumerate(seats), key=lambda s: (order.index(s[1][0]), s[0]))
    return [{"office": office.value, "unit_id": unit} for _, (office, unit) in ranked]


def council_id(tenant_id: str) -> UUID:
    """The id of a tenant's one council."""
    return uuid5(NAMESPACE_URL, f"gongjian:council:{tenant_id}")


class Council(Aggregate):
    """A tenant's council (理事会): its roster as the latest plenary confirmed it."""

    TOPIC = "gongjian.Council"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.Council.Created"

    @event("Confirmed", topic="gongjian.Council.Confirmed")
    def __init__(
        self,
        id: UUID,
        stamp: Stamp,
        seats: list[dict[str, str]],
        resolution_id: UUID,
        meeting_id: UUID,
    ) -> None:
        self.tenant_id = stamp.tenant_id
        self.seats = seats
        self.cited = [resolution_id]

    @classmethod
    def confirm(cls, stamp: Stamp, seats: Sequence[Seat], resolution: PlenaryResolution) -> Council:
        """The first roster, confirmed by a plenary resolution (the caller checks that
        each unit is an active member)."""
        return cls(
            id=council_id(stamp.tenant_id),
            stamp=stamp,
            seats=_seats(seats),
            **_citation(resolution),
        )

    def reconfirm(self, stamp: Stamp, seats: Sequence[Seat], resolution: PlenaryResolution) -> None:
        """A later plenary's roster, which replaces this one (its history keeps both)."""
        citation = _citation(resolution)
        if resolution.resolution_id in self.cited:
            raise errors.ResolutionAlreadyCited(
                f"resolution {resolution.resolution_id} already confirmed a roster"
            )
        self._reconfirmed(stamp, _seats(seats), **citation)

    @property
    def chair_unit_id(self) -> str:
        return next(s["unit_id"] for s in self.seats if s["office"] == CouncilOffice.CHAIR)

    @event("Reconfirmed", topic="gongjian.Council.Reconfirmed")
    def _reconfirmed(
        self, stamp: Stamp, seats: list[dict[str, str]], resolution_id: UUID, meeting_id: UUID
    ) -> None:
        self.seats = seats
        self.cited.append(resolution_id)


Item = tuple[str, str, str | None, date | None]
"""A document's item: (id, text, the responsible unit if any, due date if any)."""


def _items(items: Sequence[Item]) -> list[dict[str, Any]]:
    """Validated items as event data: at least one, unique ids, each with text."""
    if not items:
        raise errors.InvalidValue("a work document has at least one item")
    ids = [item[0] for item in items]
    if len(set(ids)) != len(ids):
        raise errors.InvalidValue("item ids must be unique within a document")
    if any(not item[1].strip() for item in items):
        raise errors.InvalidValue("an item says what it reports or plans")
    return [
        {
            "id": i,
            "text": text.strip(),
            "responsible_unit_id": unit,
            "due": due.isoformat() if due else None,
        }
        for i, text, unit, due in items
    ]


def work_document_id(tenant_id: str, kind: WorkDocumentKind, period: str) -> UUID:
    """The id of a tenant's one work report (or plan) for a period."""
    return uuid5(NAMESPACE_URL, f"gongjian:work-document:{tenant_id}:{kind.value}:{period}")


class WorkDocument(Aggregate):
    """A work report (工作报告) or a work plan (工作计划) for a period, with its items,
    as adopted by a plenary; a later plenary may revise it, with a reason."""

    TOPIC = "gongjian.WorkDocument"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.WorkDocument.Created"

    @event("Adopted", topic="gongjian.WorkDocument.Adopted")
    def __init__(
        self,
        id: UUID,
        stamp: Stamp,
        kind: str,
        period: str,
        title: str,
        items: list[dict[str, Any]],
        resolution_id: UUID,
        meeting_id: UUID,
    ) -> None:
        self.tenant_id = stamp.tenant_id
        self.kind = WorkDocumentKind(kind)
        self.period = period
        self.cited = [resolution_id]

    @classmethod
    def adopt(
        cls,
        stamp: Stamp,
        *,
        kind: WorkDocumentKind,
        period: str,
        title: str,
        items: Sequence[Item],
        resolution: PlenaryResolution,
    ) -> WorkDocument:
        """Adopt a work report or plan for a period (the caller checks item units)."""
        Period.parse(period)
        if not title.strip():
            raise errors.InvalidValue("a work document has a title")
        return cls(
            id=work_document_id(stamp.tenant_id, kind, period),
            stamp=stamp,
            kind=kind.value,
            period=period,
            title=title.strip(),
            items=_items(items),
            **_citation(resolution),
        )

    def revise(
        self, stamp: Stamp, title: str, items: Sequence[Item], resolution: PlenaryResolution
    ) -> None:
        """Replace the title and items by a later plenary resolution, with a reason."""
        citation = _citation(resolution)
        if resolution.resolution_id in self.cited:
            raise errors.ResolutionAlreadyCited(
                f"resolution {resolution.resolution_id} already adopted this document"
            )
        stamp.require_reason(f"revising the adopted {self.kind.label}")
        if not title.strip():
            raise errors.InvalidValue("a work document has a title")
        self._revised(stamp, title.strip(), _items(items), **citation)

    @event("Revised", topic="gongjian.WorkDocument.Revised")
    def _revised(
        self,
        stamp: Stamp,
        title: str,
        items: list[dict[str, Any]],
        resolution_id: UUID,
        meeting_id: UUID,
    ) -> None:
        self.cited.append(resolution_id)
