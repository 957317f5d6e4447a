"""GraphQL types for member units, their people and a tenant's charter."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import Row

from api.graphql import personal
from api.graphql.agreements import UnitAgreements
from api.graphql.nodes import Node
from api.graphql.records import record_fields
from api.graphql.types import Ctx, Event, history_of
from domain.charters import DEFAULT_TIME_ZONE, Cadence, DecisionRule
from projections import tables


@strawberry.type(
    description="A unit's representative or liaison (masked unless the reader may see "
    "personal data: the surname, the telephone's last four digits)."
)
class Person:
    name: str
    phone: str | None


def _person(info: Ctx, unit_id: str, data: dict[str, Any] | None) -> Person | None:
    if not data:
        return None
    if not info.context.sees_personal(unit_id):
        data = personal.person(data)
    return Person(name=data["name"], phone=data.get("phone"))


@strawberry.type
class Charter:
    cadence: str
    cadence_label: str
    notice_days: int
    quorum: str
    decision_rule: str
    decision_rule_label: str
    max_active_claims: int
    opening_margin_minutes: int = strawberry.field(
        description="how long before its scheduled time a meeting may be opened"
    )
    time_zone: str = strawberry.field(
        description="IANA time zone in which the tenant's dates fall (deadlines, overdue)"
    )

    @classmethod
    def of(cls, data: dict[str, Any]) -> Charter:
        return cls(
            cadence=data["cadence"],
            cadence_label=Cadence(data["cadence"]).label,
            notice_days=data["notice_days"],
            quorum=data["quorum"],
            decision_rule=data["decision_rule"],
            decision_rule_label=DecisionRule(data["decision_rule"]).label,
            max_active_claims=data["max_active_claims"],
            opening_margin_minutes=data.get("opening_margin_minutes", 120),
            # Charters recorded before time zones were kept: the platform's default.
            time_zone=data.get("time_zone", DEFAULT_TIME_ZONE),
        )


@strawberry.type
@record_fields(tables.UNITS)
class MemberUnit(UnitAgreements, Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def representative(self, info: Ctx) -> Person | None:
        return _person(info, self.row.unit_id, self.row.representative)

    @strawberry.field
    def liaison(self, info: Ctx) -> Person | None:
        return _person(info, self.row.unit_id, self.row.liaison)

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.unit_id)


async def load_unit(info: Ctx, tenant_id: str, unit_id: str) -> MemberUnit | None:
    rows = await info.context.loaders.units.load(info.context.key(info, tenant_id, unit_id))
    return MemberUnit(row=rows[0]) if rows else None
