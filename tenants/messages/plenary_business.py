"""Commands on the plenary's business (全体会议): confirm the council, adopt a work
report or plan. Each cites the plenary resolution that adopted it; amending the
charter (tenants.messages.tenants.AmendCharter) does too."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.plenary_business import CouncilOffice, WorkDocumentKind
from tenants.ledger import CommandResult
from tenants.messages.base import Handling, Message, Route
from tenants.messages.fields import Day, ItemId, Name, Period, Ref, Text

TAG = "plenary"


class ConfirmCouncil(Message):
    """Confirm the council (理事会) as a plenary resolution adopted it: the chair's
    unit (理事长), the vice-chairs' (副理事长) and the council members' (理事). Each
    seat is held by an active member unit, one seat per unit; the roster replaces the
    one before it."""

    route = Route("/council", TAG)
    resolution_id: UUID
    chair_unit_id: Ref
    vice_chair_unit_ids: list[Ref] = Field(default_factory=list, max_length=20)
    council_member_unit_ids: list[Ref] = Field(default_factory=list, max_length=200)

    def handle(self, h: Handling) -> CommandResult:
        seats = [
            (CouncilOffice.CHAIR, self.chair_unit_id),
            *((CouncilOffice.VICE_CHAIR, unit) for unit in self.vice_chair_unit_ids),
            *((CouncilOffice.COUNCIL_MEMBER, unit) for unit in self.council_member_unit_ids),
        ]
        return h.ledger.confirm_council(h.stamp, seats, self.resolution_id, idem=h.idem)


class DocumentItem(BaseModel):
    """One item of a work report (what was done) or plan (what will be done)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: ItemId
    text: Text
    responsible_unit_id: Ref | None = None
    due: Day | None = None


class AdoptWorkDocument(Message):
    """Record the work report (工作报告) or work plan (工作计划) for a period as a
    plenary resolution adopted it; adopting one again for the same period revises it
    (reason required)."""

    route = Route("/work-documents", TAG)
    kind: WorkDocumentKind
    period: Period
    title: Name
    items: list[DocumentItem] = Field(min_length=1, max_length=200)
    resolution_id: UUID

    def handle(self, h: Handling) -> CommandResult:
        items = [(i.id, i.text, i.responsible_unit_id, i.due) for i in self.items]
        return h.ledger.adopt_work_document(
            h.stamp, self.kind, self.period, self.title, items, self.resolution_id, idem=h.idem
        )
