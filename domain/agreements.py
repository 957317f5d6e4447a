"""Co-construction agreements (共建责任书): a community and a member unit each undertake
line items for a term; reviewed at the term's end, line by line; renewed or ended."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.charters import LabelledEnum, labelled
from domain.stamp import Stamp


@labelled({"unit": "成员单位", "community": "社区"})
class Party(LabelledEnum):
    UNIT = "unit"
    COMMUNITY = "community"


@labelled({"fulfilled": "已履行", "partly": "部分履行", "not_fulfilled": "未履行"})
class Fulfilment(LabelledEnum):
    FULFILLED = "fulfilled"
    PARTLY = "partly"
    NOT_FULFILLED = "not_fulfilled"


@labelled({"in_force": "履行中", "reviewed": "已年终评议", "ended": "已终止"})
class AgreementStatus(LabelledEnum):
    IN_FORCE = "in_force"
    REVIEWED = "reviewed"
    ENDED = "ended"


A = AgreementStatus

Line = tuple[str, Party, str]
"""A line item: (id, the party that undertakes it, what it undertakes)."""

Review = tuple[str, Fulfilment, str]
"""A line's fulfilment: (line id, how far it was fulfilled, a note)."""


def days_to_end(ends_on: date, status: str, today: date) -> int | None:
    """Days from ``today`` to the term's last day while the agreement is in force
    (negative once the term is over and not yet reviewed); None when reviewed or ended."""
    if status != A.IN_FORCE:
        return None
    return (ends_on - today).days


def is_expiring(ends_on: date, status: str, today: date, within_days: int) -> bool:
    """In force and its term ends within ``within_days`` days of ``today`` (a term already
    over and not yet reviewed counts too: it is due for review)."""
    return status == A.IN_FORCE and ends_on <= today + timedelta(days=within_days)


def _check_term(starts_on: date, ends_on: date) -> None:
    if ends_on <= starts_on:
        raise errors.InvalidValue("an agreement's term ends after it starts")


def _lines(lines: Sequence[Line]) -> list[dict[str, Any]]:
    """Validated line items as event data: unique ids, text, and both parties undertaking."""
    ids = [line[0] for line in lines]
    if len(set(ids)) != len(ids):
        raise errors.InvalidValue("line ids must be unique within an agreement")
    if any(not line[2].strip() for line in lines):
        raise errors.InvalidValue("a line item says what is undertaken")
    missing = [p.value for p in Party if p not in {line[1] for line in lines}]
    if missing:
        raise errors.InvalidValue(f"an agreement needs line items of each party: {missing[0]}")
    return [{"id": i, "party": p.value, "text": t.strip()} for i, p, t in lines]


class Agreement(Aggregate):
    """A co-construction agreement between the community and one member unit."""

    TOPIC = "gongjian.Agreement"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.Agreement.Created"

    @event("Signed", topic="gongjian.Agreement.Signed")
    def __init__(
        self,
        id: UUID,
        stamp: Stamp,
        unit_id: str,
        title: str,
        starts_on: date,
        ends_on: date,
        lines: list[dict[str, Any]],
    ) -> None:
        self.tenant_id = stamp.tenant_id
        self.unit_id = unit_id
        self.title = title
        self.term = 1
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.lines = {line["id"]: line for line in lines}
        self.status = A.IN_FORCE

    @classmethod
    def sign(
        cls,
        stamp: Stamp,
        *,
        agreement_id: UUID,
        unit_id: str,
        title: str,
        starts_on: date,
        ends_on: date,
        lines: Sequence[Line],
    ) -> Agreement:
        """Sign an agreement for a term, with each party's line items."""
        if not title.strip():
            raise errors.InvalidValue("an agreement needs a title")
        _check_term(starts_on, ends_on)
        return cls(
            id=agreement_id,
            stamp=stamp,
            unit_id=unit_id,
            title=title.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            lines=_lines(lines),
        )

    def review(self, stamp: Stamp, reviews: Sequence[Review], *, today: date) -> None:
        """Record the term's fulfilment of every line, at or after the term's end (the
        tenant's ``today``); a line short of fulfilled needs a note."""
        self._check_not_ended()
        if self.status is not A.IN_FORCE:
            raise errors.AgreementNotInState(f"term {self.term} is already reviewed")
        if today < self.ends_on:
            raise errors.AgreementPeriodNotOver(
                f"term {self.term} runs until {self.ends_on.isoformat()}: review it then"
            )
        given = [r[0] for r in reviews]
        if len(set(given)) != len(given):
            raise errors.InvalidValue("each line is reviewed once")
        unknown = sorted(set(given) - set(self.lines))
        if unknown:
            raise errors.UnknownAgreementLine(f"no line {unknown[0]} in this agreement")
        missing = [line for line in self.lines if line not in given]
        if missing:
            raise errors.InvalidValue(f"the review leaves out line {missing[0]}")
        bare = [r[0] for r in reviews if r[1] is not Fulfilment.FULFILLED and not r[2].strip()]
        if bare:
            raise errors.InvalidValue(f"line {bare[0]} is not fully fulfilled: add a note")
        data = [{"id": i, "fulfilment": f.value, "note": n.strip()} for i, f, n in reviews]
        self._reviewed(stamp, self.term, data)

    def renew(
        self, stamp: Stamp, starts_on: date, ends_on: date, lines: Sequence[Line] | None
    ) -> None:
        """Renew a reviewed agreement for a new term after the last, with a reason;
        ``lines`` replaces the line items (None: they carry over)."""
        self._check_not_ended()
        stamp.require_reason("renewing an agreement")
        if self.status is not A.REVIEWED:
            raise errors.AgreementNotInState(f"review term {self.term} before renewing")
        _check_term(starts_on, ends_on)
        if starts_on <= self.ends_on:
            raise errors.InvalidValue(
                f"the new term starts after the last one ended ({self.ends_on.isoformat()})"
            )
        data = _lines(lines) if lines is not None else list(self.lines.values())
        self._renewed(stamp, self.term + 1, starts_on, ends_on, data)

    def end(self, stamp: Stamp) -> None:
        """End the agreement, with a reason."""
        self._check_not_ended()
        stamp.require_reason("ending an agreement")
        self._ended(stamp)

    def _check_not_ended(self) -> None:
        if self.status is A.ENDED:
            raise errors.AgreementEnded("the agreement has ended")

    @event("Reviewed", topic="gongjian.Agreement.Reviewed")
    def _reviewed(self, stamp: Stamp, term: int, lines: list[dict[str, Any]]) -> None:
        self.status = A.REVIEWED

    @event("Renewed", topic="gongjian.Agreement.Renewed")
    def _renewed(
        self, stamp: Stamp, term: int, starts_on: date, ends_on: date, lines: list[dict[str, Any]]
    ) -> None:
        self.term = term
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.lines = {line["id"]: line for line in lines}
        self.status = A.IN_FORCE

    @event("Ended", topic="gongjian.Agreement.Ended")
    def _ended(self, stamp: Stamp) -> None:
        self.status = A.ENDED
