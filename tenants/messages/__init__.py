"""Every command, declared once as a message: its fields, target, route and handler."""

from tenants.messages import (
    access,
    affairs,
    agreements,
    calendar_feeds,
    commendations,
    commitments,
    evaluations,
    meetings,
    members,
    resolutions,
    tenants,
    upward_reports,
    webhooks,
)
from tenants.messages.base import COMMANDS, Message, RecordCommand

__all__ = [
    "COMMANDS",
    "Message",
    "RecordCommand",
    "access",
    "affairs",
    "agreements",
    "calendar_feeds",
    "commendations",
    "commitments",
    "evaluations",
    "meetings",
    "members",
    "resolutions",
    "tenants",
    "upward_reports",
    "webhooks",
]
