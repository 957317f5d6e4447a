"""Streets and communities: the tenants, each with its charter."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.charters import Charter, LabelledEnum, labelled
from domain.errors import InvalidValue, ParentMustBeStreet
from domain.plenary_business import PlenaryResolution, check_plenary
from domain.stamp import Stamp


@labelled({"street": "街道", "community": "社区"})
class TenantKind(LabelledEnum):
    STREET = "street"
    COMMUNITY = "community"


# The fields of a signed checkpoint a street records for its community
# (tenants.store.checkpoints.Checkpoint: hashes and signature as hex, time RFC 3339).
ANCHORED_FIELDS = frozenset({"size", "head_hash", "root", "taken_at", "key_id", "signature"})


def tenant_aggregate_id(tenant_id: str) -> UUID:
    """The fixed id of the Tenant aggregate inside its own log."""
    return uuid5(NAMESPACE_URL, f"gongjian:tenant:{tenant_id}")


class Tenant(Aggregate):
    """A street or a community: owner of one event log and one charter."""

    TOPIC = "gongjian.Tenant"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.Tenant.Created"

    @staticmethod
    def create_id(stamp: Stamp, **_: Any) -> UUID:
        return tenant_aggregate_id(stamp.tenant_id)

    @event("Registered", topic="gongjian.Tenant.Registered")
    def __init__(
        self,
        stamp: Stamp,
        kind: str,
        name: str,
        parent_id: str | None,
        charter: dict[str, Any],
    ) -> None:
        self.tenant_id = stamp.tenant_id
        self.kind = TenantKind(kind)
        self.name = name
        self.parent_id = parent_id
        self.charter = Charter.from_dict(charter)
        self.communities: list[str] = []

    @classmethod
    def register(
        cls,
        stamp: Stamp,
        *,
        kind: TenantKind,
        name: str,
        charter: Charter,
        parent: Tenant | None = None,
    ) -> Tenant:
        """Register a street, or a community under its street."""
        if not name.strip():
            raise InvalidValue("a tenant needs a name")
        if kind is TenantKind.COMMUNITY:
            if parent is None or parent.kind is not TenantKind.STREET:
                raise ParentMustBeStreet("a community is registered under a street")
        elif parent is not None:
            raise ParentMustBeStreet("a street has no parent tenant")
        return cls(
            stamp,
            kind=kind.value,
            name=name.strip(),
            parent_id=parent.tenant_id if parent else None,
            charter=charter.as_dict(),
        )

    def record_community(self, stamp: Stamp, community_id: str, name: str) -> bool:
        """Record in a street's own log that a community joined it (once); tell
        whether this call recorded it."""
        if self.kind is not TenantKind.STREET:
            raise ParentMustBeStreet("a community is registered under a street")
        if community_id in self.communities:
            return False
        self._community_joined(stamp, community_id, name)
        return True

    @event("CommunityJoined", topic="gongjian.Tenant.CommunityJoined")
    def _community_joined(self, stamp: Stamp, community_id: str, name: str) -> None:
        self.communities = [*self.communities, community_id]

    def anchor_checkpoint(
        self, stamp: Stamp, community_id: str, checkpoint: dict[str, Any]
    ) -> None:
        """Record in a street's own log a signed checkpoint of one of its communities,
        so that the street's chain (and its own checkpoints) vouch for the community's
        log as it was signed. ``checkpoint`` holds the signed fields, hex-encoded."""
        if self.kind is not TenantKind.STREET:
            raise ParentMustBeStreet("only a street anchors its communities' checkpoints")
        if community_id not in self.communities:
            raise InvalidValue(f"{community_id} is not a community of this street")
        missing = ANCHORED_FIELDS - checkpoint.keys()
        if missing:
            raise InvalidValue(f"a checkpoint needs {', '.join(sorted(missing))}")
        self._checkpoint_anchored(stamp, community_id, {k: checkpoint[k] for k in ANCHORED_FIELDS})

    @event("CheckpointAnchored", topic="gongjian.Tenant.CheckpointAnchored")
    def _checkpoint_anchored(
        self, stamp: Stamp, community_id: str, checkpoint: dict[str, Any]
    ) -> None:
        pass

    def amend_charter(self, stamp: Stamp, charter: Charter, resolution: PlenaryResolution) -> None:
        """Replace the charter as the plenary resolution cited adopted it (修订章程 is
        the plenary's); the amendment needs a reason."""
        check_plenary(resolution)
        stamp.require_reason("amending the charter")
        self._charter_amended(
            stamp, charter.as_dict(), resolution.resolution_id, resolution.meeting_id
        )

    class CharterAmended(Aggregate.Event):
        """The charter was replaced. Version 2 cites the plenary resolution that
        adopted the amendment; amendments stored as version 1, from before that rule,
        cite none."""

        TOPIC = "gongjian.Tenant.CharterAmended"
        class_version = 2
        stamp: Stamp
        charter: dict[str, Any]
        resolution_id: UUID | None
        meeting_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["resolution_id"] = None
            state["meeting_id"] = None

    @event(CharterAmended)
    def _charter_amended(
        self,
        stamp: Stamp,
        charter: dict[str, Any],
        resolution_id: UUID | None,
        meeting_id: UUID | None,
    ) -> None:
        self.charter = Charter.from_dict(charter)
