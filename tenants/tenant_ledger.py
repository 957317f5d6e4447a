"""One tenant's ledger with every command."""

from __future__ import annotations

from tenants.commitment_commands import CommitmentCommands
from tenants.evaluation_commands import EvaluationCommands
from tenants.member_commands import MemberCommands
from tenants.resolution_commands import ResolutionCommands


class Ledger(ResolutionCommands, CommitmentCommands, MemberCommands, EvaluationCommands):
    """A tenant's ledger: meetings and resolutions, commitments, members and posts, evaluations."""
