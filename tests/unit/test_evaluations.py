"""Rubrics and evaluations, as behaviours, with exact arithmetic checked by Hypothesis."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import errors
from domain.evaluations import Evaluation, EvaluationStatus, SubjectKind, weighted_total
from domain.rubric_template import six_in_one
from domain.rubrics import Rubric, RubricCategory, RubricItem, RubricStructure
from tests.unit.builders import stamp

SOURCES = [
    ("inspection", "街道检查", Decimal("0.6")),
    ("self", "自评", Decimal("0.2")),
    ("residents", "居民评议", Decimal("0.2")),
]


def opened(structure: RubricStructure | None = None) -> Evaluation:
    return Evaluation.open(
        stamp(),
        evaluation_id=uuid4(),
        subject_kind=SubjectKind.COMMUNITY,
        subject_id="kangjian",
        period="2026H1",
        rubric_id=uuid4(),
        revision=1,
        structure=structure or six_in_one(),
        sources=SOURCES,
    )


def test_the_built_in_template_has_six_categories_23_items_and_100_points() -> None:
    rubric = six_in_one()
    assert [int(c.weight) for c in rubric.categories] == [20, 20, 15, 15, 15, 15]
    assert len(list(rubric.items())) == 23
    assert rubric.problems() == []


def test_publishing_is_refused_unless_items_and_categories_add_up() -> None:
    broken = replace(six_in_one(), total=Decimal(99))
    rubric = Rubric.draft(stamp(), rubric_id=uuid4(), name="试行", structure=broken)
    with pytest.raises(errors.RubricInconsistent, match="categories sum to 100"):
        rubric.publish(stamp(), 1)
    with pytest.raises(errors.ReasonRequired):
        rubric.revise(stamp(), six_in_one())
    assert rubric.revise(stamp("修正总分"), six_in_one()) == 2
    rubric.publish(stamp(), 2)
    with pytest.raises(errors.RubricNotPublished):
        rubric.published_structure(1)
    assert rubric.published_structure(2) == six_in_one()


def test_source_weights_must_sum_to_one() -> None:
    with pytest.raises(errors.InvalidValue):
        Evaluation.open(
            stamp(),
            evaluation_id=uuid4(),
            subject_kind=SubjectKind.COMMUNITY,
            subject_id="x",
            period="2026H1",
            rubric_id=uuid4(),
            revision=1,
            structure=six_in_one(),
            sources=[("a", "a", Decimal("0.5"))],
        )


def test_points_stay_within_the_items_maximum_and_revisions_need_a_reason() -> None:
    evaluation = opened()
    with pytest.raises(errors.InvalidValue):
        evaluation.score(stamp(), "01", "inspection", Decimal("6.5"), "")
    with pytest.raises(errors.UnknownRubricItem):
        evaluation.score(stamp(), "99", "inspection", Decimal(1), "")
    evaluation.score(stamp(), "01", "inspection", Decimal("5.5"), "学历证明")
    with pytest.raises(errors.ReasonRequired):
        evaluation.score(stamp(), "01", "inspection", Decimal(6), "")
    evaluation.score(stamp("补交证书"), "01", "inspection", Decimal(6), "证书")


def _score_all(evaluation: Evaluation, fraction: Decimal = Decimal("0.75")) -> None:
    for item in evaluation.structure.items():
        for source in evaluation.weights:
            if (item.id, source) not in evaluation.scores:
                evaluation.score(stamp(), item.id, source, item.max_points * fraction, "")


def test_finalising_names_what_is_missing_then_fixes_exact_totals() -> None:
    evaluation = opened()
    evaluation.score(stamp(), "01", "inspection", Decimal("4.5"), "")
    with pytest.raises(errors.ScoresMissing, match="01/self"):
        evaluation.finalise(stamp())
    _score_all(evaluation)
    assert evaluation.finalise(stamp()) == Decimal("75.00")
    with pytest.raises(errors.EvaluationNotOpen):
        evaluation.score(stamp("x"), "01", "self", Decimal(1), "")


def test_an_appeal_is_upheld_or_reopens_the_evaluation() -> None:
    evaluation = opened()
    with pytest.raises(errors.EvaluationNotFinal):
        evaluation.appeal(stamp("不服"))
    _score_all(evaluation)
    evaluation.finalise(stamp())
    with pytest.raises(errors.ReasonRequired):
        evaluation.appeal(stamp())
    evaluation.appeal(stamp("第3项证据未采纳"))
    with pytest.raises(errors.AppealPending):
        evaluation.appeal(stamp("again"))
    evaluation.resolve_appeal(stamp("证据属实"), reopen=True)
    assert evaluation.status is EvaluationStatus.OPEN
    evaluation.score(stamp("采纳证据"), "03", "inspection", Decimal(4), "培训记录")
    assert evaluation.finalise(stamp()) == Decimal("75.00") + Decimal("0.6")


def test_rectifications_are_reported_by_the_subject_then_verified_once() -> None:
    evaluation = opened()
    evaluation.require_rectification(stamp(), "r1", "花名册未更新", "社区党委", date(2026, 8, 31))
    with pytest.raises(errors.RectificationNotReported):
        evaluation.close_rectification(stamp(), "r1", "未经报告")
    with pytest.raises(errors.InvalidValue):
        evaluation.report_rectification(stamp(), "r1", " ")
    evaluation.report_rectification(stamp(), "r1", "已更新")
    with pytest.raises(errors.RectificationNotOpen):
        evaluation.report_rectification(stamp(), "r1", "again")
    with pytest.raises(errors.ReasonRequired):
        evaluation.return_rectification(stamp(), "r1")
    evaluation.return_rectification(stamp("缺流动党员"), "r1")
    with pytest.raises(errors.RectificationNotReported):
        evaluation.close_rectification(stamp(), "r1", "已退回")
    evaluation.report_rectification(stamp(), "r1", "补齐流动党员")
    with pytest.raises(errors.InvalidValue):
        evaluation.close_rectification(stamp(), "r1", " ")
    evaluation.close_rectification(stamp(), "r1", "更新后的花名册")
    assert evaluation.rectification_status["r1"].label == "已销号"
    with pytest.raises(errors.RectificationClosed):
        evaluation.close_rectification(stamp(), "r1", "again")
    with pytest.raises(errors.UnknownRectification):
        evaluation.close_rectification(stamp(), "r9", "x")


points = st.decimals(min_value=0, max_value=20, places=2, allow_nan=False, allow_infinity=False)


@given(st.lists(st.lists(points, min_size=1, max_size=5), min_size=1, max_size=6))
def test_a_consistent_rubrics_total_is_the_sum_of_its_parts(shape: list[list[Decimal]]) -> None:
    categories = tuple(
        RubricCategory(
            f"c{n}",
            "类",
            "cat",
            sum(items, Decimal(0)),
            tuple(RubricItem(f"c{n}i{m}", "项", "item", p) for m, p in enumerate(items)),
        )
        for n, items in enumerate(shape)
    )
    total = sum((c.weight for c in categories), Decimal(0))
    rubric = RubricStructure(total, categories)
    assert rubric.problems() == []
    assert sum((i.max_points for i in rubric.items()), Decimal(0)) == rubric.total
    assert RubricStructure.from_dict(rubric.as_dict()) == rubric
    assert replace(rubric, total=total + Decimal("0.01")).problems() != []


@given(st.lists(st.integers(1, 99), min_size=1, max_size=4), st.data())
def test_finalised_weighted_totals_are_exact(weights_pct: list[int], data: st.DataObject) -> None:
    remaining = 100 - sum(weights_pct[:-1]) if sum(weights_pct[:-1]) < 100 else None
    if remaining is None or remaining <= 0:
        return
    weights = [Decimal(w) / 100 for w in weights_pct[:-1]] + [Decimal(remaining) / 100]
    sources = [(f"s{n}", f"来源{n}", w) for n, w in enumerate(weights)]
    evaluation = Evaluation.open(
        stamp(),
        evaluation_id=uuid4(),
        subject_kind=SubjectKind.COMMUNITY,
        subject_id="x",
        period="2026",
        rubric_id=uuid4(),
        revision=1,
        structure=six_in_one(),
        sources=sources,
    )
    expected = Decimal(0)
    for item in evaluation.structure.items():
        for source, _, weight in sources:
            p = data.draw(st.decimals(min_value=0, max_value=item.max_points, places=2))
            evaluation.score(stamp(), item.id, source, p, "")
            expected += weight * p
    total = evaluation.finalise(stamp())
    assert total == expected
    assert total == weighted_total(evaluation.weights, evaluation.source_totals())
