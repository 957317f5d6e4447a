"""Commands on resolutions: notification, execution reports, verification, supersession."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from domain.resolutions import ReportKind
from tenants.ledger import CommandResult
from tenants.messages.base import Handling, RecordCommand, Route
from tenants.messages.fields import EvidenceRef, Files, Ref, Text

TAG = "resolutions"


class OnResolution(RecordCommand):
    """A command on one resolution."""

    resolution_id: UUID

    def target(self, tenant_id: str) -> UUID:
        return self.resolution_id


class NotifyResolution(OnResolution):
    """Record the written notification of a resolution (to all active units by default)."""

    route = Route("/resolutions/{resolution_id}/notifications", TAG)
    unit_ids: list[Ref] | None = Field(None, max_length=500)

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.notify_resolution(h.stamp, self.resolution_id, self.unit_ids, idem=h.idem)


class ReportExecution(OnResolution):
    """A responsible unit reports progress or completion, with evidence: text, and
    uploaded files by SHA-256 (`files`)."""

    route = Route("/resolutions/{resolution_id}/execution-reports", TAG)
    unit_id: Ref
    kind: ReportKind
    note: Text
    evidence: list[EvidenceRef] = Field(default_factory=list, max_length=50)
    files: Files = Field(default_factory=list)

    def bound_value(self, role: str) -> str | None:
        return self.unit_id

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.report_execution(
            h.stamp,
            self.resolution_id,
            self.unit_id,
            self.kind,
            self.note,
            list(self.evidence),
            files=self.files,
            idem=h.idem,
        )


class VerifyResolution(OnResolution):
    """The convener verifies the resolution as executed."""

    route = Route("/resolutions/{resolution_id}/verification", TAG)

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.verify_resolution(h.stamp, self.resolution_id, idem=h.idem)


class ReturnReport(OnResolution):
    """Send a unit's completion report back (reason required)."""

    route = Route("/resolutions/{resolution_id}/returns", TAG)
    unit_id: Ref

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.return_report(h.stamp, self.resolution_id, self.unit_id, idem=h.idem)


class SupersedeResolution(OnResolution):
    """Replace the resolution by a later one (reason required)."""

    route = Route("/resolutions/{resolution_id}/supersession", TAG)
    by_resolution_id: UUID

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.supersede(h.stamp, self.resolution_id, self.by_resolution_id, idem=h.idem)
