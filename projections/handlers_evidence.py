"""Projecting evidence files: their uploads, and every event that attaches them."""

from __future__ import annotations

from typing import Any

from projections.context import Applied, Handler
from projections.tables_evidence import evidence_attachments, evidence_files
from projections.temporal import add, add_many


def uploaded(a: Applied) -> list[str]:
    e = a.event
    add(
        a,
        evidence_files,
        tenant_id=a.tenant_id,
        file_id=a.record_id,
        sha256=e.sha256,
        name=e.name,
        media_type=e.media_type,
        size=e.size,
        uploaded_at=a.occurred_at,
        uploaded_by=a.stamp.actor.user_id,
        created_position=a.position,
    )
    return []


def attach(a: Applied, part: str | None = None) -> list[dict[str, Any]]:
    """Record which files the event attaches to its record; return them for its row."""
    files: list[dict[str, Any]] = list(a.event.files)
    add_many(
        a,
        evidence_attachments,
        [
            {
                "tenant_id": a.tenant_id,
                "sha256": f["sha256"],
                "position": a.position,
                "record_type": a.topic.split(".")[1],
                "record_id": a.record_id,
                "part": part,
                "event_type": a.topic.split(".")[2],
                "attached_at": a.occurred_at,
            }
            for f in files
        ],
    )
    return files


HANDLERS: dict[str, Handler] = {"gongjian.EvidenceFile.Uploaded": uploaded}
