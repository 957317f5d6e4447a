"""A tenant's export (for an auditor, or to move it to another deployment) and its
import.

Exporting signs a fresh checkpoint first when the signing key is configured, so that
the whole log is signed, and names the tenant's street in the header. Importing
refuses a file that does not verify, a log that does not begin with the tenant's own
registration (the directory of tenants is read from it: the import is what registers
the tenant), a community whose street this deployment does not have (import the street
first), and a tenant that already exists. The read models are then projected from the
imported log by the caller, as for any other log.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import Engine

from domain.tenants import TenantKind, tenant_aggregate_id
from tenants.commands.ledger import Ledger
from tenants.registry import TenantDirectory, TenantPlace
from tenants.store import exports, keys
from tenants.store.checkpoints import CheckpointRefused, take_checkpoint
from tenants.store.export_file import Header, decode_event, read_header, records, tenant_prefix
from tenants.store.exports import ImportRefused, StoredLog
from tenants.store.signed_checkpoint import Checkpoint

REGISTERED = "gongjian.Tenant.Registered"  # the topic of a tenant's registration


@dataclass(frozen=True)
class TenantExport:
    """An export about to be written: the tenant, its street, the published keys, and
    the checkpoint signed for it (or why none was)."""

    tenant_id: str
    parent_id: str | None
    keys: list[keys.PublicKey]
    signed: Checkpoint | None  # None: nothing new since the last checkpoint, or no key
    not_signed: str | None  # why the log could not be signed now, if it could not

    def pieces(self, engine: Engine, now: datetime | None = None) -> Iterator[bytes]:
        """The export file, in pieces, header first."""
        return exports.export_pieces(engine, self.tenant_id, self.keys, self.parent_id, now)


def prepare_export(
    engine: Engine,
    directory: TenantDirectory,
    tenant_id: str,
    signing: keys.SigningKey | None,
) -> TenantExport:
    """Sign the tenant's log as it is now (when a key is given) and gather the header's
    place and keys. A log that no longer extends its checkpoint is still exported (the
    verifier names the damage), with the refusal noted."""
    place = directory.find(tenant_id)
    signed, refused = None, None
    if signing is not None:
        try:
            signed = take_checkpoint(engine, signing, tenant_id)
        except CheckpointRefused as error:
            refused = str(error)
    return TenantExport(
        tenant_id,
        place.parent_id if place else None,
        keys.trusted(signing),
        signed,
        refused,
    )


def import_tenant(
    engine: Engine,
    directory: TenantDirectory,
    path: str,
    trusted: list[keys.PublicKey] | None = None,
) -> StoredLog:
    """Store the export at ``path`` as a new tenant of this deployment (its read models
    are not projected yet); ImportRefused says why it was not."""
    header = exports.verified_header(path, trusted)
    place = registration(engine, path, header)
    if header.parent_id != place.parent_id:
        raise ImportRefused(
            f"the header names street {header.parent_id}, the registration {place.parent_id}"
        )
    if directory.find(place.tenant_id) is not None:
        raise ImportRefused(f"tenant {place.tenant_id} already exists in this deployment")
    if place.parent_id is not None:
        street = directory.find(place.parent_id)
        if street is None or street.kind is not TenantKind.STREET:
            raise ImportRefused(
                f"community {place.tenant_id} belongs to street {place.parent_id}, which "
                "this deployment does not have: import the street first"
            )
    return exports.store_export(engine, path, header)


def registration(engine: Engine, path: str, header: Header) -> TenantPlace:
    """The tenant's place as its first event, its registration, records it."""
    tenant_id = header.tenant_id
    with open(path, "rb") as stream:
        read_header(stream)
        first = next(records(stream), None)
    if first is None:
        raise ImportRefused(f"the log of {tenant_id} is empty: there is no tenant to import")
    try:
        event = decode_event(first[1], tenant_prefix(tenant_id))
    except UnicodeDecodeError:
        raise ImportRefused(f"position 1 of {tenant_id}: the topic is not UTF-8") from None
    originator = UUID(bytes=event.originator_id)
    if event.topic != REGISTERED or originator != tenant_aggregate_id(tenant_id):
        raise ImportRefused(f"position 1 of {tenant_id} is not the tenant's registration")
    stored = StoredEvent(originator, event.originator_version, event.topic, event.state)
    try:
        # Any ledger's mapper decodes every tenant's events: they share topics.
        registered: Any = Ledger(engine, "_").mapper.to_domain_event(stored)
        kind = TenantKind(registered.kind)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise ImportRefused(f"position 1 of {tenant_id} cannot be read: {error}") from None
    return TenantPlace(tenant_id, kind, registered.parent_id)
