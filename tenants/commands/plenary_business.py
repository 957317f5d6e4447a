"""Commands on the plenary's business: the council roster, work reports and plans,
and charter amendments, each citing the plenary resolution that adopted it."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from domain import errors
from domain.charters import Charter
from domain.meetings import Meeting
from domain.plenary_business import (
    Council,
    Item,
    PlenaryResolution,
    Seat,
    WorkDocument,
    WorkDocumentKind,
    council_id,
    work_document_id,
)
from domain.resolutions import Resolution
from domain.stamp import Stamp
from domain.tenants import Tenant, tenant_aggregate_id
from tenants.ledger import CommandResult, LedgerBase
from tenants.store.recorder import IdempotentCommand

Idem = IdempotentCommand | None


class PlenaryCommands(LedgerBase):
    """What a tenant's plenary meeting adopts."""

    def plenary_resolution(self, resolution_id: UUID) -> PlenaryResolution:
        """The resolution cited, as a plenary act needs to know it (NotFound if this
        tenant's log does not hold it)."""
        resolution = self.load(Resolution, resolution_id)
        meeting = self.load(Meeting, resolution.meeting_id)
        return PlenaryResolution(
            resolution_id=resolution_id,
            meeting_id=resolution.meeting_id,
            meeting_kind=meeting.kind,
            status=resolution.status,
        )

    def _active_units(self, unit_ids: Sequence[str]) -> None:
        for unit_id in dict.fromkeys(unit_ids):
            try:
                record_id = UUID(unit_id)
            except ValueError:
                raise errors.NotFound(f"no member unit {unit_id}") from None
            self.active_unit(record_id, "it holds no seat and no item")

    def confirm_council(
        self, stamp: Stamp, seats: Sequence[Seat], resolution_id: UUID, idem: Idem = None
    ) -> CommandResult:
        """Confirm the council's roster (理事长, 副理事长, 理事) as the plenary resolution
        cited adopted it; it replaces the roster before it."""
        resolution = self.plenary_resolution(resolution_id)
        self._active_units([unit for _, unit in seats])
        record_id = council_id(self.tenant_id)
        if record_id in self.repository:
            council = self.load(Council, record_id)
            council.reconfirm(stamp, seats, resolution)
        else:
            self.tenant()
            council = Council.confirm(stamp, seats, resolution)
        return self.commit(council, idempotent=idem)

    def adopt_work_document(
        self,
        stamp: Stamp,
        kind: WorkDocumentKind,
        period: str,
        title: str,
        items: Sequence[Item],
        resolution_id: UUID,
        idem: Idem = None,
    ) -> CommandResult:
        """Adopt the work report or plan for a period as the plenary resolution cited
        did; a second adoption for the same period revises it (reason required)."""
        resolution = self.plenary_resolution(resolution_id)
        self._active_units([unit for _, _, unit, _ in items if unit is not None])
        record_id = work_document_id(self.tenant_id, kind, period)
        if record_id in self.repository:
            document = self.load(WorkDocument, record_id)
            document.revise(stamp, title, items, resolution)
        else:
            self.tenant()
            document = WorkDocument.adopt(
                stamp, kind=kind, period=period, title=title, items=items, resolution=resolution
            )
        return self.commit(document, idempotent=idem)

    def amend_charter(
        self, stamp: Stamp, charter: Charter, resolution_id: UUID, idem: Idem = None
    ) -> CommandResult:
        """Amend the tenant's charter as the plenary resolution cited adopted it."""
        resolution = self.plenary_resolution(resolution_id)
        tenant = self.load(Tenant, tenant_aggregate_id(self.tenant_id))
        tenant.amend_charter(stamp, charter, resolution)
        return self.commit(tenant, idempotent=idem)
