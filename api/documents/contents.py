"""What each official document says, read from the read models as of a log position.

A document's content is plain data (``Content``): the layout only draws it, and its
digest (SHA-256 of its canonical JSON) is what the verification page re-derives. The
reads are the tenant's scoped reads as of a position, the same rows GraphQL serves.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Row, select

from domain.agenda import ItemKind, ItemStatus
from domain.charters import DEFAULT_TIME_ZONE, zone
from domain.decisions import Outcome
from domain.errors import NotFound
from domain.meetings import MeetingKind
from projections.queries import visible
from projections.tables import agenda_items, attendance, meetings, resolutions, tenants, units

CN_DIGITS = "〇一二三四五六七八九"
WITHHELD = "（不予显示）"


class Kind(StrEnum):
    """The four documents."""

    NOTICE = "notice"
    SIGN_IN_SHEET = "sign-in-sheet"
    MINUTES = "minutes"
    RESOLUTION_NOTICE = "resolution-notice"


TITLES = {
    Kind.NOTICE: "会议通知",
    Kind.SIGN_IN_SHEET: "签到表",
    Kind.MINUTES: "会议纪要",
    Kind.RESOLUTION_NOTICE: "决议通知",
}


@dataclass(frozen=True)
class Content:
    """Everything a document prints about the record, and nothing else."""

    kind: str
    tenant_id: str
    record_id: str
    position: int
    issuer: str  # 发文机关
    number: str  # 发文字号
    title: str
    recipients: str  # 主送机关
    paragraphs: list[str]
    table_head: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)
    dated: str = ""  # 成文日期
    names_withheld: bool = False

    def digest(self) -> str:
        """SHA-256 (hex) of the canonical JSON of every field printed."""
        text = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def chinese_date(day: date) -> str:
    """A date as GB/T 9704 writes the 成文日期: 2026年11月12日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _local(moment: datetime, time_zone: str) -> datetime:
    return moment.astimezone(zone(time_zone))


def _when(moment: datetime, time_zone: str) -> str:
    local = _local(moment, time_zone)
    return f"{chinese_date(local.date())} {local.hour:02d}:{local.minute:02d}"


def _one(conn: Connection, table: Any, position: int, **match: str) -> Row[Any] | None:
    query = select(table).where(
        *(table.c[k] == v for k, v in match.items()), *visible(table, position)
    )
    return conn.execute(query).first()


def _issuer(conn: Connection, tenant_id: str, position: int) -> str:
    row = _one(conn, tenants, position, tenant_id=tenant_id)
    return str(row.name) if row is not None else tenant_id


def _unit_names(conn: Connection, tenant_id: str, position: int) -> dict[str, str]:
    rows = conn.execute(
        select(units.c.unit_id, units.c.name).where(
            units.c.tenant_id == tenant_id, *visible(units, position)
        )
    )
    return {str(r.unit_id): str(r.name) for r in rows}


def _ordinal(
    conn: Connection, table: Any, tenant_id: str, created: int, year: int, position: int
) -> int:
    """The record's ordinal among the tenant's records of its kind whose meeting falls in
    ``year`` (local time), in the order they were created: it never changes."""
    query = select(table.c.created_position, meetings.c.scheduled_for, meetings.c.charter)
    if table is not meetings:
        query = query.join(
            meetings,
            (meetings.c.tenant_id == table.c.tenant_id)
            & (meetings.c.meeting_id == table.c.meeting_id),
        ).where(*visible(meetings, position))
    query = query.where(
        table.c.tenant_id == tenant_id,
        table.c.created_position <= created,
        *visible(table, position),
    )
    return sum(
        1
        for row in conn.execute(query)
        if _local(row.scheduled_for, _zone(row.charter)).year == year
    )


def _zone(charter: dict[str, Any] | None) -> str:
    return str((charter or {}).get("time_zone") or DEFAULT_TIME_ZONE)


def _meeting(conn: Connection, tenant_id: str, meeting_id: str, position: int) -> Row[Any]:
    row = _one(conn, meetings, position, tenant_id=tenant_id, meeting_id=meeting_id)
    if row is None:
        raise NotFound(f"no meeting {meeting_id} in tenant {tenant_id} at position {position}")
    return row


def _frame(
    conn: Connection, tenant_id: str, meeting: Row[Any], position: int
) -> tuple[str, str, str]:
    """The issuer, the document number and the meeting's time zone."""
    issuer = _issuer(conn, tenant_id, position)
    time_zone = _zone(meeting.charter)
    year = _local(meeting.scheduled_for, time_zone).year
    n = _ordinal(conn, meetings, tenant_id, int(meeting.created_position), year, position)
    return issuer, f"{issuer}〔{year}〕{n}号", time_zone


def _items(conn: Connection, tenant_id: str, meeting_id: str, position: int) -> list[Row[Any]]:
    query = select(agenda_items).where(
        agenda_items.c.tenant_id == tenant_id,
        agenda_items.c.meeting_id == meeting_id,
        agenda_items.c.status != ItemStatus.WITHDRAWN.value,
        *visible(agenda_items, position),
    )
    return list(conn.execute(query.order_by(agenda_items.c.seq, agenda_items.c.item_id)))


def _attendance(conn: Connection, tenant_id: str, meeting_id: str, position: int) -> list[Row[Any]]:
    query = select(attendance).where(
        attendance.c.tenant_id == tenant_id,
        attendance.c.meeting_id == meeting_id,
        attendance.c.notified.is_(True),
        *visible(attendance, position),
    )
    return list(conn.execute(query.order_by(attendance.c.unit_id)))


def notice(conn: Connection, tenant_id: str, meeting_id: str, position: int) -> Content:
    """会议通知: time, place, agenda and the units notified."""
    m = _meeting(conn, tenant_id, meeting_id, position)
    issuer, number, tz = _frame(conn, tenant_id, m, position)
    names = _unit_names(conn, tenant_id, position)
    notified = sorted(
        names.get(r.unit_id, r.unit_id) for r in _attendance(conn, tenant_id, meeting_id, position)
    )
    agenda = [
        f"{i + 1}. {item.title}"
        for i, item in enumerate(_items(conn, tenant_id, meeting_id, position))
    ]
    paragraphs = [
        f"经研究，定于{_when(m.scheduled_for, tz)}在{m.location}召开{m.title}"
        f"（{MeetingKind(m.kind).label}），现将有关事项通知如下。",
        f"一、会议时间：{_when(m.scheduled_for, tz)}",
        f"二、会议地点：{m.location}",
        "三、会议议程：",
        *(agenda or ["（议程待定）"]),
        "四、请各成员单位主要负责人准时参加；因故不能参加的，请提前请假并说明理由。",
    ]
    issued = m.notice_issued_at or m.scheduled_for
    return Content(
        kind=Kind.NOTICE.value,
        tenant_id=tenant_id,
        record_id=meeting_id,
        position=position,
        issuer=issuer,
        number=number,
        title=f"关于召开{m.title}的通知",
        recipients="、".join(notified) + "：" if notified else "各成员单位：",
        paragraphs=paragraphs,
        dated=chinese_date(_local(issued, tz).date()),
    )


def _presence(row: Row[Any], held: bool, names: bool) -> str:
    if row.signed_in:
        who = row.attendee if names else WITHHELD
        return f"{who}（代）" if row.substitute else str(who)
    if row.on_leave or row.leave_status == "approved":
        return "请假"
    return "缺席" if held else ""


def sign_in_sheet(
    conn: Connection, tenant_id: str, meeting_id: str, position: int, names: bool
) -> Content:
    """签到表: one row per notified unit, its attendee (or 请假, 缺席) and a blank
    column for the signature. ``names``: whether the reader sees attendees' names."""
    m = _meeting(conn, tenant_id, meeting_id, position)
    issuer, number, tz = _frame(conn, tenant_id, m, position)
    unit_names = _unit_names(conn, tenant_id, position)
    held = m.status in ("open", "closed")
    rows = sorted(
        [unit_names.get(r.unit_id, r.unit_id), _presence(r, held, names), ""]
        for r in _attendance(conn, tenant_id, meeting_id, position)
    )
    return Content(
        kind=Kind.SIGN_IN_SHEET.value,
        tenant_id=tenant_id,
        record_id=meeting_id,
        position=position,
        issuer=issuer,
        number=number,
        title=f"{m.title}签到表",
        recipients="",
        paragraphs=[f"会议时间：{_when(m.scheduled_for, tz)}", f"会议地点：{m.location}"],
        table_head=["单位", "出席人", "签名"],
        table=rows,
        dated=chinese_date(_local(m.scheduled_for, tz).date()),
        names_withheld=not names,
    )


def _tally(tally: dict[str, Any] | None) -> str:
    if not tally:
        return ""
    return (
        f"（到会{tally.get('present', 0)}个单位，同意{tally.get('agree', 0)}，"
        f"反对{tally.get('object', 0)}，弃权{tally.get('abstain', 0)}）"
    )


def minutes(conn: Connection, tenant_id: str, meeting_id: str, position: int) -> Content:
    """会议纪要: the minutes' text, who attended, and each item's decision and tally."""
    m = _meeting(conn, tenant_id, meeting_id, position)
    if m.minutes is None:
        raise NotFound(f"meeting {meeting_id} has no minutes at position {position}")
    issuer, number, tz = _frame(conn, tenant_id, m, position)
    unit_names = _unit_names(conn, tenant_id, position)
    rows = _attendance(conn, tenant_id, meeting_id, position)
    present = sorted(unit_names.get(r.unit_id, r.unit_id) for r in rows if r.signed_in)
    absent = sorted(unit_names.get(r.unit_id, r.unit_id) for r in rows if not r.signed_in)
    decisions = []
    for i, item in enumerate(_items(conn, tenant_id, meeting_id, position)):
        if item.outcome:
            outcome = Outcome(item.outcome).label
        else:  # an execution review is heard, not decided
            outcome = "听取汇报" if item.kind == ItemKind.EXECUTION_REVIEW.value else "未表决"
        decisions.append(f"{i + 1}. {item.title}：{outcome}{_tally(item.tally)}")
    chair = unit_names.get(m.chair_unit_id, "") if m.chair_unit_id else ""
    paragraphs = [
        f"{_when(m.scheduled_for, tz)}，{m.title}在{m.location}召开"
        + (f"，由{chair}主持" if chair else "")
        + "。",
        f"出席单位：{'、'.join(present) or '无'}",
        f"未出席单位：{'、'.join(absent) or '无'}",
        *str(m.minutes).splitlines(),
        "会议议定事项：",
        *(decisions or ["（无）"]),
    ]
    return Content(
        kind=Kind.MINUTES.value,
        tenant_id=tenant_id,
        record_id=meeting_id,
        position=position,
        issuer=issuer,
        number=number,
        title=f"{m.title}纪要",
        recipients="",
        paragraphs=[p for p in paragraphs if p.strip()],
        dated=chinese_date(_local(m.minutes_issued_at or m.scheduled_for, tz).date()),
    )


def resolution_notice(
    conn: Connection, tenant_id: str, resolution_id: str, position: int
) -> Content:
    """决议通知: what was resolved, by which meeting, who acts and by when."""
    r = _one(conn, resolutions, position, tenant_id=tenant_id, resolution_id=resolution_id)
    if r is None:
        raise NotFound(f"no resolution {resolution_id} in tenant {tenant_id} at {position}")
    m = _meeting(conn, tenant_id, r.meeting_id, position)
    issuer = _issuer(conn, tenant_id, position)
    time_zone = _zone(m.charter)
    # Adopted at its meeting: the meeting's day dates it (adopted_at is when recorded).
    adopted = _local(m.scheduled_for, time_zone)
    n = _ordinal(conn, resolutions, tenant_id, int(r.created_position), adopted.year, position)
    unit_names = _unit_names(conn, tenant_id, position)
    responsible = [unit_names.get(u, u) for u in r.responsible or []]
    return Content(
        kind=Kind.RESOLUTION_NOTICE.value,
        tenant_id=tenant_id,
        record_id=resolution_id,
        position=position,
        issuer=issuer,
        number=f"{issuer}决〔{adopted.year}〕{n}号",
        title=f"关于{r.title}的决议通知",
        recipients="、".join(responsible) + "：" if responsible else "各成员单位：",
        paragraphs=[
            f"{chinese_date(adopted.date())}，{m.title}审议通过了“{r.title}”，现将决议通知如下。",
            f"一、决议事项：{r.action}",
            f"二、责任单位：{'、'.join(responsible) or '无'}",
            f"三、完成时限：{chinese_date(r.deadline)}前",
            "请责任单位按时落实，并及时报送执行情况。",
        ],
        dated=chinese_date(adopted.date()),
    )
