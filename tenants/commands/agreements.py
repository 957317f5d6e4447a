"""Commands on co-construction agreements (共建责任书)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from uuid import UUID

from domain.agreements import Agreement, Line, Review
from domain.stamp import Stamp
from tenants.ledger import CommandResult, LedgerBase
from tenants.store.recorder import IdempotentCommand

Idem = IdempotentCommand | None


class AgreementCommands(LedgerBase):
    """Signing, reviewing, renewing and ending agreements with member units."""

    def sign_agreement(
        self,
        stamp: Stamp,
        agreement_id: UUID,
        unit_id: UUID,
        title: str,
        starts_on: date,
        ends_on: date,
        lines: Sequence[Line],
        idem: Idem = None,
    ) -> CommandResult:
        """Sign an agreement with a member unit that takes part in the joint meeting."""
        self.tenant()
        self.active_unit(unit_id, "it signs no agreement")
        agreement = Agreement.sign(
            stamp,
            agreement_id=agreement_id,
            unit_id=str(unit_id),
            title=title,
            starts_on=starts_on,
            ends_on=ends_on,
            lines=lines,
        )
        return self.commit(agreement, idempotent=idem)

    def review_agreement(
        self, stamp: Stamp, agreement_id: UUID, reviews: Sequence[Review], idem: Idem = None
    ) -> CommandResult:
        """Record the term's fulfilment, line by line, at or after the term's end."""
        agreement = self.load(Agreement, agreement_id)
        today = self.tenant().charter.today(datetime.now(UTC))
        agreement.review(stamp, reviews, today=today)
        return self.commit(agreement, idempotent=idem)

    def renew_agreement(
        self,
        stamp: Stamp,
        agreement_id: UUID,
        starts_on: date,
        ends_on: date,
        lines: Sequence[Line] | None,
        idem: Idem = None,
    ) -> CommandResult:
        """Renew a reviewed agreement for a new term (reason required)."""
        agreement = self.load(Agreement, agreement_id)
        agreement.renew(stamp, starts_on, ends_on, lines)
        return self.commit(agreement, idempotent=idem)

    def end_agreement(self, stamp: Stamp, agreement_id: UUID, idem: Idem = None) -> CommandResult:
        """End the agreement (reason required)."""
        agreement = self.load(Agreement, agreement_id)
        agreement.end(stamp)
        return self.commit(agreement, idempotent=idem)
