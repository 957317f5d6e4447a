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
    ledgers: Ledgers,
    stamp_for: StampFor,
    source: str,
    member_id: UUID,
    target: str | None,
    *,
    transfer_id: str | None = None,
) -> TransferOutcome:
    """Transfer a member out of ``source`` into ``target``, or resume a pending transfer.

    A member has at most one transfer under way: naming another target while one is
    pending is refused (resume it first); naming its own target, or none, resumes it.
    ``transfer_id`` (derived by the caller from an idempotency key) is the id a new
    transfer takes instead of a random one, so a retry of the same request resumes the
    same transfer, and a retry after it completed answers as the first time did.
    """
    ledger = ledgers[source]
    member = ledger.load(PartyMember, member_id)
    if member.status is MemberStatus.TRANSFERRED_OUT:
        return _completed_earlier(ledgers, source, member, target, transfer_id)
    if member.status is MemberStatus.ACTIVE:
        _start(ledgers, stamp_for, source, member_id, target, transfer_id or str(uuid4()))
        member = ledger.load(PartyMember, member_id)
    elif member.transfer is not None and target not in (None, member.transfer["to_tenant"]):
        pending = member.transfer
        raise errors.TransferPending(
            f"transfer {pending['transfer_id']} to {pending['to_tenant']} is pending: "
            "resume it first"
        )
    return _complete(ledgers, stamp_for, source, member, transfer_id)


def _start(
    ledgers: Ledgers,
    stamp_for: StampFor,
    source: str,
    member_id: UUID,
    target: str | None,
    transfer_id: str,
) -> None:
    """Record "transfer started" at the source, after checking the target."""
    if target is None:
        raise errors.NoTransferPending("the member has no pending transfer to resume")
    if target == source:
        raise errors.InvalidValue("name another community to transfer to")
    if ledgers[target].tenant().kind is not TenantKind.COMMUNITY:
        raise errors.InvalidValue("members transfer between communities")
    ledgers[source].start_transfer(stamp_for(source), member_id, transfer_id, target)


def _complete(
    ledgers: Ledgers,
    stamp_for: StampFor,
    source: str,
    member: PartyMember,
    request_id: str | None,
) -> TransferOutcome:
    """Record the member at the target (once), then "transfer completed" at the source,
    naming the request (``request_id``) that completed it."""
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
            transferred_from=f"{source}/{member.id}",
        )
    done = ledgers[source].complete_transfer(stamp_for(source), member.id, transfer_id, request_id)
    return TransferOutcome(
        transfer_id, member.id, to_tenant, new_id, done.position, receiving.head_position()
    )


def _completed_earlier(
    ledgers: Ledgers,
    source: str,
    member: PartyMember,
    target: str | None,
    transfer_id: str | None,
) -> TransferOutcome:
    """Answer a retry of the transfer that moved the member out; refuse anything else.

    The ids are those of the first answer. The positions are the two logs' current
    heads: they include the transfer's events (so waiting for them to be projected
    still works) and equal the first answer's as long as neither log has grown since.
    """
    done = member.transfer
    if (
        transfer_id is None
        or done is None
        or transfer_id not in (done["transfer_id"], done.get("completed_by"))
        or target not in (None, done["to_tenant"])
    ):
        raise errors.MemberNotActive("the member has already been transferred out")
    receiving = ledgers[done["to_tenant"]]
    return TransferOutcome(
        done["transfer_id"],
        member.id,
        done["to_tenant"],
        received_member_id(done["transfer_id"]),
        ledgers[source].head_position(),
        receiving.head_position(),
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
