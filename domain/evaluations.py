"""Evaluations (考评): scores per item per source, exact weighted totals, appeals, rectification."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.charters import LabelledEnum, labelled
from domain.evidence_files import FileRef, attached
from domain.periods import Period
from domain.rubrics import RubricStructure
from domain.stamp import Stamp


@labelled({"community": "社区", "member_unit": "成员单位"})
class SubjectKind(LabelledEnum):
    COMMUNITY = "community"
    MEMBER_UNIT = "member_unit"


@labelled({"open": "整改中", "reported": "待街道核验", "closed": "已销号"})
class RectificationStatus(LabelledEnum):
    """Where a rectification stands: the subject reports it done, the evaluator verifies."""

    OPEN = "open"
    REPORTED = "reported"
    CLOSED = "closed"


@labelled({"open": "评分中", "final": "已定稿", "appealed": "申诉中"})
class EvaluationStatus(LabelledEnum):
    OPEN = "open"
    FINAL = "final"
    APPEALED = "appealed"


E = EvaluationStatus


def is_rectification_overdue(deadline: date, closed: bool, today: date) -> bool:
    """A rectification still open past its deadline (derived)."""
    return today > deadline and not closed


def weighted_total(weights: dict[str, Decimal], totals: dict[str, Decimal]) -> Decimal:
    """Σ weight × source total, exactly (Decimal arithmetic, no rounding)."""
    return sum((weights[s] * totals[s] for s in weights), Decimal(0))


def evaluation_id(tenant_id: str, subject_kind: SubjectKind, subject_id: str, period: str) -> UUID:
    """The id of the one evaluation a tenant holds of a subject for a period: a second
    evaluation of the same subject and period would take the same id, and is refused."""
    return uuid5(
        NAMESPACE_URL, f"gongjian:evaluation:{tenant_id}:{subject_kind.value}:{subject_id}:{period}"
    )


class Evaluation(Aggregate):
    """One subject's evaluation for one period against one published rubric revision."""

    TOPIC = "gongjian.Evaluation"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.Evaluation.Created"

    @event("Opened", topic="gongjian.Evaluation.Opened")
    def __init__(
        self,
        id: UUID,
        stamp: Stamp,
        subject_kind: str,
        subject_id: str,
        period: str,
        rubric_id: UUID,
        revision: int,
        structure: dict[str, Any],
        sources: list[dict[str, str]],
    ) -> None:
        self.tenant_id = stamp.tenant_id
        self.subject_kind = SubjectKind(subject_kind)
        self.subject_id = subject_id
        self.period = period
        self.structure = RubricStructure.from_dict(structure)
        self.weights = {s["id"]: Decimal(s["weight"]) for s in sources}
        self.scores: dict[tuple[str, str], Decimal] = {}
        self.status = E.OPEN
        self.rectifications: dict[str, bool] = {}  # closed or not
        self.rectification_status: dict[str, RectificationStatus] = {}

    @classmethod
    def open(
        cls,
        stamp: Stamp,
        *,
        evaluation_id: UUID,
        subject_kind: SubjectKind,
        subject_id: str,
        period: str,
        rubric_id: UUID,
        revision: int,
        structure: RubricStructure,
        sources: list[tuple[str, str, Decimal]],
    ) -> Evaluation:
        """Open an evaluation; sources are (id, label, weight) with weights summing to 1."""
        Period.parse(period)
        if not sources or len({s[0] for s in sources}) != len(sources):
            raise errors.InvalidValue("name at least one source, each once")
        if any(s[2] <= 0 for s in sources):
            raise errors.InvalidValue("source weights are positive")
        if sum((s[2] for s in sources), Decimal(0)) != Decimal(1):
            raise errors.InvalidValue("source weights must sum to exactly 1")
        data = [{"id": s[0], "label": s[1], "weight": str(s[2])} for s in sources]
        return cls(
            id=evaluation_id,
            stamp=stamp,
            subject_kind=subject_kind.value,
            subject_id=subject_id,
            period=period,
            rubric_id=rubric_id,
            revision=revision,
            structure=structure.as_dict(),
            sources=data,
        )

    def score(
        self, stamp: Stamp, item_id: str, source_id: str, points: Decimal, evidence: str
    ) -> None:
        """Score an item for a source; re-scoring is a revision and needs a reason."""
        if self.status is not E.OPEN:
            raise errors.EvaluationNotOpen(f"the evaluation is {self.status.value}")
        item = self.structure.item(item_id)
        if source_id not in self.weights:
            raise errors.InvalidValue(f"no source {source_id} in this evaluation")
        if not Decimal(0) <= points <= item.max_points:
            raise errors.InvalidValue(f"points for {item_id} are between 0 and {item.max_points}")
        revision = (item_id, source_id) in self.scores
        if revision:
            stamp.require_reason("revising a score")
        self._scored(stamp, item_id, source_id, str(points), evidence.strip(), revision)

    def missing_pairs(self) -> list[tuple[str, str]]:
        """(item, source) pairs not yet scored, in the rubric's order."""
        return [
            (i.id, s)
            for i in self.structure.items()
            for s in self.weights
            if (i.id, s) not in self.scores
        ]

    def missing(self) -> list[str]:
        """'item/source' pairs not yet scored."""
        return [f"{item}/{source}" for item, source in self.missing_pairs()]

    def source_totals(self) -> dict[str, Decimal]:
        """Each source's total points."""
        return {
            s: sum((p for (_, src), p in self.scores.items() if src == s), Decimal(0))
            for s in self.weights
        }

    def finalise(self, stamp: Stamp, evidence_at: dict[str, int] | None = None) -> Decimal:
        """Fix per-source and weighted totals; refused while anything is unscored.

        ``evidence_at`` records the log position of each tenant whose records the
        indicator figures are read from, so the figures shown with a finalised
        evaluation stay those known when it was finalised.
        """
        if self.status is not E.OPEN:
            raise errors.EvaluationNotOpen(f"the evaluation is {self.status.value}")
        missing = self.missing_pairs()
        if missing:
            raise errors.ScoresMissing(
                f"unscored item/source: {', '.join(f'{i}/{s}' for i, s in missing)}",
                missing=[{"item": item, "source": source} for item, source in missing],
            )
        totals = self.source_totals()
        total = weighted_total(self.weights, totals)
        self._finalised(
            stamp, {s: str(t) for s, t in totals.items()}, str(total), evidence_at or {}
        )
        return total

    def appeal(self, stamp: Stamp) -> None:
        """Appeal a finalised evaluation, with a reason."""
        if self.status is E.APPEALED:
            raise errors.AppealPending("an appeal is already pending")
        if self.status is not E.FINAL:
            raise errors.EvaluationNotFinal("only a finalised evaluation can be appealed")
        stamp.require_reason("an appeal")
        self._appealed(stamp)

    def resolve_appeal(self, stamp: Stamp, reopen: bool) -> None:
        """Uphold the result, or reopen it for revision (reason required)."""
        if self.status is not E.APPEALED:
            raise errors.NoAppealPending("no appeal is pending")
        stamp.require_reason("resolving an appeal")
        self._appeal_resolved(stamp, "reopened" if reopen else "upheld")

    def require_rectification(
        self, stamp: Stamp, rectification_id: str, problem: str, responsible: str, deadline: date
    ) -> None:
        """Record an inspection finding to be put right by a deadline."""
        if rectification_id in self.rectifications:
            raise errors.InvalidValue(f"rectification {rectification_id} already exists")
        if not problem.strip() or not responsible.strip():
            raise errors.InvalidValue("a rectification names the problem and who is responsible")
        self._rectification_required(
            stamp, rectification_id, problem.strip(), responsible.strip(), deadline
        )

    def report_rectification(
        self, stamp: Stamp, rectification_id: str, evidence: str, files: tuple[FileRef, ...] = ()
    ) -> None:
        """The subject reports a rectification done, with evidence (text and uploaded
        files); the evaluator then verifies it (closes it) or returns it."""
        if self._rectification(rectification_id) is not RectificationStatus.OPEN:
            raise errors.RectificationNotOpen(
                f"rectification {rectification_id} is "
                f"{self.rectification_status[rectification_id].label}"
            )
        if not evidence.strip():
            raise errors.InvalidValue("reporting a rectification needs evidence")
        self._rectification_reported(stamp, rectification_id, evidence.strip(), attached(files))

    def close_rectification(
        self, stamp: Stamp, rectification_id: str, evidence: str, files: tuple[FileRef, ...] = ()
    ) -> None:
        """The evaluator verifies a reported rectification and closes it, noting what
        it checked (text and uploaded files)."""
        status = self._rectification(rectification_id)
        if status is RectificationStatus.CLOSED:
            raise errors.RectificationClosed(f"rectification {rectification_id} is closed")
        if status is not RectificationStatus.REPORTED:
            raise errors.RectificationNotReported(
                f"rectification {rectification_id} has not been reported done by its subject"
            )
        if not evidence.strip():
            raise errors.InvalidValue("closing a rectification needs evidence")
        self._rectification_closed(stamp, rectification_id, evidence.strip(), attached(files))

    def return_rectification(self, stamp: Stamp, rectification_id: str) -> None:
        """The evaluator returns a reported rectification as not done (reason required)."""
        if self._rectification(rectification_id) is not RectificationStatus.REPORTED:
            raise errors.RectificationNotReported(
                f"rectification {rectification_id} has not been reported done by its subject"
            )
        stamp.require_reason("returning a rectification")
        self._rectification_returned(stamp, rectification_id)

    def _rectification(self, rectification_id: str) -> RectificationStatus:
        if rectification_id not in self.rectifications:
            raise errors.UnknownRectification(f"no rectification {rectification_id}")
        return self.rectification_status[rectification_id]

    @event("Scored", topic="gongjian.Evaluation.Scored")
    def _scored(
        self, stamp: Stamp, item_id: str, source_id: str, points: str, evidence: str, revision: bool
    ) -> None:
        self.scores[(item_id, source_id)] = Decimal(points)

    @event("Finalised", topic="gongjian.Evaluation.Finalised")
    def _finalised(
        self,
        stamp: Stamp,
        source_totals: dict[str, str],
        weighted_total: str,
        evidence_at: dict[str, int] | None = None,
    ) -> None:
        self.status = E.FINAL

    @event("Appealed", topic="gongjian.Evaluation.Appealed")
    def _appealed(self, stamp: Stamp) -> None:
        self.status = E.APPEALED

    @event("AppealResolved", topic="gongjian.Evaluation.AppealResolved")
    def _appeal_resolved(self, stamp: Stamp, outcome: str) -> None:
        self.status = E.OPEN if outcome == "reopened" else E.FINAL

    @event("RectificationRequired", topic="gongjian.Evaluation.RectificationRequired")
    def _rectification_required(
        self, stamp: Stamp, rectification_id: str, problem: str, responsible: str, deadline: date
    ) -> None:
        self.rectifications[rectification_id] = False
        self.rectification_status[rectification_id] = RectificationStatus.OPEN

    class RectificationClosed(Aggregate.Event):
        """The evaluator closed a rectification. Version 2 carries the uploaded files
        attached (``FileRef``s); closures stored as version 1 had none."""

        TOPIC = "gongjian.Evaluation.RectificationClosed"
        class_version = 2
        stamp: Stamp
        rectification_id: str
        evidence: str
        files: list[dict[str, Any]]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["files"] = []

    @event(RectificationClosed)
    def _rectification_closed(
        self, stamp: Stamp, rectification_id: str, evidence: str, files: list[dict[str, Any]]
    ) -> None:
        self.rectifications[rectification_id] = True
        self.rectification_status[rectification_id] = RectificationStatus.CLOSED

    class RectificationReported(Aggregate.Event):
        """The subject reported a rectification done. Version 2 carries the uploaded
        files attached (``FileRef``s); reports stored as version 1 had none."""

        TOPIC = "gongjian.Evaluation.RectificationReported"
        class_version = 2
        stamp: Stamp
        rectification_id: str
        evidence: str
        files: list[dict[str, Any]]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["files"] = []

    @event(RectificationReported)
    def _rectification_reported(
        self, stamp: Stamp, rectification_id: str, evidence: str, files: list[dict[str, Any]]
    ) -> None:
        self.rectification_status[rectification_id] = RectificationStatus.REPORTED

    @event("RectificationReturned", topic="gongjian.Evaluation.RectificationReturned")
    def _rectification_returned(self, stamp: Stamp, rectification_id: str) -> None:
        self.rectification_status[rectification_id] = RectificationStatus.OPEN
