"""Commands on a tenant's webhooks: register (the secret is shown once), change, pause,
resume, rotate the secret, retry failed deliveries, remove.

Street admins and community secretaries manage every webhook of their tenant; an
integrator of the tenant manages the webhooks it registered itself.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated
from uuid import UUID, uuid4

from pydantic import AfterValidator, Field, Strict

from domain.access import Role
from domain.errors import InvalidValue
from domain.webhooks import Webhook
from tenants import webhook_targets
from tenants.ledger import CommandResult
from tenants.messages.base import CommandAccepted, Handling, Message, RecordCommand, Route
from tenants.messages.fields import clean_text
from tenants.pipeline.errors import Forbidden
from tenants.store.webhooks import new_secret

TAG = "webhooks"


def _one_line(value: str) -> str:
    if "\n" in value or "\t" in value:
        raise ValueError("this value is one line: no line breaks or tabs")
    return value


WebhookUrl = Annotated[
    str,
    Strict(),
    Field(min_length=1, max_length=2000, examples=["https://hooks.example.com/gongjian"]),
    AfterValidator(clean_text),
    AfterValidator(_one_line),
]
EventType = Annotated[
    str,
    Strict(),
    Field(
        pattern=r"^(\*|[A-Za-z]{1,60}(\.[A-Za-z]{1,60})?)$",
        description="Record.Event (Meeting.MinutesIssued), a record type (Meeting) or *",
    ),
]
EventTypes = Annotated[list[EventType], Field(min_length=1, max_length=100)]


class WebhookRegistered(CommandAccepted):
    webhook_id: str
    secret: str | None = Field(
        None,
        description="the HMAC-SHA256 signing secret, shown once (null when an idempotent "
        "retry replays); see docs/webhooks.md",
    )


class WebhookSecret(CommandAccepted):
    secret: str | None = Field(
        None, description="the new signing secret, shown once (null on an idempotent retry)"
    )


class RegisterWebhook(Message):
    """Register a webhook: this tenant's events of the given types are POSTed, signed,
    to the URL from now on (the signing secret is shown once)."""

    route = Route("/webhooks", TAG, 201, WebhookRegistered)
    url: WebhookUrl
    event_types: EventTypes

    def handle(self, h: Handling) -> CommandResult:
        webhook_targets.check_registrable(self.url)
        secret = new_secret()
        result = h.ledger.register_webhook(
            h.stamp, uuid4(), self.url, list(self.event_types), secret, idem=h.idem
        )
        return dataclasses.replace(result, once={"secret": secret})


class OnWebhook(RecordCommand):
    """A command on one webhook, by whoever manages it."""

    webhook_id: UUID

    def target(self, tenant_id: str) -> UUID:
        return self.webhook_id

    def managed(self, h: Handling) -> Webhook:
        """The webhook, if the caller manages it: an integrator only its own."""
        hook = h.ledger.load(Webhook, self.webhook_id)
        caller = h.principal
        if caller.role is Role.INTEGRATOR and (
            hook.owner_role != Role.INTEGRATOR.value or hook.owner != caller.user_id
        ):
            raise Forbidden("an integrator manages only the webhooks it registered")
        return hook


class ChangeWebhook(OnWebhook):
    """Change where the webhook's deliveries go, or which event types they carry
    (deliveries already made are unchanged)."""

    route = Route("/webhooks/{webhook_id}", TAG)
    url: WebhookUrl | None = None
    event_types: EventTypes | None = None

    def handle(self, h: Handling) -> CommandResult:
        if self.url is None and self.event_types is None:
            raise InvalidValue("give url, event_types or both")
        self.managed(h)
        if self.url is not None:
            webhook_targets.check_registrable(self.url)
        types = None if self.event_types is None else list(self.event_types)
        return h.ledger.change_webhook(h.stamp, self.webhook_id, self.url, types, idem=h.idem)


class PauseWebhook(OnWebhook):
    """Hold the webhook's deliveries; events meanwhile are delivered once it resumes."""

    route = Route("/webhooks/{webhook_id}/pause", TAG)

    def handle(self, h: Handling) -> CommandResult:
        self.managed(h)
        return h.ledger.pause_webhook(h.stamp, self.webhook_id, idem=h.idem)


class ResumeWebhook(OnWebhook):
    """Deliver a paused webhook's events again, from where its deliveries stopped."""

    route = Route("/webhooks/{webhook_id}/resume", TAG)

    def handle(self, h: Handling) -> CommandResult:
        self.managed(h)
        return h.ledger.resume_webhook(h.stamp, self.webhook_id, idem=h.idem)


class RotateWebhookSecret(OnWebhook):
    """Replace the webhook's signing secret (the new one is shown once); deliveries
    from now on are signed with it."""

    route = Route("/webhooks/{webhook_id}/secret", TAG, answer=WebhookSecret)

    def handle(self, h: Handling) -> CommandResult:
        self.managed(h)
        secret = new_secret()
        result = h.ledger.rotate_webhook_secret(h.stamp, self.webhook_id, secret, idem=h.idem)
        return dataclasses.replace(result, once={"secret": secret})


class RetryWebhookDeliveries(OnWebhook):
    """Try the webhook's failed deliveries once more (each keeps its delivery id)."""

    route = Route("/webhooks/{webhook_id}/retry", TAG)

    def handle(self, h: Handling) -> CommandResult:
        self.managed(h)
        return h.ledger.retry_webhook_deliveries(h.stamp, self.webhook_id, idem=h.idem)


class RemoveWebhook(OnWebhook):
    """Remove the webhook (reason required); its delivery log stays readable."""

    route = Route("/webhooks/{webhook_id}/removal", TAG)

    def handle(self, h: Handling) -> CommandResult:
        self.managed(h)
        return h.ledger.remove_webhook(h.stamp, self.webhook_id, idem=h.idem)
