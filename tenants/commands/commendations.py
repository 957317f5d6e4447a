"""Commands on commendations: nominate, decide, publish, revoke."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.commendations import (
    Commendation,
    CommendationKind,
    EvaluationSource,
    PublicationChannel,
    commendation_id,
)
from domain.errors import CommendationExists
from domain.stamp import Stamp
from tenants.ledger import CommandResult, LedgerBase
from tenants.store.recorder import IdempotentCommand

Idem = IdempotentCommand | None


class CommendationCommands(LedgerBase):
    """Commendations this tenant awards."""

    def nominate_commendation(
        self,
        stamp: Stamp,
        kind: CommendationKind,
        nominee_tenant: str,
        nominee_id: str,
        period: str,
        source: EvaluationSource | None,
        idem: Idem = None,
    ) -> CommandResult:
        """Nominate (the caller checks the nominee and reads the source evaluation); a
        second nomination of the same kind, nominee and period is refused."""
        self.tenant()
        record_id = commendation_id(self.tenant_id, kind, nominee_tenant, nominee_id, period)
        if record_id in self.repository:
            raise CommendationExists(
                f"{nominee_id} already has a {kind.label} commendation for {period}: {record_id}"
            )
        commendation = Commendation.nominate(
            stamp,
            kind=kind,
            nominee_tenant=nominee_tenant,
            nominee_id=nominee_id,
            period=period,
            source=source,
        )
        return self.commit(commendation, idempotent=idem)

    def decide_commendation(
        self, stamp: Stamp, commendation_id: UUID, approved: bool, idem: Idem = None
    ) -> CommandResult:
        """Approve, or reject with a reason."""
        commendation = self.load(Commendation, commendation_id)
        commendation.decide(stamp, approved)
        return self.commit(commendation, idempotent=idem)

    def publish_commendation(
        self,
        stamp: Stamp,
        commendation_id: UUID,
        published_on: date,
        channel: PublicationChannel,
        idem: Idem = None,
    ) -> CommandResult:
        """Publish an approved commendation."""
        commendation = self.load(Commendation, commendation_id)
        commendation.publish(stamp, published_on, channel)
        return self.commit(commendation, idempotent=idem)

    def revoke_commendation(
        self, stamp: Stamp, commendation_id: UUID, idem: Idem = None
    ) -> CommandResult:
        """Revoke, with a reason."""
        commendation = self.load(Commendation, commendation_id)
        commendation.revoke(stamp)
        return self.commit(commendation, idempotent=idem)
