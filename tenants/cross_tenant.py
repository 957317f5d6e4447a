"""Operations that touch two tenants' logs: member transfers, evaluation subjects.

Each tenant's log is appended in its own transaction, so a transfer is made
resumable instead of atomic: the source records "transfer started" first (the
member is then visibly pending), the target records the member under an id
derived from the transfer id (so a retry never registers them twice), and the
source finally records "transfer completed". Any step can be re-run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from domain import errors
from domain.evaluations import SubjectKind
from domain.members import MemberStatus, PartyMember
from domain.stamp import Stamp
from domain.tenants import TenantKind
from domain.units import MemberUnit
from tenants.registry import Ledgers

StampFor = Callable[[str], Stamp]


@dataclass(frozen=True)
class TransferOutcome:
    """Where a transfer stands after a (possibly resumed) attempt."""

    transfer_id: str
    source_member_id: UUID
    target_tenant: str
    target_member_id: UUID
    source_position: int
    target_position: int


def received_member_id(transfer_id: str) -> UUID:
    """The member's id in the receiving community, fixed by the transfer."""
    return uuid5(NAMESPACE_URL, f"gongjian:transfer:{transfer_id}")


def transfer_member(
    ledgers: Ledgers, stamp_for: StampFor, source: str, member_id: UUID, target: str | None
) -> TransferOutcome:
    """Transfer a member out of ``source`` into ``target``, or resume a pending transfer."""
    ledger = ledgers[source]
    member = ledger.load(PartyMember, member_id)
    if member.status is MemberStatus.TRANSFERRED_OUT:
        raise errors.MemberNotActive("the member has already been transferred out")
    if member.status is MemberStatus.ACTIVE:
        if target is None:
            raise errors.NoTransferPending("the member has no pending transfer to resume")
        if target == source:
            raise errors.InvalidValue("name another community to transfer to")
        if ledgers[target].tenant().kind is not TenantKind.COMMUNITY:
            raise errors.InvalidValue("members transfer between communities")
        ledger.start_transfer(stamp_for(source), member_id, str(uuid4()), target)
        member = ledger.load(PartyMember, member_id)
    if member.status is not MemberStatus.TRANSFER_PENDING or member.transfer is None:
        raise errors.NoTransferPending("the member has no transfer to complete")
    transfer_id, to_tenant = member.transfer["transfer_id"], member.transfer["to_tenant"]
    receiving = ledgers[to_tenant]
    new_id = received_member_id(transfer_id)
    if new_id not in receiving.repository:
        receiving.register_member(
            stamp_for(to_tenant),
            new_id,
            member.name,
            member.member_class,
            member.work_unit,
            transferred_from=f"{source}/{member_id}",
        )
    done = ledger.complete_transfer(stamp_for(source), member_id, transfer_id)
    return TransferOutcome(
        transfer_id, member_id, to_tenant, new_id, done.position, receiving.head_position()
    )


def check_subject(ledgers: Ledgers, evaluator: str, kind: SubjectKind, subject_id: str) -> None:
    """A street evaluates its own communities; a community its own member units."""
    if kind is SubjectKind.COMMUNITY:
        if ledgers[evaluator].tenant().kind is not TenantKind.STREET:
            raise errors.InvalidValue("communities are evaluated by their street")
        subject = ledgers[subject_id].tenant()
        if subject.parent_id != evaluator:
            raise errors.NotFound(f"no community {subject_id} under {evaluator}")
        return
    try:
        unit_id = UUID(subject_id)
    except ValueError:
        raise errors.NotFound(f"no member unit {subject_id}") from None
    ledgers[evaluator].load(MemberUnit, unit_id)
