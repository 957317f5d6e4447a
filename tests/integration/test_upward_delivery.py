"""A report upward crosses two logs in steps: an interrupted request is finished by its
retry, or by the next request on the report, and no step is recorded twice."""

from __future__ import annotations

import threading
import uuid
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError
from sqlalchemy import Engine

from api.platform import Platform
from domain import errors
from domain.upward_reports import (
    ReceivedReport,
    ReportStatus,
    UpwardReport,
    received_report_id,
    upward_report_id,
)
from projections.runner import PROJECTION
from tenants.commands.upward_reports import UpwardReportCommands
from tenants.ledger import VersionConflict
from tenants.messages import COMMANDS
from tenants.pipeline.identity import SYSTEM, Principal, Role
from tenants.store.tracking import park, unpark

FILED_ON = "2025-07-03T10:00:00+08:00"


class Community:
    """A street with one community, commanded through the pipeline."""

    def __init__(self, platform: Platform) -> None:
        tag = uuid.uuid4().hex[:8]
        self.platform, self.street, self.id = platform, f"s-{tag}", f"c-{tag}"
        self.admin = Principal("admin", Role.STREET_ADMIN, self.street)
        self.secretary = Principal("secretary", Role.COMMUNITY_SECRETARY, self.id)
        self.send(SYSTEM, "register_tenant", None, tenant_id=self.street, kind="street",
                  name="枫林街道")  # fmt: skip
        self.send(self.admin, "register_tenant", None, tenant_id=self.id, kind="community",
                  parent_id=self.street, name="康健社区")  # fmt: skip

    def send(
        self, who: Principal, command: str, tenant: str | None, key: str | None = None, **body: Any
    ) -> dict[str, Any]:
        message = COMMANDS[command].model_validate(body)
        return self.platform.pipeline.handle(who, message, tenant, key)

    def file(self, key: str | None = None, **body: Any) -> dict[str, Any]:
        body = {"period": "2025H1", "occurred_at": FILED_ON, **body}
        return self.send(self.secretary, "file_upward_report", self.id, key, **body)

    def decide(
        self, command: str, received: str, key: str | None = None, **body: Any
    ) -> dict[str, Any]:
        body = {"received_report_id": received, "reason": "请补充", **body}
        return self.send(self.admin, command, self.street, key, **body)

    def heads(self) -> tuple[int, int]:
        ledgers = self.platform.ledgers
        return ledgers[self.id].head_position(), ledgers[self.street].head_position()

    def report(self, record_id: str) -> UpwardReport:
        return self.platform.ledgers[self.id].load(UpwardReport, UUID(record_id))

    def received(self, record_id: str) -> ReceivedReport:
        return self.platform.ledgers[self.street].load(ReceivedReport, UUID(record_id))


@pytest.fixture
def community(engine: Engine) -> Community:
    return Community(Platform(engine, embedded=False))


def _fail_once(monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    """Make the step ``method`` fail once, as if its database went away mid-request."""

    def failing(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.undo()
        raise ConnectionError(f"{method}: the connection was lost")

    monkeypatch.setattr(UpwardReportCommands, method, failing)


def test_a_retried_filing_finishes_the_delivery_and_files_nothing_twice(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = community.heads()
    _fail_once(monkeypatch, "receive_upward_report")
    with pytest.raises(ConnectionError):
        community.file("filing-1")
    community_head, street_head = community.heads()
    assert (community_head, street_head) == (before[0] + 1, before[1]), "filed, not received"

    first = community.file("filing-1")
    assert community.heads() == (community_head, street_head + 1)
    assert first["position"] == community_head and first["street_position"] == street_head + 1
    assert community.report(first["record_id"]).version == 1
    assert community.received(first["received_report_id"]).version == 1
    again = community.file("filing-1")
    assert again == first and community.heads() == (community_head, street_head + 1)


def test_an_interrupted_filing_is_delivered_by_the_next_request_on_the_report(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_once(monkeypatch, "receive_upward_report")
    with pytest.raises(ConnectionError):
        community.file()
    # Without a key the next filing is another filing, refused; the first is delivered.
    with pytest.raises(errors.UpwardReportFiled):
        community.file()
    report_id = upward_report_id(community.id, "2025H1")
    [revision] = community.report(str(report_id)).revisions
    received = community.received(str(received_report_id(community.street, report_id)))
    assert [r.filing_id for r in received.revisions] == [revision.filing_id]
    assert received.latest.filing == revision.filing


def test_a_retried_decision_finishes_the_record_in_the_communitys_log(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    filed = community.file()
    received = filed["received_report_id"]
    _fail_once(monkeypatch, "record_upward_decisions")
    with pytest.raises(ConnectionError):
        community.decide("return_upward_report", received, "decision-1")
    assert community.received(received).status is ReportStatus.RETURNED
    assert community.report(filed["record_id"]).status is ReportStatus.SUBMITTED
    heads = community.heads()

    first = community.decide("return_upward_report", received, "decision-1")
    assert community.heads() == (heads[0] + 1, heads[1])
    report = community.report(filed["record_id"])
    assert report.status is ReportStatus.RETURNED and report.version == 2
    assert report.latest.decision is not None and report.latest.decision.reason == "请补充"
    assert community.decide("return_upward_report", received, "decision-1") == first
    assert community.heads() == (heads[0] + 1, heads[1])
    # Another request is another decision: refused, nothing recorded.
    with pytest.raises(errors.UpwardReportDecided):
        community.decide("acknowledge_upward_report", received, "decision-2")
    assert community.heads() == (heads[0] + 1, heads[1])


def test_a_retried_decision_at_its_expected_version_answers_as_the_first_time(
    community: Community,
) -> None:
    received = community.file()["received_report_id"]
    decide = "acknowledge_upward_report"
    first = community.decide(decide, received, "decision-1", expected_version=1)
    heads = community.heads()
    assert community.decide(decide, received, "decision-1", expected_version=1) == first
    assert community.heads() == heads
    # Another request at that version finds the record moved on.
    with pytest.raises(VersionConflict):
        community.decide("return_upward_report", received, "decision-2", expected_version=1)
    assert community.heads() == heads


def test_a_filing_whose_records_are_not_readable_files_nothing(private_engine: Engine) -> None:
    community = Community(Platform(private_engine, embedded=False))
    heads = community.heads()
    park(private_engine, community.id, PROJECTION, heads[0], "a test parks it")
    with pytest.raises(errors.FiguresUnavailable):
        community.file()
    assert community.heads() == heads
    unpark(private_engine, PROJECTION, community.id)
    assert community.file()["revision"] == 1


def test_a_receipt_another_request_recorded_first_is_not_recorded_again(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = UpwardReportCommands.receive_upward_report

    def beaten(self: UpwardReportCommands, filed: UpwardReport) -> Any:
        monkeypatch.undo()
        original(self, filed)  # the other request's receipt, committed first
        raise IntegrityError("another request appended this receipt first")

    monkeypatch.setattr(UpwardReportCommands, "receive_upward_report", beaten)
    before = community.heads()
    filed = community.file()
    assert community.heads() == (before[0] + 1, before[1] + 1)
    assert community.received(filed["received_report_id"]).version == 1


def test_of_two_concurrent_filings_of_a_period_one_is_filed(community: Community) -> None:
    answers: list[str] = []

    def file() -> None:
        try:
            community.file()
            answers.append("filed")
        except errors.UpwardReportFiled:
            answers.append("refused")

    threads = [threading.Thread(target=file) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["filed", "refused"]
    report = community.report(str(upward_report_id(community.id, "2025H1")))
    assert report.version == 1
