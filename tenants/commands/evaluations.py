"""Commands on rubrics and evaluations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID

from domain.errors import EvaluationExists
from domain.evaluations import Evaluation, SubjectKind
from domain.evaluations import evaluation_id as domain_evaluation_id
from domain.rubrics import Rubric, RubricStructure
from domain.stamp import Stamp
from tenants.commands.evidence_files import EvidenceFileCommands
from tenants.ledger import CommandResult
from tenants.store.recorder import IdempotentCommand

Idem = IdempotentCommand | None


class EvaluationCommands(EvidenceFileCommands):
    """Rubrics, scoring, finalising, appeals and rectification."""

    def draft_rubric(
        self,
        stamp: Stamp,
        rubric_id: UUID,
        name: str,
        structure: RubricStructure,
        idem: Idem = None,
    ) -> CommandResult:
        """Draft a rubric (revision 1)."""
        self.tenant()
        rubric = Rubric.draft(stamp, rubric_id=rubric_id, name=name, structure=structure)
        return self.commit(rubric, idempotent=idem, extra={"revision": 1})

    def revise_rubric(
        self,
        stamp: Stamp,
        rubric_id: UUID,
        structure: RubricStructure,
        idem: Idem = None,
    ) -> CommandResult:
        """Draft a new revision."""
        rubric = self.load(Rubric, rubric_id)
        revision = rubric.revise(stamp, structure)
        return self.commit(rubric, idempotent=idem, extra={"revision": revision})

    def publish_rubric(
        self,
        stamp: Stamp,
        rubric_id: UUID,
        revision: int,
        idem: Idem = None,
    ) -> CommandResult:
        """Publish a revision."""
        rubric = self.load(Rubric, rubric_id)
        rubric.publish(stamp, revision)
        return self.commit(rubric, idempotent=idem, extra={"revision": revision})

    def open_evaluation(
        self,
        stamp: Stamp,
        subject_kind: SubjectKind,
        subject_id: str,
        period: str,
        rubric_id: UUID,
        revision: int,
        sources: list[tuple[str, str, Decimal]],
        idem: Idem = None,
    ) -> CommandResult:
        """Open the evaluation of a subject for a period, on a published rubric revision
        (the caller checks the subject); a second one for the same subject and period
        is refused."""
        evaluation_id = domain_evaluation_id(self.tenant_id, subject_kind, subject_id, period)
        if evaluation_id in self.repository:
            raise EvaluationExists(
                f"{subject_id} already has an evaluation for {period}: {evaluation_id}"
            )
        structure = self.load(Rubric, rubric_id).published_structure(revision)
        evaluation = Evaluation.open(
            stamp,
            evaluation_id=evaluation_id,
            subject_kind=subject_kind,
            subject_id=subject_id,
            period=period,
            rubric_id=rubric_id,
            revision=revision,
            structure=structure,
            sources=sources,
        )
        return self.commit(evaluation, idempotent=idem)

    def score_item(
        self,
        stamp: Stamp,
        evaluation_id: UUID,
        item_id: str,
        source_id: str,
        points: Decimal,
        evidence: str,
        idem: Idem = None,
    ) -> CommandResult:
        """Score an item for a source."""
        evaluation = self.load(Evaluation, evaluation_id)
        evaluation.score(stamp, item_id, source_id, points, evidence)
        return self.commit(evaluation, idempotent=idem)

    def finalise_evaluation(
        self,
        stamp: Stamp,
        evaluation_id: UUID,
        evidence_at: dict[str, int] | None = None,
        idem: Idem = None,
    ) -> CommandResult:
        """Finalise: fix per-source and weighted totals, and the log positions the
        indicator figures are read at (``evidence_at``)."""
        evaluation = self.load(Evaluation, evaluation_id)
        total = evaluation.finalise(stamp, evidence_at)
        return self.commit(evaluation, idempotent=idem, extra={"weighted_total": str(total)})

    def appeal_evaluation(
        self, stamp: Stamp, evaluation_id: UUID, idem: Idem = None
    ) -> CommandResult:
        """Appeal a finalised evaluation."""
        evaluation = self.load(Evaluation, evaluation_id)
        evaluation.appeal(stamp)
        return self.commit(evaluation, idempotent=idem)

    def resolve_appeal(
        self, stamp: Stamp, evaluation_id: UUID, reopen: bool, idem: Idem = None
    ) -> CommandResult:
        """Uphold or reopen."""
        evaluation = self.load(Evaluation, evaluation_id)
        evaluation.resolve_appeal(stamp, reopen)
        return self.commit(evaluation, idempotent=idem)

    def require_rectification(
        self,
        stamp: Stamp,
        evaluation_id: UUID,
        rectification_id: str,
        problem: str,
        responsible: str,
        deadline: date,
        idem: Idem = None,
    ) -> CommandResult:
        """Record an inspection finding to rectify."""
        evaluation = self.load(Evaluation, evaluation_id)
        evaluation.require_rectification(stamp, rectification_id, problem, responsible, deadline)
        return self.commit(
            evaluation, idempotent=idem, extra={"rectification_id": rectification_id}
        )

    def report_rectification(
        self,
        stamp: Stamp,
        evaluation_id: UUID,
        rectification_id: str,
        evidence: str,
        files: Sequence[str] = (),
        idem: Idem = None,
    ) -> CommandResult:
        """The subject reports a rectification done, with evidence (text, and uploaded
        files by SHA-256)."""
        evaluation = self.load(Evaluation, evaluation_id)
        attached = self.evidence_files(files)
        evaluation.report_rectification(stamp, rectification_id, evidence, attached)
        return self.commit(evaluation, idempotent=idem)

    def return_rectification(
        self, stamp: Stamp, evaluation_id: UUID, rectification_id: str, idem: Idem = None
    ) -> CommandResult:
        """The evaluator returns a reported rectification (reason required)."""
        evaluation = self.load(Evaluation, evaluation_id)
        evaluation.return_rectification(stamp, rectification_id)
        return self.commit(evaluation, idempotent=idem)

    def close_rectification(
        self,
        stamp: Stamp,
        evaluation_id: UUID,
        rectification_id: str,
        evidence: str,
        files: Sequence[str] = (),
        idem: Idem = None,
    ) -> CommandResult:
        """Verify a reported rectification and close it, noting what was checked (text,
        and uploaded files by SHA-256)."""
        evaluation = self.load(Evaluation, evaluation_id)
        attached = self.evidence_files(files)
        evaluation.close_rectification(stamp, rectification_id, evidence, attached)
        return self.commit(evaluation, idempotent=idem)
