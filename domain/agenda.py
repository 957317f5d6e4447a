"""A meeting's agenda: items, their kinds and states, and which invite written opinions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from domain import errors
from domain.charters import LabelledEnum, labelled


@labelled({"proposed": "待议", "withdrawn": "已撤回", "decided": "已议决"})
class ItemStatus(LabelledEnum):
    PROPOSED = "proposed"
    WITHDRAWN = "withdrawn"
    DECIDED = "decided"


@labelled({"topic": "议题", "execution_review": "决议落实情况汇报"})
class ItemKind(LabelledEnum):
    TOPIC = "topic"
    EXECUTION_REVIEW = "execution_review"


@dataclass
class Agenda:
    """Agenda items by id; checks here, changes only through the meeting's events."""

    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    solicited: set[str] = field(default_factory=set)

    def check_new(self, item_id: str, title: str) -> None:
        """A new item needs a title and an id not used yet."""
        if not title.strip():
            raise errors.InvalidValue("an agenda item needs a title")
        if item_id in self.items:
            raise errors.InvalidValue(f"agenda item {item_id} already exists")

    def require_open(self, item_id: str) -> None:
        """Refuse an unknown item, or one withdrawn or decided."""
        item = self.items.get(item_id)
        if item is None:
            raise errors.UnknownAgendaItem(f"no agenda item {item_id}")
        if item["status"] != ItemStatus.PROPOSED.value:
            raise errors.AgendaItemNotOpen(f"agenda item {item_id} is {item['status']}")

    def require_solicited(self, item_id: str) -> None:
        """Written opinions are taken on items they were asked for."""
        if item_id not in self.solicited:
            raise errors.OpinionsNotSolicited(f"opinions on {item_id} were not solicited")

    def open_ids(self) -> list[str]:
        """Items neither withdrawn nor decided."""
        return [k for k, v in self.items.items() if v["status"] == ItemStatus.PROPOSED.value]

    def outcome(self, item_id: str) -> str | None:
        """The outcome recorded for an item, if decided."""
        item = self.items.get(item_id)
        if item is None:
            raise errors.UnknownAgendaItem(f"no agenda item {item_id}")
        return item.get("outcome")

    def added(self, item_id: str, title: str, kind: str, carried_from: str | None) -> None:
        self.items[item_id] = {
            "kind": kind,
            "title": title,
            "carried_from": carried_from,
            "status": ItemStatus.PROPOSED.value,
        }

    def withdrawn(self, item_id: str) -> None:
        self.items[item_id]["status"] = ItemStatus.WITHDRAWN.value

    def decided(self, item_id: str, outcome: str, resolution_id: UUID | None) -> None:
        self.items[item_id].update(
            status=ItemStatus.DECIDED.value, outcome=outcome, resolution_id=resolution_id
        )
