"""Registering and managing a tenant's webhooks; their secrets are kept beside the log."""

from __future__ import annotations

from uuid import UUID

from domain.stamp import Stamp
from domain.webhooks import Webhook
from tenants.ledger import CommandResult, LedgerBase
from tenants.store.recorder import IdempotentCommand
from tenants.store.webhooks import keep_secret

Idem = IdempotentCommand | None


class WebhookCommands(LedgerBase):
    """Webhooks are records of their tenant's log; their secrets are not."""

    def register_webhook(
        self,
        stamp: Stamp,
        webhook_id: UUID,
        url: str,
        event_types: list[str],
        secret: str,
        idem: Idem = None,
    ) -> CommandResult:
        """Record a webhook; keep its first secret (once the webhook is valid)."""
        hook = Webhook.register(stamp, webhook_id=webhook_id, url=url, types=event_types)
        keep_secret(self.engine, self.tenant_id, str(webhook_id), hook.secret_generation, secret)
        return self.commit(hook, idempotent=idem, extra={"webhook_id": str(webhook_id)})

    def change_webhook(
        self,
        stamp: Stamp,
        webhook_id: UUID,
        url: str | None,
        event_types: list[str] | None,
        idem: Idem = None,
    ) -> CommandResult:
        """Change where a webhook's deliveries go, or which events they carry."""
        hook = self.load(Webhook, webhook_id)
        hook.change(stamp, url, event_types)
        return self.commit(hook, idempotent=idem)

    def pause_webhook(self, stamp: Stamp, webhook_id: UUID, idem: Idem = None) -> CommandResult:
        """Hold a webhook's deliveries."""
        hook = self.load(Webhook, webhook_id)
        hook.pause(stamp)
        return self.commit(hook, idempotent=idem)

    def resume_webhook(self, stamp: Stamp, webhook_id: UUID, idem: Idem = None) -> CommandResult:
        """Deliver a paused webhook's events again."""
        hook = self.load(Webhook, webhook_id)
        hook.resume(stamp)
        return self.commit(hook, idempotent=idem)

    def rotate_webhook_secret(
        self, stamp: Stamp, webhook_id: UUID, secret: str, idem: Idem = None
    ) -> CommandResult:
        """Make ``secret`` the webhook's signing secret from now on."""
        hook = self.load(Webhook, webhook_id)
        generation = hook.rotate_secret(stamp)
        keep_secret(self.engine, self.tenant_id, str(webhook_id), generation, secret)
        return self.commit(hook, idempotent=idem)

    def retry_webhook_deliveries(
        self, stamp: Stamp, webhook_id: UUID, idem: Idem = None
    ) -> CommandResult:
        """Ask for the webhook's failed deliveries to be tried again."""
        hook = self.load(Webhook, webhook_id)
        hook.retry_deliveries(stamp)
        return self.commit(hook, idempotent=idem)

    def remove_webhook(self, stamp: Stamp, webhook_id: UUID, idem: Idem = None) -> CommandResult:
        """Stop a webhook for good."""
        hook = self.load(Webhook, webhook_id)
        hook.remove(stamp)
        return self.commit(hook, idempotent=idem)
