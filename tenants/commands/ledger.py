"""One tenant's ledger with every command."""

from __future__ import annotations

from tenants.commands.access import AccessCommands
from tenants.commands.affairs import AffairCommands
from tenants.commands.agreements import AgreementCommands
from tenants.commands.calendar_feeds import CalendarFeedCommands
from tenants.commands.commendations import CommendationCommands
from tenants.commands.commitments import CommitmentCommands
from tenants.commands.evaluations import EvaluationCommands
from tenants.commands.evidence_files import EvidenceFileCommands
from tenants.commands.members import MemberCommands
from tenants.commands.plenary_business import PlenaryCommands
from tenants.commands.resolutions import ResolutionCommands
from tenants.commands.upward_reports import UpwardReportCommands
from tenants.commands.webhooks import WebhookCommands


class Ledger(
    ResolutionCommands,
    CommitmentCommands,
    MemberCommands,
    EvaluationCommands,
    AccessCommands,
    WebhookCommands,
    AgreementCommands,
    AffairCommands,
    CommendationCommands,
    CalendarFeedCommands,
    PlenaryCommands,
    EvidenceFileCommands,
    UpwardReportCommands,
):
    """A tenant's ledger: meetings and resolutions, commitments, members and posts,
    evaluations, webhooks, co-construction agreements, residents' affairs,
    commendations, calendar feeds, the plenary's business, evidence files, reports
    upward; the platform's ledger holds access tokens."""
