"""Commands on resolutions: notification, execution reports, verification, supersession."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from domain.errors import SupersedingMustBeLater
from domain.meetings import Meeting
from domain.resolutions import ReportKind, Resolution
from domain.stamp import Stamp
from tenants.commands.evidence_files import EvidenceFileCommands
from tenants.commands.meetings import MeetingCommands
from tenants.ledger import CommandResult
from tenants.store.recorder import IdempotentCommand

Idem = IdempotentCommand | None


class ResolutionCommands(MeetingCommands, EvidenceFileCommands):
    """Following every resolution to verified completion."""

    def notify_resolution(
        self,
        stamp: Stamp,
        resolution_id: UUID,
        unit_ids: list[str] | None,
        idem: Idem = None,
    ) -> CommandResult:
        """Record the written notification (to every active unit unless named)."""
        resolution = self.load(Resolution, resolution_id)
        resolution.notify(stamp, unit_ids or self.active_unit_ids())
        return self.commit(resolution, idempotent=idem)

    def report_execution(
        self,
        stamp: Stamp,
        resolution_id: UUID,
        unit_id: str,
        kind: ReportKind,
        note: str,
        evidence: list[str],
        files: Sequence[str] = (),
        idem: Idem = None,
    ) -> CommandResult:
        """A responsible unit reports progress or completion, attaching uploaded files
        (by SHA-256)."""
        resolution = self.load(Resolution, resolution_id)
        attached = self.evidence_files(files)
        resolution.report_execution(stamp, unit_id, kind, note, evidence, attached)
        return self.commit(resolution, idempotent=idem)

    def verify_resolution(
        self, stamp: Stamp, resolution_id: UUID, idem: Idem = None
    ) -> CommandResult:
        """The convener verifies completion."""
        resolution = self.load(Resolution, resolution_id)
        resolution.verify(stamp)
        return self.commit(resolution, idempotent=idem)

    def return_report(
        self,
        stamp: Stamp,
        resolution_id: UUID,
        unit_id: str,
        idem: Idem = None,
    ) -> CommandResult:
        """The convener sends a completion report back with a reason."""
        resolution = self.load(Resolution, resolution_id)
        resolution.return_report(stamp, unit_id)
        return self.commit(resolution, idempotent=idem)

    def supersede(
        self,
        stamp: Stamp,
        resolution_id: UUID,
        by_resolution_id: UUID,
        idem: Idem = None,
    ) -> CommandResult:
        """Replace a resolution by one a later meeting adopted (in this tenant)."""
        resolution = self.load(Resolution, resolution_id)
        later = self.load(Resolution, by_resolution_id)
        adopted_at = self.load(Meeting, resolution.meeting_id).scheduled_for
        if self.load(Meeting, later.meeting_id).scheduled_for <= adopted_at:
            raise SupersedingMustBeLater("only a later meeting's resolution can supersede")
        resolution.supersede(stamp, by_resolution_id)
        return self.commit(resolution, idempotent=idem)
