"""A small scripted tenant history, driven step by step (shared by projection tests)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from uuid import UUID, uuid4

from domain import errors
from domain.charters import Charter
from domain.decisions import Position
from domain.meetings import ItemKind, Meeting, MeetingKind
from domain.resolutions import ReportKind, Resolution
from domain.stamp import Actor, Stamp
from domain.tenants import TenantKind
from domain.units import UnitKind
from tenants.meeting_commands import ProposedResolution
from tenants.tenant_ledger import Ledger

AT = datetime(2025, 4, 1, 9, tzinfo=UTC)
T = TypeVar("T")


def _pick(items: list[T], pick: int) -> T:
    if not items:
        raise IndexError("nothing to pick yet")
    return items[pick % len(items)]


class Scenario:
    """Holds ids so that any sequence of steps makes a valid or refused command."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.units: list[UUID] = []
        self.meetings: list[UUID] = []
        self.resolutions: list[UUID] = []
        ledger.register(self.s(), TenantKind.STREET, "测试街道", Charter(notice_days=1), None)

    def s(self, reason: str | None = None) -> Stamp:
        return Stamp(self.ledger.tenant_id, Actor("u", "street_admin"), reason=reason)

    def steps(self) -> list[Callable[[int], None]]:
        return [
            self.join,
            self.appoint,
            self.schedule,
            self.add_item,
            self.notice,
            self.leave,
            self.sign_in,
            self.open,
            self.position,
            self.decide,
            self.close,
            self.minutes,
            self.report,
            self.verify,
            self.postpone,
        ]

    def run(self, step: int, pick: int) -> None:
        """Run one step; a refused command is fine (and must change nothing)."""
        steps = self.steps()
        with contextlib.suppress(errors.DomainError, IndexError):
            steps[step % len(steps)](pick)

    def _m(self, pick: int) -> UUID:
        return _pick(self.meetings, pick)

    def _u(self, pick: int) -> str:
        return str(_pick(self.units, pick))

    def join(self, pick: int) -> None:
        unit = uuid4()
        self.ledger.join_unit(self.s(), unit, f"单位{len(self.units)}", list(UnitKind)[pick % 7])
        self.units.append(unit)

    def appoint(self, pick: int) -> None:
        self.ledger.appoint(self.s(), UUID(self._u(pick)), "liaison", f"联络员{pick}", None)

    def schedule(self, pick: int) -> None:
        meeting = uuid4()
        self.ledger.schedule_meeting(
            self.s(),
            meeting,
            MeetingKind.REGULAR,
            f"会议{pick}",
            AT + timedelta(days=pick),
            "会议室",
        )
        self.meetings.append(meeting)

    def add_item(self, pick: int) -> None:
        self.ledger.add_item(self.s(), self._m(pick), f"i{pick}", "议题", ItemKind.TOPIC, None)

    def notice(self, pick: int) -> None:
        self.ledger.issue_notice(self.s(), self._m(pick), AT - timedelta(days=3), False)

    def leave(self, pick: int) -> None:
        self.ledger.request_leave(self.s("事假"), self._m(pick), self._u(pick), {})

    def sign_in(self, pick: int) -> None:
        self.ledger.sign_in(self.s(), self._m(pick), self._u(pick), "代表", pick % 2 == 0)

    def open(self, pick: int) -> None:
        self.ledger.open_meeting(self.s(), self._m(pick))

    def position(self, pick: int) -> None:
        meeting = self.ledger.load(Meeting, self._m(pick))
        item = meeting.open_items()[0]
        choice = list(Position)[pick % 3]
        self.ledger.record_position(self.s("理由"), meeting.id, item, self._u(pick), choice)

    def decide(self, pick: int) -> None:
        meeting = self.ledger.load(Meeting, self._m(pick))
        item = meeting.open_items()[0]
        resolution = uuid4()
        proposal = ProposedResolution(resolution, "落实", [self._u(pick)], date(2025, 6, 1))
        result = self.ledger.decide_item(self.s(), meeting.id, item, proposal)
        if result.extra.get("resolution_id"):
            self.resolutions.append(resolution)

    def close(self, pick: int) -> None:
        self.ledger.close_meeting(self.s(), self._m(pick))

    def minutes(self, pick: int) -> None:
        self.ledger.issue_minutes(self.s("更正"), self._m(pick), f"纪要{pick}", pick % 2 == 1)

    def report(self, pick: int) -> None:
        resolution = _pick(self.resolutions, pick)
        unit = self.ledger.load(Resolution, resolution).responsible[0]
        kind = ReportKind.COMPLETED if pick % 2 else ReportKind.PROGRESS
        self.ledger.report_execution(self.s(), resolution, unit, kind, "进展", ["证据"])

    def verify(self, pick: int) -> None:
        self.ledger.verify_resolution(self.s(), _pick(self.resolutions, pick))

    def postpone(self, pick: int) -> None:
        self.ledger.postpone(self.s("改期"), self._m(pick), AT + timedelta(days=30 + pick))
