"""Every command, declared once as a message: its fields, target, route and handler."""

from tenants.messages import (
    access,
    affairs,
    agreements,
    calendar_feeds,
    commendations,
    commitments,
    evaluations,
    evidence_files,
    meetings,
    members,
    plenary_business,
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
    "evidence_files",
    "meetings",
    "members",
    "plenary_business",
    "resolutions",
    "tenants",
    "upward_reports",
    "webhooks",
]
