"""Commands on resident affairs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from uuid import UUID

from domain import errors
from domain.affairs import Affair, AffairChannel, AssigneeKind
from domain.members import MemberStatus, PartyMember
from domain.stamp import Stamp
from tenants.commands.evidence_files import EvidenceFileCommands
from tenants.ledger import CommandResult
from tenants.store.recorder import IdempotentCommand

Idem = IdempotentCommand | None


class AffairCommands(EvidenceFileCommands):
    """Receiving, assigning, reporting on and closing residents' affairs."""

    def receive_affair(
        self,
        stamp: Stamp,
        affair_id: UUID,
        resident_name: str,
        resident_phone: str | None,
        matter: str,
        channel: AffairChannel,
        received_on: date | None,
        idem: Idem = None,
    ) -> CommandResult:
        """Register an affair; without a date, the tenant's date it occurred on."""
        affair = Affair.receive(
            stamp,
            affair_id=affair_id,
            resident_name=resident_name,
            resident_phone=resident_phone,
            matter=matter,
            channel=channel,
            received_on=received_on or self._day_of(stamp),
        )
        return self.commit(affair, idempotent=idem)

    def assign_affair(
        self,
        stamp: Stamp,
        affair_id: UUID,
        assignee_kind: AssigneeKind,
        assignee_id: str,
        deadline: date,
        idem: Idem = None,
    ) -> CommandResult:
        """Assign (or reassign) to an active member unit or an active party member."""
        affair = self.load(Affair, affair_id)
        self._check_assignee(assignee_kind, assignee_id)
        affair.assign(stamp, assignee_kind, assignee_id, deadline)
        return self.commit(affair, idempotent=idem)

    def _check_assignee(self, assignee_kind: AssigneeKind, assignee_id: str) -> None:
        try:
            record_id = UUID(assignee_id)
        except ValueError:
            raise errors.NotFound(f"no {assignee_kind.value} {assignee_id}") from None
        if assignee_kind is AssigneeKind.UNIT:
            self.active_unit(record_id, "it takes no affairs")
            return
        member = self.load(PartyMember, record_id)
        if member.status is not MemberStatus.ACTIVE:
            raise errors.MemberNotActive(f"member {assignee_id} is {member.status.value}")

    def report_affair_result(
        self,
        stamp: Stamp,
        affair_id: UUID,
        result: str,
        evidence: list[str],
        files: Sequence[str] = (),
        idem: Idem = None,
    ) -> CommandResult:
        """Record the assignee's result, attaching uploaded files (by SHA-256)."""
        affair = self.load(Affair, affair_id)
        affair.report_result(stamp, result, evidence, self.evidence_files(files))
        return self.commit(affair, idempotent=idem)

    def give_affair_feedback(
        self,
        stamp: Stamp,
        affair_id: UUID,
        satisfied: bool,
        comment: str,
        idem: Idem = None,
    ) -> CommandResult:
        """Record the resident's feedback, on the tenant's date it occurred."""
        affair = self.load(Affair, affair_id)
        affair.give_feedback(stamp, satisfied, comment, self._day_of(stamp))
        return self.commit(affair, idempotent=idem)

    def _day_of(self, stamp: Stamp) -> date:
        return self.tenant().charter.today(stamp.occurred_at or datetime.now(UTC))
