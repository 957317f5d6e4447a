"""An event evolves without rewriting history: a MinutesIssued stored by the code
before version 2 (tests/fixtures/minutes_issued_v1.json, written by that code) is
read in the new shape, and the log that holds it still verifies, on both backends;
evidence stored before uploaded files existed reads as attaching none."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from sqlalchemy import Engine

from domain.affairs import Affair
from domain.commitments import Commitment
from domain.evaluations import Evaluation
from domain.meetings import Meeting
from domain.resolutions import Resolution
from tenants.commands.ledger import Ledger
from tenants.store.recorder import TenantRecorder
from tenants.store.verify import verify_tenant
from tests.unit.builders import noticed, stamp

FIXTURE = Path(__file__).parents[1] / "fixtures" / "minutes_issued_v1.json"


def _stored_v1() -> StoredEvent:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return StoredEvent(
        UUID(data["originator_id"]),
        data["originator_version"],
        data["topic"],
        data["state"].encode(),
    )


def test_minutes_stored_as_version_1_read_as_version_2(engine: Engine, tenant_id: str) -> None:
    stored = _stored_v1()
    assert b'"text"' in stored.state and b"class_version" not in stored.state
    event = Ledger(engine, tenant_id).mapper.to_domain_event(stored)
    assert isinstance(event, Meeting.MinutesIssued)
    assert event.minutes == "第三季度联席会议纪要"  # renamed from `text`
    assert event.recipients == []  # added: none were recorded before
    assert not hasattr(event, "text")


def test_new_minutes_are_stored_as_version_2(engine: Engine, tenant_id: str) -> None:
    mapper = Ledger(engine, tenant_id).mapper
    old = mapper.to_domain_event(_stored_v1())
    assert isinstance(old, Meeting.MinutesIssued)
    again = mapper.to_stored_event(old)
    state = json.loads(again.state)
    assert state["class_version"] == 2 and state["minutes"] and state["recipients"] == []


def test_a_log_holding_the_old_shape_still_verifies(engine: Engine, tenant_id: str) -> None:
    # The chain (and every Merkle leaf) covers the stored bytes, which upcasting never
    # changes: proofs over old events stay valid.
    recorder = TenantRecorder(engine, tenant_id)
    recorder.insert_events([_stored_v1()])
    assert verify_tenant(engine, tenant_id) is None
    (row,) = recorder.select_events(UUID(json.loads(FIXTURE.read_text())["originator_id"]))
    assert row.state == _stored_v1().state


def test_leave_requested_before_leave_was_decided_reads_as_approved(
    engine: Engine, tenant_id: str
) -> None:
    # A LeaveRequested as the code before version 2 stored it: the same fields
    # without `needs_decision`, and no class_version (built from a version-2 event
    # with those two taken out, which is exactly what that code wrote).
    mapper = Ledger(engine, tenant_id).mapper
    meeting = noticed()
    meeting.request_leave(stamp("出差"), "unit-c", {"i1": "同意"})
    (event,) = meeting.collect_events()[-1:]
    stored = mapper.to_stored_event(event)
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2 and state.pop("needs_decision") is True
    old = StoredEvent(
        stored.originator_id, stored.originator_version, stored.topic, json.dumps(state).encode()
    )
    read = mapper.to_domain_event(old)
    assert isinstance(read, Meeting.LeaveRequested)
    assert read.needs_decision is False, "it excused the unit at once, as the rule then was"


V1_WITHOUT_FILES = [
    (Resolution.ExecutionReported, {"unit_id": "u1", "kind": "progress", "note": "进展",
                                    "evidence": ["照片.jpg"]}),
    (Affair.ResultReported, {"result": "已修", "evidence": []}),
    (Commitment.ProgressReported, {"milestone_id": "m1", "percent": 50, "evidence": []}),
    (Evaluation.RectificationReported, {"rectification_id": "r1", "evidence": "整改报告"}),
    (Evaluation.RectificationClosed, {"rectification_id": "r1", "evidence": "已核验"}),
]  # fmt: skip


@pytest.mark.parametrize(("cls", "fields"), V1_WITHOUT_FILES, ids=lambda c: getattr(c, "TOPIC", ""))
def test_evidence_stored_before_files_existed_reads_as_attaching_none(
    engine: Engine, tenant_id: str, cls: Any, fields: dict[str, Any]
) -> None:
    # As the code before version 2 stored it: the same fields without `files`, and no
    # class_version (a version-2 event with both taken out, as that code wrote it).
    mapper = Ledger(engine, tenant_id).mapper
    event = cls(originator_id=uuid4(), originator_version=2, timestamp=datetime.now(UTC),
                stamp=stamp(), files=[{"sha256": "0" * 64, "name": "a.png",
                                       "media_type": "image/png", "size": 1}], **fields)  # fmt: skip
    stored = mapper.to_stored_event(event)
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2 and state.pop("files")
    old = StoredEvent(
        stored.originator_id, stored.originator_version, stored.topic, json.dumps(state).encode()
    )
    read = mapper.to_domain_event(old)
    assert isinstance(read, cls)
    assert read.files == [], "no file was attached before files existed"
    assert all(getattr(read, name) == value for name, value in fields.items())
