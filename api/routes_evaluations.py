"""REST commands on rubrics and evaluations."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter

from api.commands import Command
from api.problems import PROBLEM_RESPONSES
from api.requests_followup import (
    AppealEvaluation,
    CloseRectification,
    DraftRubric,
    FinaliseEvaluation,
    OpenEvaluation,
    PublishRubric,
    RequireRectification,
    ResolveAppeal,
    ReviseRubric,
    ScoreItem,
    WithRectificationId,
    WithRevision,
    WithTotal,
)
from api.routes_tenants import CREATED, DONE, TenantPath
from domain import errors
from domain.rubric_template import six_in_one
from domain.rubrics import RubricStructure
from tenants.cross_tenant import check_subject

router = APIRouter(prefix="/tenants/{tenant_id}", tags=["evaluations"])
REVISION: dict[str, Any] = {"response_model": WithRevision, "responses": PROBLEM_RESPONSES}


@router.post("/rubrics", status_code=201, **REVISION)
def draft_rubric(tenant_id: TenantPath, body: DraftRubric, cmd: Command) -> Any:
    """Draft a rubric from a structure or the built-in six-in-one template."""
    if (body.template is None) == (body.structure is None):
        raise errors.InvalidValue("give either a template or a structure")
    structure = (
        six_in_one()
        if body.structure is None
        else RubricStructure.from_dict(body.structure.plain())
    )
    rubric_id = uuid4()
    return cmd.run(
        tenant_id, body, lambda led, s, i: led.draft_rubric(s, rubric_id, body.name, structure, i)
    )


@router.post("/rubrics/{rubric_id}/revisions", **REVISION)
def revise_rubric(tenant_id: TenantPath, rubric_id: UUID, body: ReviseRubric, cmd: Command) -> Any:
    """Draft a new revision (reason required); open evaluations keep theirs."""
    structure = RubricStructure.from_dict(body.structure.plain())
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.revise_rubric(s, rubric_id, structure, body.expected_version, i),
    )


@router.post("/rubrics/{rubric_id}/publication", **REVISION)
def publish_rubric(
    tenant_id: TenantPath, rubric_id: UUID, body: PublishRubric, cmd: Command
) -> Any:
    """Publish a revision; refused unless items and categories add up."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.publish_rubric(s, rubric_id, body.revision, body.expected_version, i),
    )


@router.post("/evaluations", **CREATED)
def open_evaluation(tenant_id: TenantPath, body: OpenEvaluation, cmd: Command) -> Any:
    """Open an evaluation of a community (by its street) or a member unit (by its community)."""
    check_subject(
        cmd.request.app.state.platform.ledgers, tenant_id, body.subject_kind, body.subject_id
    )
    evaluation_id = uuid4()
    sources = [(src.id, src.label, src.weight) for src in body.sources]
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.open_evaluation(
            s,
            evaluation_id,
            body.subject_kind,
            body.subject_id,
            body.period,
            body.rubric_id,
            body.revision,
            sources,
            i,
        ),
    )


@router.post("/evaluations/{evaluation_id}/scores", **DONE)
def score(tenant_id: TenantPath, evaluation_id: UUID, body: ScoreItem, cmd: Command) -> Any:
    """Score an item for a source (a re-score needs a reason)."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.score_item(
            s, evaluation_id, body.item_id, body.source_id, body.points, body.evidence, i
        ),
    )


@router.post(
    "/evaluations/{evaluation_id}/finalisation",
    response_model=WithTotal,
    responses=PROBLEM_RESPONSES,
)
def finalise(
    tenant_id: TenantPath, evaluation_id: UUID, body: FinaliseEvaluation, cmd: Command
) -> Any:
    """Finalise: refused while anything is unscored; fixes exact totals."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.finalise_evaluation(s, evaluation_id, body.expected_version, i),
    )


@router.post("/evaluations/{evaluation_id}/appeals", **DONE)
def appeal(tenant_id: TenantPath, evaluation_id: UUID, body: AppealEvaluation, cmd: Command) -> Any:
    """Appeal a finalised evaluation (reason required)."""
    return cmd.run(tenant_id, body, lambda led, s, i: led.appeal_evaluation(s, evaluation_id, i))


@router.post("/evaluations/{evaluation_id}/appeal-resolution", **DONE)
def resolve_appeal(
    tenant_id: TenantPath, evaluation_id: UUID, body: ResolveAppeal, cmd: Command
) -> Any:
    """Uphold the result or reopen it for revision (reason required)."""
    reopen = body.outcome == "reopened"
    return cmd.run(
        tenant_id, body, lambda led, s, i: led.resolve_appeal(s, evaluation_id, reopen, i)
    )


@router.post(
    "/evaluations/{evaluation_id}/rectifications",
    status_code=201,
    response_model=WithRectificationId,
    responses=PROBLEM_RESPONSES,
)
def require_rectification(
    tenant_id: TenantPath, evaluation_id: UUID, body: RequireRectification, cmd: Command
) -> Any:
    """Record an inspection finding to rectify by a deadline."""
    rectification_id = body.rectification_id or uuid4().hex[:12]
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.require_rectification(
            s, evaluation_id, rectification_id, body.problem, body.responsible, body.deadline, i
        ),
    )


@router.post("/evaluations/{evaluation_id}/rectifications/{rectification_id}/closure", **DONE)
def close_rectification(
    tenant_id: TenantPath,
    evaluation_id: UUID,
    rectification_id: str,
    body: CloseRectification,
    cmd: Command,
) -> Any:
    """Close a rectification with evidence."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.close_rectification(
            s, evaluation_id, rectification_id, body.evidence, i
        ),
    )
