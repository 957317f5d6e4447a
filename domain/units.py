"""Member units of a joint meeting and the people they appoint."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.charters import LabelledEnum, labelled
from domain.errors import InvalidValue, UnitHasLeft
from domain.stamp import Stamp


@labelled(
    {
        "street_party_committee": "街道党工委",
        "government_office": "机关单位",
        "public_institution": "事业单位",
        "military": "驻区部队",
        "enterprise": "企业",
        "social_organisation": "社会组织",
        "community_party_organisation": "社区党组织",
    }
)
class UnitKind(LabelledEnum):
    STREET_PARTY_COMMITTEE = "street_party_committee"
    GOVERNMENT_OFFICE = "government_office"
    PUBLIC_INSTITUTION = "public_institution"
    MILITARY = "military"
    ENTERPRISE = "enterprise"
    SOCIAL_ORGANISATION = "social_organisation"
    COMMUNITY_PARTY_ORGANISATION = "community_party_organisation"


def _person(name: str, phone: str | None) -> dict[str, Any]:
    if not name.strip():
        raise InvalidValue("a person needs a name")
    return {"name": name.strip(), "phone": phone}


class MemberUnit(Aggregate):
    """A unit that takes part in a tenant's joint meeting."""

    TOPIC = "gongjian.MemberUnit"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.MemberUnit.Created"

    @event("Joined", topic="gongjian.MemberUnit.Joined")
    def __init__(self, id: UUID, stamp: Stamp, name: str, kind: str) -> None:
        self.tenant_id = stamp.tenant_id
        self.name = name
        self.kind = UnitKind(kind)
        self.representative: dict[str, Any] | None = None
        self.liaison: dict[str, Any] | None = None
        self.active = True

    @classmethod
    def join(cls, stamp: Stamp, *, unit_id: UUID, name: str, kind: UnitKind) -> MemberUnit:
        """Admit a unit to the tenant's joint meeting."""
        if not name.strip():
            raise InvalidValue("a member unit needs a name")
        return cls(id=unit_id, stamp=stamp, name=name.strip(), kind=kind.value)

    def appoint_representative(self, stamp: Stamp, name: str, phone: str | None) -> None:
        """Appoint (or replace) the unit's representative."""
        self._check_active()
        self._representative_appointed(stamp, _person(name, phone))

    def appoint_liaison(self, stamp: Stamp, name: str, phone: str | None) -> None:
        """Appoint (or replace) the unit's liaison."""
        self._check_active()
        self._liaison_appointed(stamp, _person(name, phone))

    def leave(self, stamp: Stamp) -> None:
        """Leave the joint meeting, with a reason."""
        self._check_active()
        stamp.require_reason("leaving")
        self._left(stamp)

    def _check_active(self) -> None:
        if not self.active:
            raise UnitHasLeft(f"unit {self.name} has left")

    @event("RepresentativeAppointed", topic="gongjian.MemberUnit.RepresentativeAppointed")
    def _representative_appointed(self, stamp: Stamp, person: dict[str, Any]) -> None:
        self.representative = person

    @event("LiaisonAppointed", topic="gongjian.MemberUnit.LiaisonAppointed")
    def _liaison_appointed(self, stamp: Stamp, person: dict[str, Any]) -> None:
        self.liaison = person

    @event("Left", topic="gongjian.MemberUnit.Left")
    def _left(self, stamp: Stamp) -> None:
        self.active = False
