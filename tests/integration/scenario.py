"""A small scripted tenant history, driven step by step (shared by projection tests)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar
from uuid import UUID, uuid4

from domain import errors
from domain.agenda import ItemKind
from domain.charters import Charter
from domain.commitments import Channel, MakerKind
from domain.decisions import Position
from domain.evaluations import Evaluation, SubjectKind
from domain.meetings import Meeting, MeetingKind
from domain.members import MemberClass, PartyMember
from domain.posts import PostCategory
from domain.resolutions import ReportKind, Resolution
from domain.rubric_template import six_in_one
from domain.stamp import Actor, Stamp
from domain.tenants import TenantKind
from domain.units import UnitKind
from tenants.commands.ledger import Ledger
from tenants.commands.meetings import ProposedResolution

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
        self.commitments: list[UUID] = []
        self.members: list[UUID] = []
        self.posts: list[UUID] = []
        self.logs: list[tuple[UUID, str]] = []
        self.evaluations: list[UUID] = []
        self.rubric = uuid4()
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
            self.commit_to,
            self.publish,
            self.rate,
            self.register,
            self.define_post,
            self.claim,
            self.log,
            self.review_log,
            self.retire,
            self.open_evaluation,
            self.score,
            self.finalise,
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
        self.ledger.open_meeting(self.s(), self._m(pick), self._u(pick))

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

    def commit_to(self, pick: int) -> None:
        commitment = uuid4()
        self.ledger.make_commitment(
            self.s(),
            commitment,
            MakerKind.COMMUNITY_PARTY_ORGANISATION,
            self.ledger.tenant_id,
            f"承诺{pick}",
            "便民",
            date(2026, 12, 31),
            [("m1", "第一阶段", date(2026, 6, 30))],
        )
        self.commitments.append(commitment)

    def publish(self, pick: int) -> None:
        commitment = _pick(self.commitments, pick)
        self.ledger.publish_commitment(self.s(), commitment, Channel.NOTICE_BOARD, date(2026, 1, 5))
        self.ledger.report_commitment_progress(self.s(), commitment, "m1", pick % 101, [])

    def rate(self, pick: int) -> None:
        self.ledger.rate_commitment(
            self.s(), _pick(self.commitments, pick), f"r{pick % 3}", "2026H1", pick % 5 + 1, ""
        )

    def register(self, pick: int) -> None:
        member = uuid4()
        self.ledger.register_member(
            self.s(),
            member,
            f"党员{pick}",
            list(MemberClass)[pick % 4],
            "某单位" if pick % 4 == 1 else None,
        )
        if pick % 4 == 1:
            self.ledger.report_residence(self.s(), member, date(2026, 2, 1))
        self.members.append(member)

    def define_post(self, pick: int) -> None:
        post = uuid4()
        self.ledger.define_post(
            self.s(), post, f"岗位{pick}", list(PostCategory)[pick % 8], pick % 3 + 1, ""
        )
        self.posts.append(post)

    def claim(self, pick: int) -> None:
        # Try every post, so that the claim limit and capacities are really tested.
        member = _pick(self.members, pick)
        for post in self.posts:
            with contextlib.suppress(errors.DomainError):
                self.ledger.claim_post(self.s(), member, post)

    def log(self, pick: int) -> None:
        member = _pick(self.members, pick)
        post = UUID(_pick(self.ledger.load(PartyMember, member).claims, pick))
        log_id = f"l{pick}-{len(self.logs)}"
        self.ledger.log_service(
            self.s(),
            member,
            log_id,
            post,
            date(2026, 3, pick % 28 + 1),
            Decimal(pick % 8 + 1) / 2,
            "服务",
        )
        self.logs.append((member, log_id))

    def review_log(self, pick: int) -> None:
        member, log_id = _pick(self.logs, pick)
        self.ledger.review_service_log(self.s("不符"), member, log_id, pick % 2 == 0)

    def retire(self, pick: int) -> None:
        self.ledger.retire_post(self.s("撤岗"), _pick(self.posts, pick))

    def open_evaluation(self, pick: int) -> None:
        if self.rubric not in self.ledger.repository:
            self.ledger.draft_rubric(self.s(), self.rubric, "细则", six_in_one())
            self.ledger.publish_rubric(self.s(), self.rubric, 1)
        # One evaluation per subject and period: a repeated pick is refused.
        evaluation = self.ledger.open_evaluation(
            self.s(),
            SubjectKind.MEMBER_UNIT,
            "unit",
            f"{2020 + pick % 7}H{1 + pick % 2}",
            self.rubric,
            1,
            [("a", "甲", Decimal("0.5")), ("b", "乙", Decimal("0.5"))],
        ).record_id
        self.evaluations.append(evaluation)

    def score(self, pick: int) -> None:
        evaluation = self.ledger.load(Evaluation, _pick(self.evaluations, pick))
        items = list(evaluation.structure.items())
        for item in items if pick % 4 == 0 else items[pick % 5 : pick % 5 + 6]:
            for source in ("a", "b"):
                self.ledger.score_item(
                    self.s("复核"), evaluation.id, item.id, source, item.max_points / 2, ""
                )

    def finalise(self, pick: int) -> None:
        self.ledger.finalise_evaluation(self.s(), _pick(self.evaluations, pick))
