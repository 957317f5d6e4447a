"""Commands on co-construction agreements (共建责任书): sign, review, renew, end."""

from __future__ import annotations

from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from domain.agreements import Fulfilment, Party
from tenants.ledger import CommandResult
from tenants.messages.base import Handling, Message, RecordCommand, Route
from tenants.messages.fields import Day, ItemId, Name, OptionalText, Text

TAG = "agreements"


class AgreementLine(BaseModel):
    """One undertaking of one party."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: ItemId
    party: Party
    text: Text


class LineFulfilment(BaseModel):
    """How far one line was fulfilled in the term; a note unless fully fulfilled."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    line_id: ItemId
    fulfilment: Fulfilment
    note: OptionalText = ""


class SignAgreement(Message):
    """Sign a co-construction agreement with a member unit for a term."""

    route = Route("/agreements", TAG, 201)
    unit_id: UUID
    title: Name
    starts_on: Day
    ends_on: Day = Field(description="the term's last day")
    lines: list[AgreementLine] = Field(min_length=2, max_length=100)

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.sign_agreement(
            h.stamp,
            uuid4(),
            self.unit_id,
            self.title,
            self.starts_on,
            self.ends_on,
            [(line.id, line.party, line.text) for line in self.lines],
            idem=h.idem,
        )


class OnAgreement(RecordCommand):
    """A command on one agreement."""

    agreement_id: UUID

    def target(self, tenant_id: str) -> UUID:
        return self.agreement_id


class ReviewAgreement(OnAgreement):
    """Record the term's fulfilment of every line (at or after the term's end)."""

    route = Route("/agreements/{agreement_id}/review", TAG)
    lines: list[LineFulfilment] = Field(min_length=1, max_length=100)

    def handle(self, h: Handling) -> CommandResult:
        reviews = [(line.line_id, line.fulfilment, line.note) for line in self.lines]
        return h.ledger.review_agreement(h.stamp, self.agreement_id, reviews, idem=h.idem)


class RenewAgreement(OnAgreement):
    """Renew a reviewed agreement for a new term (reason required); lines, if given,
    replace the last term's."""

    route = Route("/agreements/{agreement_id}/renewal", TAG)
    starts_on: Day
    ends_on: Day
    lines: list[AgreementLine] | None = Field(None, min_length=2, max_length=100)

    def handle(self, h: Handling) -> CommandResult:
        lines = None
        if self.lines is not None:
            lines = [(line.id, line.party, line.text) for line in self.lines]
        return h.ledger.renew_agreement(
            h.stamp, self.agreement_id, self.starts_on, self.ends_on, lines, idem=h.idem
        )


class EndAgreement(OnAgreement):
    """End the agreement (reason required)."""

    route = Route("/agreements/{agreement_id}/end", TAG)

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.end_agreement(h.stamp, self.agreement_id, idem=h.idem)
