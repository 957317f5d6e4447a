"""The one declaration of personal data in events matches the domain's events, and
person ids are told apart from anything else."""

from __future__ import annotations

import inspect
from uuid import UUID

import pytest
from eventsourcing.utils import resolve_topic

import domain.commitments
import domain.meetings
import domain.members
import domain.units  # noqa: F401  (their events must be importable by topic)
from domain.personal_data import DECLARED, Kind, Origin, PersonalEvent, is_person_id

UNIT = "2683c01a-e079-41e7-8542-154e8392ac10"


@pytest.mark.parametrize("declared", DECLARED, ids=lambda d: d.topic)
def test_every_declared_personal_field_is_a_field_of_its_event(
    declared: PersonalEvent,
) -> None:
    event = resolve_topic(declared.topic)
    fields = set(inspect.signature(event.__init__).parameters)
    assert set(declared.fields) <= fields, f"{declared.topic} lost a personal field"


@pytest.mark.parametrize("declared", DECLARED, ids=lambda d: d.topic)
def test_each_event_names_a_person_of_a_well_formed_id(declared: PersonalEvent) -> None:
    data = {"resident_id": "r-1", "unit_id": UNIT}
    whose = declared.whose(Origin(UUID(UNIT), 3, data))
    assert is_person_id(whose), whose


def test_only_a_resident_id_stays_in_the_clear() -> None:
    unsealed = {(d.topic, name) for d in DECLARED for name in d.fields if name not in d.sealed()}
    assert unsealed == {("gongjian.Commitment.Rated", "resident_id")}
    assert all(
        d.fields[name] is Kind.ID for d in DECLARED for name in d.fields if name not in d.sealed()
    )


@pytest.mark.parametrize(
    "text",
    [
        "member:" + UNIT.upper(),
        "member:x",
        "unit:" + UNIT + ":chair:2",
        "unit:" + UNIT + ":liaison:0",
        "resident:",
        "resident:a b",
        "attendee:" + UNIT,
        "张伟",
        "",
    ],
)
def test_what_is_not_a_person_id(text: str) -> None:
    assert not is_person_id(text)
