"""Commands on tenants, their charters and their member units."""

from __future__ import annotations

from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.charters import DEFAULT_TIME_ZONE, Cadence, Charter, DecisionRule, zone
from domain.errors import InvalidValue
from domain.tenants import TenantKind, tenant_aggregate_id
from domain.units import UnitKind
from tenants.ledger import CommandResult
from tenants.messages.base import Handling, Message, RecordCommand, Route
from tenants.messages.fields import Name, Phone, TenantId

TAG = "tenants and units"


class CharterBody(BaseModel):
    """A tenant's rules for its joint meeting."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cadence: Cadence = Cadence.QUARTERLY
    notice_days: int = Field(3, ge=0, le=365, strict=True)
    quorum: str = Field("0.5", pattern=r"^(0(\.\d{1,4})?|1(\.0{1,4})?)$")
    decision_rule: DecisionRule = DecisionRule.CONSENSUS
    max_active_claims: int = Field(2, ge=1, le=20, strict=True)
    opening_margin_minutes: int = Field(
        120,
        ge=0,
        le=10080,
        strict=True,
        description="how long before its scheduled time a meeting may be opened",
    )
    time_zone: str = Field(
        DEFAULT_TIME_ZONE,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$",
        description="IANA time zone in which the tenant's dates fall (deadlines, today)",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zone(value)
        except InvalidValue as error:
            raise ValueError(error.message) from None
        return value

    def charter(self) -> Charter:
        """The charter as the domain reads it."""
        return Charter.from_dict(self.model_dump(mode="json"))


class RegisterTenant(Message):
    """Register a street, or a community under its street."""

    route = Route("/tenants", TAG, 201, platform=True)
    tenant_id: TenantId
    kind: TenantKind
    name: Name
    parent_id: TenantId | None = None
    charter: CharterBody = CharterBody()

    def log_tenant(self, tenant_id: str | None) -> str:
        return self.tenant_id

    def registers_tenant(self) -> str | None:
        return self.tenant_id

    def authority_tenant(self, tenant_id: str | None) -> str | None:
        # A street is registered by the platform; a community by its street.
        return self.parent_id

    def handle(self, h: Handling) -> CommandResult:
        parent = h.ledgers[self.parent_id].tenant() if self.parent_id else None
        joining = self.kind is TenantKind.COMMUNITY and parent is not None
        if joining and parent is not None and h.ledger.head_position() == 0:
            # The street's log records the community first, so that the tree has a
            # history; a retry after a crash in between records it only once.
            street = h.ledgers[parent.tenant_id]
            h.touched[parent.tenant_id] = street.record_community(
                h.stamp_for(parent.tenant_id), self.tenant_id, self.name
            )
        return h.ledger.register(
            h.stamp, self.kind, self.name, self.charter.charter(), parent, idem=h.idem
        )


class AmendCharter(RecordCommand):
    """Amend the tenant's charter as the plenary resolution `resolution_id` adopted it
    (reason required)."""

    route = Route("/charter-amendments", TAG)
    charter: CharterBody
    resolution_id: UUID

    def target(self, tenant_id: str) -> UUID:
        return tenant_aggregate_id(tenant_id)

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.amend_charter(
            h.stamp, self.charter.charter(), self.resolution_id, idem=h.idem
        )


class JoinUnit(Message):
    """Admit a member unit."""

    route = Route("/units", TAG, 201)
    name: Name
    kind: UnitKind

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.join_unit(h.stamp, uuid4(), self.name, self.kind, idem=h.idem)


class OnUnit(RecordCommand):
    """A command on one member unit."""

    unit_id: UUID

    def target(self, tenant_id: str) -> UUID:
        return self.unit_id


class _Appoint(OnUnit):
    name: Name
    phone: Phone | None = None

    def handle(self, h: Handling) -> CommandResult:
        office = "liaison" if isinstance(self, AppointLiaison) else "representative"
        return h.ledger.appoint(h.stamp, self.unit_id, office, self.name, self.phone, idem=h.idem)


class AppointRepresentative(_Appoint):
    """Appoint or replace the unit's representative."""

    route = Route("/units/{unit_id}/representative", TAG)


class AppointLiaison(_Appoint):
    """Appoint or replace the unit's liaison."""

    route = Route("/units/{unit_id}/liaison", TAG)


class LeaveUnit(OnUnit):
    """A unit leaves the joint meeting (reason required)."""

    route = Route("/units/{unit_id}/leave", TAG)

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.leave_unit(h.stamp, self.unit_id, idem=h.idem)
