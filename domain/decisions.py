"""How an agenda item is decided: the units' positions against the charter's rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.charters import DecisionRule, LabelledEnum, labelled


@labelled({"agree": "同意", "object": "反对", "abstain": "弃权"})
class Position(LabelledEnum):
    AGREE = "agree"
    OBJECT = "object"
    ABSTAIN = "abstain"


@labelled({"agreed": "通过", "not_agreed": "未达成一致"})
class Outcome(LabelledEnum):
    AGREED = "agreed"
    NOT_AGREED = "not_agreed"


@dataclass(frozen=True)
class Tally:
    """Positions of the units present on one item."""

    present: int
    agree: int
    object: int
    abstain: int

    @classmethod
    def count(cls, present: int, positions: Mapping[str, str]) -> Tally:
        """Count positions; a present unit that stated none is counted as abstaining."""
        agree = sum(1 for p in positions.values() if p == Position.AGREE.value)
        objections = sum(1 for p in positions.values() if p == Position.OBJECT.value)
        return cls(present, agree, objections, present - agree - objections)


def decide(rule: DecisionRule, tally: Tally) -> Outcome:
    """Apply the charter's rule: consensus means nobody present objects."""
    if tally.present == 0 or tally.agree == 0:
        return Outcome.NOT_AGREED
    if rule is DecisionRule.CONSENSUS:
        met = tally.object == 0
    elif rule is DecisionRule.MAJORITY:
        met = tally.agree * 2 > tally.present
    else:
        met = tally.agree * 3 >= tally.present * 2
    return Outcome.AGREED if met else Outcome.NOT_AGREED
