"""The operator's erasure commands: ``gongjian forget`` and ``gongjian restrict``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from api.platform import Platform
from domain.personal_data import ERASED, PERSON_ID_FORMS, RESTRICTED
from projections.erasure import Erasure, ErasureRefused, forget, restrict
from tenants.store.database import is_sqlite

COMMANDS = ("forget", "restrict")


def add_commands(commands: Any) -> None:
    """Add ``forget`` and ``restrict`` to the command line's subcommands."""
    forget_cmd = commands.add_parser(
        "forget",
        help="erase a person's personal data in a tenant (destroys their key; writes nothing "
        "to the log; every chain, checkpoint and proof still verifies)",
    )
    restrict_cmd = commands.add_parser(
        "restrict",
        help="mark a person's data storage only (PIPL art. 47 para. 2): kept, shown to no one; "
        "never lifted, only ended by 'forget'",
    )
    for command in (forget_cmd, restrict_cmd):
        command.add_argument("--tenant", required=True, help="the tenant the person belongs to")
        command.add_argument("--person", required=True, help=f"the person's id: {PERSON_ID_FORMS}")
    forget_cmd.add_argument("--reason", help="why (kept with the erased key's row)")
    restrict_cmd.add_argument(
        "--reason", required=True, help="the law or retention period that forbids deletion"
    )


def run(platform: Platform, args: argparse.Namespace) -> int:
    """Forget or restrict the person; print what was done, one line each."""
    try:
        if args.command == "forget":
            done = forget(platform.projector, args.tenant, args.person, args.reason)
        else:
            done = restrict(platform.projector, args.tenant, args.person, args.reason)
    except ErasureRefused as error:
        print(f"gongjian: error: {error}", file=sys.stderr)
        return 1
    print(_summary(done))
    if done.action == "forgotten" and not done.already and not done.purged:
        # The destroyed key's bytes stay in an old row version (or the WAL) until then.
        print(
            "the old key row is not purged yet: "
            + (
                "run 'PRAGMA wal_checkpoint(TRUNCATE)' when no one reads the database"
                if is_sqlite(platform.engine)
                else "run 'VACUUM FULL es_person_keys' as the tables' owner"
            )
        )
    return 0


def _summary(done: Erasure) -> str:
    where = f"{done.person_id} in {done.tenant_id}"
    if done.already:
        state = "forgotten" if done.action == "forgotten" else "restricted or forgotten"
        return f"{where} was already {state}: nothing changed"
    marker = ERASED if done.action == "forgotten" else RESTRICTED
    return (
        f"{done.action} {where}: {done.fields} field(s) in {done.events} event(s) now read "
        f"as {marker}; read models replayed from {done.replayed} event(s)"
    )
