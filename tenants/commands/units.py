"""Commands on tenants, charters and member units."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.charters import Charter
from domain.errors import TenantAlreadyRegistered
from domain.stamp import Stamp
from domain.tenants import Tenant, TenantKind, tenant_aggregate_id
from domain.units import MemberUnit, UnitKind
from tenants.ledger import CommandResult, LedgerBase
from tenants.store.recorder import IdempotentCommand

Idem = IdempotentCommand | None

UNIT_JOINED = "gongjian.MemberUnit.Joined"
UNIT_LEFT = "gongjian.MemberUnit.Left"


class UnitCommands(LedgerBase):
    """Registering the tenant, amending its charter, admitting and managing units."""

    def register(
        self,
        stamp: Stamp,
        kind: TenantKind,
        name: str,
        charter: Charter,
        parent: Tenant | None,
        idem: Idem = None,
    ) -> CommandResult:
        """Register this tenant (a street, or a community under ``parent``)."""
        if tenant_aggregate_id(self.tenant_id) in self.repository:
            raise TenantAlreadyRegistered(f"tenant {self.tenant_id} is already registered")
        tenant = Tenant.register(stamp, kind=kind, name=name, charter=charter, parent=parent)
        return self.commit(tenant, idempotent=idem)

    def record_community(self, stamp: Stamp, community_id: str, name: str) -> int:
        """Record in this street's log that a community joined it (once); return the
        street's head position."""
        street = self.tenant()
        if street.record_community(stamp, community_id, name):
            return self.commit(street).position
        return self.head_position()

    def anchor_checkpoint(self, stamp: Stamp, community_id: str, checkpoint: dict[str, Any]) -> int:
        """Record a community's signed checkpoint in this street's log; return the
        street's head position."""
        street = self.tenant()
        street.anchor_checkpoint(stamp, community_id, checkpoint)
        return self.commit(street).position

    def join_unit(
        self, stamp: Stamp, unit_id: UUID, name: str, kind: UnitKind, idem: Idem = None
    ) -> CommandResult:
        """Admit a member unit."""
        self.tenant()
        unit = MemberUnit.join(stamp, unit_id=unit_id, name=name, kind=kind)
        return self.commit(unit, idempotent=idem)

    def appoint(
        self,
        stamp: Stamp,
        unit_id: UUID,
        role: str,
        name: str,
        phone: str | None,
        idem: Idem = None,
    ) -> CommandResult:
        """Appoint or replace a unit's representative or liaison."""
        unit = self.load(MemberUnit, unit_id)
        if role == "representative":
            unit.appoint_representative(stamp, name, phone)
        else:
            unit.appoint_liaison(stamp, name, phone)
        return self.commit(unit, idempotent=idem)

    def leave_unit(self, stamp: Stamp, unit_id: UUID, idem: Idem = None) -> CommandResult:
        """A unit leaves the joint meeting."""
        unit = self.load(MemberUnit, unit_id)
        unit.leave(stamp)
        return self.commit(unit, idempotent=idem)

    def active_unit_ids(self) -> list[str]:
        """Units that joined and have not left, read from this tenant's own log."""
        active: dict[str, bool] = {}
        position = 0
        while True:
            batch = self.recorder.select_notifications(
                position, 1000, topics=[UNIT_JOINED, UNIT_LEFT], inclusive_of_start=False
            )
            for notification in batch:
                active[str(notification.originator_id)] = notification.topic == UNIT_JOINED
                position = notification.id
            if len(batch) < 1000:
                return [unit for unit, is_active in active.items() if is_active]
