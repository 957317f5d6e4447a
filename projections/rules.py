"""The domain's derived rules where they must run in SQL, built from the domain's
own definitions (its status sets), so one definition rules both sides.

``tests/integration/test_rules.py`` checks each filter against the domain's
function on every case, on both databases.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, Table

from domain import affairs, meetings, resolutions
from domain.agreements import AgreementStatus
from domain.members import LogStatus


def _values(statuses: Iterable[StrEnum]) -> list[str]:
    # Plain strings, in a fixed order: the same statement text every time.
    return sorted(status.value for status in statuses)


def overdue_resolution(table: Table, today: date) -> ColumnElement[bool]:
    """``domain.resolutions.is_overdue`` over ``rm_resolutions``."""
    return (table.c.deadline < today) & table.c.status.notin_(_values(resolutions.CLOSED_STATUSES))


def overdue_affair(table: Table, today: date) -> ColumnElement[bool]:
    """``domain.affairs.is_overdue`` over ``rm_affairs`` (an unassigned affair has no
    deadline, and a NULL deadline compares as unknown: not overdue)."""
    return (table.c.deadline < today) & table.c.status.notin_(_values(affairs.CLOSED_STATUSES))


def held_meeting(table: Table) -> ColumnElement[bool]:
    """Meetings in ``domain.meetings.HELD_STATUSES``."""
    return table.c.status.in_(_values(meetings.HELD_STATUSES))


def absent_without_leave(table: Table) -> ColumnElement[bool]:
    """``domain.attendance.is_absent_without_leave`` over ``rm_attendance``."""
    return table.c.signed_in.is_(False) & table.c.on_leave.is_(False)


def confirmed_log(table: Table) -> ColumnElement[bool]:
    """Service logs whose hours count (``domain.members.confirmed_hours``)."""
    return table.c.status == LogStatus.CONFIRMED.value


def expiring_agreement(table: Table, today: date, within_days: int) -> ColumnElement[bool]:
    """``domain.agreements.is_expiring`` over ``rm_agreements``."""
    last_day = today + timedelta(days=within_days)
    return (table.c.status == AgreementStatus.IN_FORCE.value) & (table.c.ends_on <= last_day)
