"""Commands on rubrics and evaluations: scoring, finalising, appeals, rectification."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from domain import errors
from domain.evaluations import Evaluation, SubjectKind
from domain.rubric_template import six_in_one
from domain.rubrics import RubricStructure
from tenants.commands.cross_tenant import check_subject
from tenants.ledger import CommandResult
from tenants.messages.base import CommandAccepted, Handling, Message, RecordCommand, Route
from tenants.messages.fields import (
    Day,
    Files,
    ItemId,
    Name,
    OptionalName,
    OptionalText,
    Period,
    Points,
    Ref,
    Share,
    Text,
    Total,
)
from tenants.pipeline.errors import Forbidden

TAG = "evaluations"
Indicator = Literal[
    "meeting_attendance_rate",
    "resolutions_on_time",
    "commitment_satisfaction",
    "post_participation",
]


class WithRevision(CommandAccepted):
    revision: int


class WithTotal(CommandAccepted):
    weighted_total: str = Field(description="exact decimal, as a string")


class WithRectificationId(CommandAccepted):
    rectification_id: str


class _Plain(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemBody(_Plain):
    id: ItemId
    label_zh: Name
    label_en: OptionalName = ""
    max_points: Points
    indicator: Indicator | None = None


class CategoryBody(_Plain):
    id: ItemId
    label_zh: Name
    label_en: OptionalName = ""
    weight: Points
    items: list[ItemBody] = Field(min_length=1, max_length=100)


class StructureBody(_Plain):
    total: Total
    categories: list[CategoryBody] = Field(min_length=1, max_length=50)

    def structure(self) -> RubricStructure:
        """As the domain reads it."""
        plain: dict[str, Any] = self.model_dump(mode="json")
        return RubricStructure.from_dict(plain)


class Source(_Plain):
    id: ItemId
    label: Name
    weight: Share


class DraftRubric(Message):
    """Draft a rubric from a structure or the built-in six-in-one template."""

    route = Route("/rubrics", TAG, 201, WithRevision)
    name: Name
    template: Literal["six_in_one"] | None = Field(None, description="start from a built-in")
    structure: StructureBody | None = None

    def handle(self, h: Handling) -> CommandResult:
        if (self.template is None) == (self.structure is None):
            raise errors.InvalidValue("give either a template or a structure")
        structure = six_in_one() if self.structure is None else self.structure.structure()
        return h.ledger.draft_rubric(h.stamp, uuid4(), self.name, structure, idem=h.idem)


class OnRubric(RecordCommand):
    """A command on one rubric."""

    rubric_id: UUID

    def target(self, tenant_id: str) -> UUID:
        return self.rubric_id


class ReviseRubric(OnRubric):
    """Draft a new revision (reason required); open evaluations keep theirs."""

    route = Route("/rubrics/{rubric_id}/revisions", TAG, 200, WithRevision)
    structure: StructureBody

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.revise_rubric(
            h.stamp, self.rubric_id, self.structure.structure(), idem=h.idem
        )


class PublishRubric(OnRubric):
    """Publish a revision; refused unless items and categories add up."""

    route = Route("/rubrics/{rubric_id}/publication", TAG, 200, WithRevision)
    revision: int = Field(ge=1, le=10_000, strict=True)

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.publish_rubric(h.stamp, self.rubric_id, self.revision, idem=h.idem)


class OpenEvaluation(Message):
    """Open an evaluation of a community (by its street) or a member unit (by its community)."""

    route = Route("/evaluations", TAG, 201)
    subject_kind: SubjectKind
    subject_id: Ref
    period: Period
    rubric_id: UUID
    revision: int = Field(ge=1, le=10_000, strict=True)
    sources: list[Source] = Field(min_length=1, max_length=10)

    def handle(self, h: Handling) -> CommandResult:
        check_subject(h.ledgers, h.tenant_id, self.subject_kind, self.subject_id)
        sources = [(src.id, src.label, src.weight) for src in self.sources]
        return h.ledger.open_evaluation(
            h.stamp,
            self.subject_kind,
            self.subject_id,
            self.period,
            self.rubric_id,
            self.revision,
            sources,
            idem=h.idem,
        )


class OnEvaluation(RecordCommand):
    """A command on one evaluation."""

    evaluation_id: UUID

    def target(self, tenant_id: str) -> UUID:
        return self.evaluation_id


class ScoreItem(OnEvaluation):
    """Score an item for a source (a re-score needs a reason)."""

    route = Route("/evaluations/{evaluation_id}/scores", TAG)
    item_id: ItemId
    source_id: ItemId
    points: Points
    evidence: OptionalText = ""

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.score_item(
            h.stamp,
            self.evaluation_id,
            self.item_id,
            self.source_id,
            self.points,
            self.evidence,
            idem=h.idem,
        )


class FinaliseEvaluation(OnEvaluation):
    """Finalise: refused while anything is unscored; fixes exact totals."""

    route = Route("/evaluations/{evaluation_id}/finalisation", TAG, 200, WithTotal)

    def handle(self, h: Handling) -> CommandResult:
        evaluation = h.ledger.load(Evaluation, self.evaluation_id)
        # The figures shown with it are read from the community's own log, or for a
        # unit from this one: record how far that log was when it was finalised.
        community = evaluation.subject_kind is SubjectKind.COMMUNITY
        source = evaluation.subject_id if community else h.tenant_id
        evidence_at = {source: h.ledgers[source].head_position()}
        return h.ledger.finalise_evaluation(h.stamp, self.evaluation_id, evidence_at, idem=h.idem)


class AppealEvaluation(OnEvaluation):
    """Appeal a finalised evaluation (reason required); only its subject appeals."""

    route = Route("/evaluations/{evaluation_id}/appeals", TAG)

    def handle(self, h: Handling) -> CommandResult:
        check_subject_acts(h, self.evaluation_id, "appeals its evaluation")
        return h.ledger.appeal_evaluation(h.stamp, self.evaluation_id, idem=h.idem)


class ResolveAppeal(OnEvaluation):
    """Uphold the result or reopen it for revision (reason required)."""

    route = Route("/evaluations/{evaluation_id}/appeal-resolution", TAG)
    outcome: Literal["upheld", "reopened"]

    def handle(self, h: Handling) -> CommandResult:
        reopen = self.outcome == "reopened"
        return h.ledger.resolve_appeal(h.stamp, self.evaluation_id, reopen, idem=h.idem)


class RequireRectification(OnEvaluation):
    """Record an inspection finding to rectify by a deadline."""

    route = Route("/evaluations/{evaluation_id}/rectifications", TAG, 201, WithRectificationId)
    rectification_id: ItemId | None = None
    problem: Text
    responsible: Name
    deadline: Day

    def handle(self, h: Handling) -> CommandResult:
        rectification_id = self.rectification_id or uuid4().hex[:12]
        return h.ledger.require_rectification(
            h.stamp,
            self.evaluation_id,
            rectification_id,
            self.problem,
            self.responsible,
            self.deadline,
            idem=h.idem,
        )


def check_subject_acts(h: Handling, evaluation_id: UUID, what: str) -> None:
    """Only the evaluated subject acts: the evaluated community's secretary, or the
    evaluated unit's liaison (the evaluator's own staff never do)."""
    evaluation = h.ledger.load(Evaluation, evaluation_id)
    principal = h.principal
    actor = principal.binding if principal.role == "unit_liaison" else principal.tenant_id
    if actor != evaluation.subject_id:
        raise Forbidden(f"only the evaluated community or unit {what}")


class ReportRectification(OnEvaluation):
    """The evaluated subject reports a rectification done, with evidence (text, and
    files uploaded to the evaluating tenant, by SHA-256); the evaluator then verifies
    (closes) or returns it."""

    route = Route("/evaluations/{evaluation_id}/rectifications/{rectification_id}/report", TAG)
    rectification_id: ItemId
    evidence: Text
    files: Files = Field(default_factory=list)

    def handle(self, h: Handling) -> CommandResult:
        check_subject_acts(h, self.evaluation_id, "reports its rectifications")
        return h.ledger.report_rectification(
            h.stamp,
            self.evaluation_id,
            self.rectification_id,
            self.evidence,
            files=self.files,
            idem=h.idem,
        )


class ReturnRectification(OnEvaluation):
    """The evaluator returns a reported rectification as not done (reason required)."""

    route = Route("/evaluations/{evaluation_id}/rectifications/{rectification_id}/return", TAG)
    rectification_id: ItemId

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.return_rectification(
            h.stamp, self.evaluation_id, self.rectification_id, idem=h.idem
        )


class CloseRectification(OnEvaluation):
    """The evaluator verifies a reported rectification and closes it (销号), noting
    what it checked (text, and uploaded files by SHA-256)."""

    route = Route("/evaluations/{evaluation_id}/rectifications/{rectification_id}/closure", TAG)
    rectification_id: ItemId
    evidence: Text
    files: Files = Field(default_factory=list)

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.close_rectification(
            h.stamp,
            self.evaluation_id,
            self.rectification_id,
            self.evidence,
            files=self.files,
            idem=h.idem,
        )
