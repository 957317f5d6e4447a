"""Webhooks: an integrator's standing request to be sent a tenant's events as they happen.

A webhook is a fact of its tenant, recorded in the tenant's log like any other: where
deliveries go (an absolute http(s) URL), which event types they carry, who registered
it, whether it is paused, and which generation of its signing secret is current. The
secret itself is never part of an event: the log is exported to auditors, and a
secret in it could sign deliveries forever after. It is kept outside the log, by
generation (``tenants.store.webhooks``).

An event type is ``Record.Event`` (``Meeting.MinutesIssued``), a record type for all
of its events (``Meeting``), or ``*`` for every event. Webhooks' own events are never
delivered, so one integrator's endpoint never learns of another's.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateAggregate, event

from domain.charters import LabelledEnum, labelled
from domain.errors import InvalidWebhookUrl, UnknownEventType, WebhookRemoved
from domain.stamp import Stamp

EVERY_EVENT = "*"
MAX_URL_LENGTH = 2000
# Records whose events no webhook carries: tokens live in the platform's log, and a
# webhook's events name other integrators' endpoints.
UNDELIVERED_RECORDS = frozenset({"AccessToken", "Webhook"})


@labelled({"active": "启用", "paused": "暂停", "removed": "已删除"})
class WebhookStatus(LabelledEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    REMOVED = "removed"


def webhook_url(url: str) -> str:
    """The URL as recorded; InvalidWebhookUrl unless it is an absolute http(s) URL
    with a host, no credentials and no fragment."""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidWebhookUrl(f"a webhook URL has at most {MAX_URL_LENGTH} characters")
    if not url.isascii() or any(ch.isspace() for ch in url):
        raise InvalidWebhookUrl(
            "a webhook URL is ASCII without spaces: give an international host name in "
            "its xn-- form and percent-encode the path"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidWebhookUrl(f"not a URL: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidWebhookUrl("a webhook URL starts with https:// (or http://)")
    if not parts.hostname:
        raise InvalidWebhookUrl("a webhook URL names a host")
    if parts.username is not None or parts.password is not None:
        # The URL is recorded in the log; the signature is what authenticates.
        raise InvalidWebhookUrl("a webhook URL may not carry a user name or password")
    if parts.fragment or url.endswith("#"):
        raise InvalidWebhookUrl("a webhook URL has no #fragment")
    if port == 0:
        raise InvalidWebhookUrl("a webhook URL's port lies between 1 and 65535")
    return url


@cache
def deliverable_event_types() -> frozenset[str]:
    """Every ``Record.Event`` a webhook may ask for: each stored event of every
    aggregate in the domain, less those of ``UNDELIVERED_RECORDS``."""
    import domain

    for module in pkgutil.iter_modules(domain.__path__):
        importlib.import_module(f"domain.{module.name}")
    names: set[str] = set()
    for aggregate in _subclasses(Aggregate):
        if aggregate.__module__.startswith("domain.") and "TOPIC" in vars(aggregate):
            names |= {".".join(str(e.TOPIC).split(".")[1:]) for e in _stored_events(aggregate)}
    return frozenset(n for n in names if n.split(".")[0] not in UNDELIVERED_RECORDS)


def _stored_events(aggregate: type) -> list[Any]:
    """The event classes of an aggregate that its log can hold."""
    events = [
        value
        for value in vars(aggregate).values()
        if isinstance(value, type) and issubclass(value, CanMutateAggregate)
        and getattr(value, "TOPIC", None)
    ]  # fmt: skip
    created = [e for e in events if issubclass(e, Aggregate.Created)]
    # An aggregate whose first event is named (``@event("Joined")``) never stores
    # the library's plain ``Created``.
    return [e for e in events if not (len(created) > 1 and e.__name__ == "Created")]


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    subs: list[type] = cls.__subclasses__()
    for sub in subs:
        found |= {sub, *_subclasses(sub)}
    return found


def event_types(requested: list[str]) -> list[str]:
    """The requested event types, sorted, each once; UnknownEventType for a name that
    is neither ``*``, a record type nor one of its events."""
    known = deliverable_event_types()
    records = {name.split(".")[0] for name in known}
    unknown = sorted(
        {name for name in requested if name != EVERY_EVENT and name not in known | records}
    )
    if unknown:
        raise UnknownEventType(
            f"unknown event type(s) {', '.join(unknown)}: give Record.Event "
            "(e.g. Meeting.MinutesIssued), a record type (Meeting) or *"
        )
    if not requested:
        raise UnknownEventType("a webhook asks for at least one event type")
    return sorted(set(requested))


def wants(patterns: list[str], record_type: str, event: str) -> bool:
    """Whether a webhook asking for ``patterns`` is sent an event of this type."""
    if record_type in UNDELIVERED_RECORDS:
        return False
    return bool({EVERY_EVENT, record_type, f"{record_type}.{event}"} & set(patterns))


class Webhook(Aggregate):
    """Where a tenant's events are sent, which of them, and whether now."""

    TOPIC = "gongjian.Webhook"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.Webhook.Created"

    @event("Registered", topic="gongjian.Webhook.Registered")
    def __init__(self, id: UUID, stamp: Stamp, url: str, event_types: list[str]) -> None:
        self.tenant_id = stamp.tenant_id
        self.url = url
        self.event_types = event_types
        # Who registered it: an integrator manages only the webhooks it registered.
        self.owner = stamp.actor.user_id
        self.owner_role = stamp.actor.role
        self.status = WebhookStatus.ACTIVE
        self.secret_generation = 1

    @classmethod
    def register(cls, stamp: Stamp, *, webhook_id: UUID, url: str, types: list[str]) -> Webhook:
        """Register a webhook: deliveries of ``types`` to ``url``, from now on."""
        return cls(id=webhook_id, stamp=stamp, url=webhook_url(url), event_types=event_types(types))

    def change(self, stamp: Stamp, url: str | None, types: list[str] | None) -> None:
        """Send future deliveries to another URL, or of other event types."""
        self._check_present()
        new_url = self.url if url is None else webhook_url(url)
        new_types = self.event_types if types is None else event_types(types)
        if (new_url, new_types) != (self.url, self.event_types):
            self._changed(stamp, new_url, new_types)

    def pause(self, stamp: Stamp) -> None:
        """Stop delivering until resumed (events meanwhile are delivered then)."""
        self._check_present()
        if self.status is WebhookStatus.ACTIVE:
            self._paused(stamp)

    def resume(self, stamp: Stamp) -> None:
        """Deliver again, from where deliveries stopped."""
        self._check_present()
        if self.status is WebhookStatus.PAUSED:
            self._resumed(stamp)

    def rotate_secret(self, stamp: Stamp) -> int:
        """Make the next generation of the signing secret current; return it."""
        self._check_present()
        self._secret_rotated(stamp, self.secret_generation + 1)
        return self.secret_generation

    def retry_deliveries(self, stamp: Stamp) -> None:
        """Try the deliveries that failed for good once more."""
        self._check_present()
        self._deliveries_retried(stamp)

    def remove(self, stamp: Stamp) -> None:
        """Stop delivering for good (reason required)."""
        self._check_present()
        stamp.require_reason("removing a webhook")
        self._removed(stamp)

    def _check_present(self) -> None:
        if self.status is WebhookStatus.REMOVED:
            raise WebhookRemoved(f"webhook {self.id} was removed")

    @event("Changed", topic="gongjian.Webhook.Changed")
    def _changed(self, stamp: Stamp, url: str, event_types: list[str]) -> None:
        self.url = url
        self.event_types = event_types

    @event("Paused", topic="gongjian.Webhook.Paused")
    def _paused(self, stamp: Stamp) -> None:
        self.status = WebhookStatus.PAUSED

    @event("Resumed", topic="gongjian.Webhook.Resumed")
    def _resumed(self, stamp: Stamp) -> None:
        self.status = WebhookStatus.ACTIVE

    @event("SecretRotated", topic="gongjian.Webhook.SecretRotated")
    def _secret_rotated(self, stamp: Stamp, generation: int) -> None:
        self.secret_generation = generation

    @event("DeliveriesRetried", topic="gongjian.Webhook.DeliveriesRetried")
    def _deliveries_retried(self, stamp: Stamp) -> None:
        pass

    @event("Removed", topic="gongjian.Webhook.Removed")
    def _removed(self, stamp: Stamp) -> None:
        self.status = WebhookStatus.REMOVED
