"""Personal data in events: which fields of which events hold whose data.

This is the one declaration of personal data in the log. The store seals each
declared field under its person's key as the event is written
(``tenants.store.sealing``), and GraphQL masks the same fields in event data for
readers who may not see them (``api.graphql.personal``).

A person is named by an id of its own kind, unique within a tenant:

- ``member:<member id>``: a party member (name, work unit, year-review feedback);
- ``resident:<resident id>``: a resident who rates commitments (comments). The
  resident id itself stays in the clear: it is the id data is filed under;
- ``unit:<unit id>:representative:<version>`` and ``unit:<unit id>:liaison:<version>``:
  the person one appointment names (``version`` is the unit's version after that
  appointment, as its history shows), so that forgetting a former liaison leaves
  the present one alone;
- ``attendee:<meeting id>:<unit id>``: whoever signed in for a unit at a meeting;
- ``affair:<affair id>``: the resident who brought an affair (name, telephone, and
  the comment of their feedback).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID


class Kind(StrEnum):
    """What a personal field holds, which decides how it reads when withheld."""

    NAME = "name"  # a person's name
    CONTACT = "contact"  # a {name, phone} of a unit's representative or liaison
    TEXT = "text"  # text about a person: a work unit, feedback, a comment
    ID = "id"  # the person's own id: kept in the clear, masked for other readers


ERASED = "[已删除]"
"""What a personal text or name reads as once its person's key is destroyed."""
RESTRICTED = "[已限制处理]"
"""What it reads as while its person is marked storage only (kept, never shown)."""


def redacted(kind: Kind, marker: str) -> Any:
    """The value a withheld field of ``kind`` reads as: the marker, or for a
    contact a {name, phone} whose name is the marker and whose phone is None."""
    if kind is Kind.CONTACT:
        return {"name": marker, "phone": None}
    return marker


def is_redacted(value: Any) -> bool:
    """Whether a value is a redaction (a marker, or a contact named by one)."""
    if isinstance(value, dict):
        value = value.get("name")
    return value in (ERASED, RESTRICTED)


@dataclass(frozen=True)
class Origin:
    """Where a personal field was written: its record, the record's version after
    the event, and the event's data."""

    record_id: UUID
    version: int
    data: Mapping[str, Any]


@dataclass(frozen=True)
class PersonalEvent:
    """An event type's personal fields (by stored name) and whose data they are."""

    topic: str
    fields: Mapping[str, Kind]
    whose: Callable[[Origin], str]

    def sealed(self) -> dict[str, Kind]:
        """The fields sealed under the person's key (all but the person's own id)."""
        return {name: kind for name, kind in self.fields.items() if kind is not Kind.ID}


def _member(origin: Origin) -> str:
    return f"member:{origin.record_id}"


def _resident(origin: Origin) -> str:
    return f"resident:{origin.data['resident_id']}"


def _attendee(origin: Origin) -> str:
    return f"attendee:{origin.record_id}:{origin.data['unit_id']}"


def _affair_resident(origin: Origin) -> str:
    return f"affair:{origin.record_id}"


def _appointee(role: str) -> Callable[[Origin], str]:
    def whose(origin: Origin) -> str:
        return f"unit:{origin.record_id}:{role}:{origin.version}"

    return whose


# A field renamed by a later class version is declared under the name it is stored
# with: sealing binds each ciphertext to that name, and events are unsealed before
# they are upcast.
DECLARED = (
    PersonalEvent(
        "gongjian.PartyMember.Registered", {"name": Kind.NAME, "work_unit": Kind.TEXT}, _member
    ),
    PersonalEvent("gongjian.PartyMember.ClassChanged", {"work_unit": Kind.TEXT}, _member),
    PersonalEvent("gongjian.PartyMember.YearReviewed", {"feedback": Kind.TEXT}, _member),
    PersonalEvent(
        "gongjian.MemberUnit.RepresentativeAppointed",
        {"person": Kind.CONTACT},
        _appointee("representative"),
    ),
    PersonalEvent(
        "gongjian.MemberUnit.LiaisonAppointed", {"person": Kind.CONTACT}, _appointee("liaison")
    ),
    PersonalEvent("gongjian.Meeting.SignedIn", {"attendee": Kind.NAME}, _attendee),
    PersonalEvent(
        "gongjian.Commitment.Rated", {"resident_id": Kind.ID, "comment": Kind.TEXT}, _resident
    ),
    PersonalEvent("gongjian.Affair.Received", {"resident": Kind.CONTACT}, _affair_resident),
    PersonalEvent("gongjian.Affair.FeedbackGiven", {"comment": Kind.TEXT}, _affair_resident),
)
EVENTS: dict[str, PersonalEvent] = {declared.topic: declared for declared in DECLARED}
"""Each event type with personal data, by its stored topic."""


def fields_of_record_type(record_type: str) -> dict[str, Kind]:
    """Every personal field of any event of a record type (``PartyMember``)."""
    found: dict[str, Kind] = {}
    for declared in DECLARED:
        if declared.topic.split(".")[1] == record_type:
            found.update(declared.fields)
    return found


_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_REF = r"[A-Za-z0-9_.@:-]{1,64}"
PERSON_ID = re.compile(
    rf"member:{_UUID}|resident:{_REF}|unit:{_UUID}:(representative|liaison):[1-9][0-9]{{0,9}}"
    rf"|attendee:{_UUID}:{_REF}|affair:{_UUID}"
)
PERSON_ID_FORMS = (
    "member:<member id>, resident:<resident id>, unit:<unit id>:representative:<version>, "
    "unit:<unit id>:liaison:<version>, attendee:<meeting id>:<unit id>, "
    "affair:<affair id>"
)


def is_person_id(value: str) -> bool:
    """Whether ``value`` has the form of a person id."""
    return PERSON_ID.fullmatch(value) is not None
