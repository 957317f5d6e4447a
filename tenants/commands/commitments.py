"""Commands on public commitments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from uuid import UUID

from domain import errors
from domain.commitments import Channel, Commitment, MakerKind
from domain.members import PartyMember
from domain.stamp import Stamp
from domain.units import MemberUnit
from tenants.commands.evidence_files import EvidenceFileCommands
from tenants.ledger import CommandResult
from tenants.store.recorder import IdempotentCommand

Idem = IdempotentCommand | None


class CommitmentCommands(EvidenceFileCommands):
    """Making, publishing, progressing, rating and closing commitments."""

    def make_commitment(
        self,
        stamp: Stamp,
        commitment_id: UUID,
        maker_kind: MakerKind,
        maker_id: str,
        text: str,
        category: str,
        due: date,
        milestones: list[tuple[str, str, date]],
        idem: Idem = None,
    ) -> CommandResult:
        """Record a commitment by a party organisation or a party member."""
        self._check_maker(maker_kind, maker_id)
        commitment = Commitment.make(
            stamp,
            commitment_id=commitment_id,
            maker_kind=maker_kind,
            maker_id=maker_id,
            text=text,
            category=category,
            due=due,
            milestones=milestones,
        )
        return self.commit(commitment, idempotent=idem)

    def _check_maker(self, maker_kind: MakerKind, maker_id: str) -> None:
        self.tenant()
        if maker_kind is MakerKind.COMMUNITY_PARTY_ORGANISATION:
            if maker_id != self.tenant_id:
                raise errors.InvalidValue(
                    "the community party organisation's maker id is the tenant id"
                )
            return
        try:
            record_id = UUID(maker_id)
        except ValueError:
            raise errors.NotFound(f"no maker {maker_id}") from None
        if maker_kind is MakerKind.PARTY_MEMBER:
            self.load(PartyMember, record_id)
        else:
            self.load(MemberUnit, record_id)

    def publish_commitment(
        self,
        stamp: Stamp,
        commitment_id: UUID,
        channel: Channel,
        published_on: date,
        idem: Idem = None,
    ) -> CommandResult:
        """Publish through a channel."""
        commitment = self.load(Commitment, commitment_id)
        commitment.publish(stamp, channel, published_on)
        return self.commit(commitment, idempotent=idem)

    def report_commitment_progress(
        self,
        stamp: Stamp,
        commitment_id: UUID,
        milestone_id: str,
        percent: int,
        evidence: list[str],
        files: Sequence[str] = (),
        idem: Idem = None,
    ) -> CommandResult:
        """Report a milestone's progress, attaching uploaded files (by SHA-256)."""
        commitment = self.load(Commitment, commitment_id)
        attached = self.evidence_files(files)
        commitment.report_progress(stamp, milestone_id, percent, evidence, attached)
        return self.commit(commitment, idempotent=idem)

    def rate_commitment(
        self,
        stamp: Stamp,
        commitment_id: UUID,
        resident_id: str,
        period: str,
        rating: int,
        comment: str,
        idem: Idem = None,
    ) -> CommandResult:
        """A resident rates the commitment."""
        commitment = self.load(Commitment, commitment_id)
        today = self.tenant().charter.today(datetime.now(UTC))
        commitment.rate(stamp, resident_id, period, rating, comment, today=today)
        return self.commit(commitment, idempotent=idem)

    def close_commitment(
        self,
        stamp: Stamp,
        commitment_id: UUID,
        fulfilled: bool,
        idem: Idem = None,
    ) -> CommandResult:
        """Fulfil, or withdraw (reason required)."""
        commitment = self.load(Commitment, commitment_id)
        if fulfilled:
            commitment.fulfil(stamp)
        else:
            commitment.withdraw(stamp)
        return self.commit(commitment, idempotent=idem)
