"""The search index is a read model: written with its records' rows, only when their
text changes, and reproduced exactly by a rebuild (folded or event by event)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, insert, select, text

from api.platform import Platform
from projections.runner import Projector
from projections.search_index import FTS_TABLE, SEPARATOR, search_entries
from projections.search_query import SCANNED_TENANTS, Scope, SearchQuery, hits
from tests.integration.world import World, build_world, manager


def _rows(engine: Engine, tenant: str) -> list[tuple[Any, ...]]:
    s = search_entries
    query = select(s).where(s.c.tenant_id == tenant).order_by(*s.primary_key.columns)
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def _found(engine: Engine, tenant: str, query: str, position: int | None = None) -> list[str]:
    scope = Scope(None, [tenant], position)
    rows, _, _ = hits(engine, SearchQuery.parse(query), scope, first=100)
    return [f"{row.kind}:{row.body}" for row in rows]


def _with_minutes(platform: Platform) -> tuple[World, list[int]]:
    """The world's community a, its meeting closed with minutes that were corrected."""
    w = build_world(platform)
    sec, meeting = manager(w.a, False), w.ids["meeting_id"]
    w.run(sec, "close_meeting", w.a, meeting_id=meeting)
    w.run(sec, "issue_minutes", w.a, meeting_id=meeting, text="同意加装电梯，筹集资金。")
    drafted = w.head(w.a)
    w.run(sec, "correct_minutes", w.a, meeting_id=meeting, text="同意增设坡道。", reason="更正")
    w.run(sec, "withdraw_commitment", w.a, commitment_id=w.ids["commitment_id"], reason="撤回")
    platform.projector.catch_up(w.a)
    return w, [drafted, w.head(w.a)]


def test_a_rebuild_reproduces_the_index_and_what_it_finds(engine: Engine) -> None:
    platform = Platform(engine, embedded=False)
    w, positions = _with_minutes(platform)
    rows = _rows(engine, w.a)
    questions = [(q, p) for q in ("电梯", "坡道", "加装电梯", "承诺") for p in (None, *positions)]
    answers = [_found(engine, w.a, q, p) for q, p in questions]
    assert "minutes:同意加装电梯，筹集资金。" in _found(engine, w.a, "电梯", positions[0])
    assert _found(engine, w.a, "承诺") == [] and _found(engine, w.a, "承诺", positions[0])

    by_event = Projector(engine, platform.projector.mapper, fold=False)
    for projector in (platform.projector, by_event):
        projector.rebuild(w.a)
        assert _rows(engine, w.a) == rows
        assert [_found(engine, w.a, q, p) for q, p in questions] == answers
        if engine.dialect.name == "sqlite":
            with engine.begin() as conn:  # FTS5 compares its index with rm_search's rows
                conn.exec_driver_sql(
                    f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('integrity-check', 1)"
                )


def test_a_record_gets_a_new_index_row_only_when_its_text_changes(engine: Engine) -> None:
    platform = Platform(engine, embedded=False)
    w, _ = _with_minutes(platform)  # the meeting: a dozen events, one title and location
    s = search_entries
    per_kind = (
        select(s.c.kind, func.count())
        .where(s.c.tenant_id == w.a, s.c.record_id == w.ids["meeting_id"])
        .group_by(s.c.kind)
    )
    with engine.connect() as conn:
        counts = dict(conn.execute(per_kind).tuples().all())
        events = conn.execute(
            text("SELECT count(*) FROM rm_record_events WHERE tenant_id = :t AND record_id = :m"),
            {"t": w.a, "m": w.ids["meeting_id"]},
        ).scalar_one()
    assert events > 10
    assert counts == {"meeting": 1, "minutes": 2}  # issued, then corrected


def test_a_search_of_every_tenant_finds_what_each_tenants_search_finds(engine: Engine) -> None:
    # Past a few tenants SQLite asks the trigram index for candidates (SCANNED_TENANTS):
    # rows holding every trigram of 加装电梯 but not the word itself are not hits.
    platform = Platform(engine, embedded=False)
    w = build_world(platform)  # community a: the agenda item and resolution 加装电梯
    sec, meeting = manager(w.a, False), w.ids["meeting_id"]
    w.run(sec, "close_meeting", w.a, meeting_id=meeting)
    w.run(sec, "issue_minutes", w.a, meeting_id=meeting, text='加装电与装电梯、"引号"、100%_\\')
    platform.projector.catch_up(w.a)
    wide = Scope(None, [w.a, *(f"{w.a}-{n}" for n in range(SCANNED_TENANTS))])
    for query in ("加装电梯", "装电梯", "电梯", '"引号"', "100%_\\", "0%_"):
        rows, _, _ = hits(engine, SearchQuery.parse(query), wide, first=100)
        assert [f"{r.kind}:{r.body}" for r in rows] == _found(engine, w.a, query), query
    everywhere, _, _ = hits(engine, SearchQuery.parse("引号"), Scope(None, None), first=100)
    assert w.a in {row.tenant_id for row in everywhere}
    assert sorted(hit.split(":")[0] for hit in _found(engine, w.a, "加装电梯")) == [
        "agenda_item",
        "resolution",
    ]
    assert _found(engine, w.a, "装电梯") == _found(engine, w.a, "电梯")
    assert [hit.split(":")[0] for hit in _found(engine, w.a, "0%_")] == ["minutes"]


LETTERS = "加装电梯坡道aAbB%_\\\"' "
texts = st.text(alphabet=LETTERS, max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    records=st.lists(st.lists(texts, min_size=1, max_size=3), min_size=1, max_size=8),
    terms=st.lists(
        st.text(alphabet=LETTERS.strip(), min_size=1, max_size=4), min_size=1, max_size=3
    ),
)
def test_a_hit_is_a_record_one_of_whose_fields_holds_every_term(
    engine: Engine, records: list[list[str]], terms: list[str]
) -> None:
    tenant = f"t-{uuid.uuid4().hex[:12]}"
    rows = [
        {"tenant_id": tenant, "kind": "meeting", "record_id": str(n), "record_key": [str(n)],
         "title": fields[0], "body": SEPARATOR.join(fields), "valid_from": n + 1,
         "written_at": datetime(2025, 1, 1, tzinfo=UTC)}
        for n, fields in enumerate(records)
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(search_entries), rows)
    query = SearchQuery.parse(" ".join(terms))
    expected = {
        str(n)
        for n, fields in enumerate(records)
        if all(any(t.lower() in f.lower() for f in fields) for t in query.terms)
    }
    wide = [tenant, *(f"{tenant}-{n}" for n in range(SCANNED_TENANTS))]  # the index, on SQLite
    for scope in (Scope(None, [tenant]), Scope(None, wide)):
        found, _, _ = hits(engine, query, scope, first=100)
        assert {row.record_id for row in found} == expected, (scope, query)
