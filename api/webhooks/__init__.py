"""Webhook deliveries: a tenant's events POSTed, signed, to the URLs its webhooks name."""
