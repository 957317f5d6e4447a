"""The command line's ``export``, ``verify-export`` and ``import`` (docs/export-format.md)."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
from collections.abc import Iterator
from typing import BinaryIO

from api.platform import Platform
from tenants.store import export_verifier, keys, person_key_transfer
from tenants.store.database import write_transaction
from tenants.store.export_file import Header, NotAnExport, read_header
from tenants.store.exports import ImportRefused, has_log
from tenants.store.person_key_transfer import PersonKeysRefused
from tenants.tenant_exports import import_tenant, prepare_export

COMMANDS = ("export", "verify-export", "import")
SUFFIX = ".gongjian-export"


class ExportCommandError(Exception):
    """A failure reported in one line (exit 1)."""


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare the three commands on the ``gongjian`` parser."""
    export = commands.add_parser(
        "export",
        help="write a tenant's whole log, its checkpoints and the public keys as one file",
    )
    export.add_argument("--tenant", required=True, help="the tenant to export")
    export.add_argument(
        "--person-keys",
        help="also write the tenant's person keys to this file (mode 0600, never "
        "overwritten), for an import elsewhere: as sensitive as the personal data",
    )
    export.add_argument(
        "--to", help=f"the file to write, never overwritten ('-': standard output; "
        f"default ./<tenant>{SUFFIX})"
    )  # fmt: skip
    verify = commands.add_parser(
        "verify-export",
        help="check an export offline (no database, no network); exit 0 verified, "
        "1 not verified, 2 not checked",
    )
    export_verifier.add_arguments(verify)
    imported = commands.add_parser(
        "import",
        help="import an export as a new tenant of this deployment (run as the tables' owner)",
    )
    imported.add_argument("file", help="the export file")
    imported.add_argument(
        "--person-keys",
        help="the person-keys file written with the export (without it, personal "
        "fields read as erased)",
    )
    imported.add_argument(
        "--keys",
        help="the keys the export's checkpoints must be signed by, as served at "
        "/.well-known/gongjian-keys (default: the keys the file lists)",
    )


def verify(args: argparse.Namespace) -> int:
    """``gongjian verify-export``: needs no database and no settings."""
    return export_verifier.report(args.file, args.keys, sys.stdout, args.workers)


def run(args: argparse.Namespace, platform: Platform) -> int:
    """``gongjian export`` or ``gongjian import`` on a migrated database."""
    try:
        if args.command == "export":
            exported = _export(platform, args.tenant, args.to)
            if args.person_keys:
                _export_person_keys(platform, args.tenant, args.person_keys)
            return exported
        return _import(platform, args.file, args.keys, args.person_keys)
    except (ImportRefused, PersonKeysRefused) as error:
        raise ExportCommandError(f"not imported: {error}") from None
    except NotAnExport as error:
        raise ExportCommandError(f"{args.file}: {error}") from None
    except OSError as error:
        raise ExportCommandError(f"{error.filename}: {error.strerror}") from None


def _export(platform: Platform, tenant_id: str, to: str | None) -> int:
    engine = platform.engine
    if not has_log(engine, tenant_id):
        raise ExportCommandError(f"no tenant {tenant_id}")
    if to is None and not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*", tenant_id):
        # A log's id need not be a file name (the registered ones are).
        raise ExportCommandError(f"name the file to write with --to: {tenant_id!r}")
    signing = keys.configured()
    prepared = prepare_export(engine, platform.pipeline.directory, tenant_id, signing)
    path = to or f"{tenant_id}{SUFFIX}"
    report = sys.stderr if path == "-" else sys.stdout
    if path == "-":
        if sys.stdout.isatty():
            raise ExportCommandError("an export is binary: name a file with --to")
        written, header = _write(prepared.pieces(engine), sys.stdout.buffer)
    else:
        try:
            # O_EXCL: an export is evidence; an earlier one is never replaced by accident.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise ExportCommandError(f"{path} exists: an export is never overwritten") from None
        try:
            with os.fdopen(fd, "wb") as out:
                written, header = _write(prepared.pieces(engine), out)
        except BaseException:
            os.unlink(path)
            raise
    newest = header.checkpoints[-1].size if header.checkpoints else 0
    print(
        f"exported {tenant_id}: {header.events} event(s), {len(header.checkpoints)} "
        f"checkpoint(s), {written} bytes to {'standard output' if path == '-' else path}",
        file=report,
    )
    if prepared.signed is not None:
        print(f"signed checkpoint {prepared.signed.size} for this export", file=report)
    if signing is None:
        print(f"no signing key ({keys.KEY_FILE_SETTING}): nothing new was signed", file=report)
    if prepared.not_signed is not None:
        print(f"not signed: {prepared.not_signed}: run 'gongjian verify'", file=report)
    if header.events > newest:
        print(
            f"{header.events - newest} event(s) after the newest checkpoint are not signed",
            file=report,
        )
    return 0


def _write(pieces: Iterator[bytes], out: BinaryIO) -> tuple[int, Header]:
    """Write the pieces; return the bytes written and the header (the first piece)."""
    header: Header | None = None
    written = 0
    for piece in pieces:
        if header is None:
            header = read_header(io.BytesIO(piece))
        out.write(piece)
        written += len(piece)
    if header is None:
        raise ExportCommandError("nothing was exported")
    return written, header


def _export_person_keys(platform: Platform, tenant_id: str, path: str) -> None:
    with platform.engine.connect() as conn:
        document = person_key_transfer.dump(conn, tenant_id)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ExportCommandError(f"{path} exists: it is never overwritten") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(document, out, ensure_ascii=False, indent=1)
    persons = document["persons"]
    readable = sum(1 for p in persons if p["key"] is not None)
    print(
        f"wrote {len(persons)} person(s)' keys of {tenant_id} to {path} ({readable} "
        "readable; forgotten and storage-only persons carry no key): keep it apart "
        "from the export and destroy it after the import"
    )


def _import(
    platform: Platform, path: str, keys_file: str | None, person_keys_file: str | None
) -> int:
    trusted = keys.read_published(keys_file) if keys_file else None
    persons = None
    if person_keys_file is not None:
        with open(path, "rb") as stream:
            tenant_id = read_header(stream).tenant_id
        with open(person_keys_file, encoding="utf-8") as keys_in:
            persons = person_key_transfer.parse(tenant_id, keys_in.read())
    stored = import_tenant(platform.engine, platform.pipeline.directory, path, trusted)
    if persons is not None:
        # Stored before the read models are projected, so that they read in full.
        with write_transaction(platform.engine) as conn:
            count = person_key_transfer.store(conn, stored.tenant_id, persons)
        print(f"stored {count} person(s)' keys of {stored.tenant_id}")
    applied = platform.projector.catch_up(stored.tenant_id)
    print(
        f"imported {stored.tenant_id}: {stored.events} event(s), {stored.checkpoints} "
        f"checkpoint(s), {stored.nodes} Merkle node(s); projected {applied} event(s)"
    )
    with open(path, "rb") as stream:
        signers = {c.key_id for c in read_header(stream).checkpoints}
    published = {key.kid for key in keys.trusted(keys.configured())}
    for kid in sorted(signers - published):
        # gongjian verify checks checkpoints under this deployment's published keys.
        print(
            f"checkpoints signed by key {kid}, which this deployment does not publish: list "
            f"it in {keys.PUBLIC_KEYS_SETTING} for 'gongjian verify' to accept them"
        )
    parked = platform.projector.parked(stored.tenant_id)
    for p in parked:
        print(f"parked: {p.tenant_id} at position {p.position}: {p.error}")
    return 1 if parked else 0
