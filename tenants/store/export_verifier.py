"""Check a tenant export with nothing but the file (and, to trust its signer, the
platform's published keys): no database, no network.

One pass over the records, as ``gongjian verify`` makes over a log: each event's
canonical bytes must be the tenant's, at its position, and feed both the chain hash
(which must equal the record's stored hash) and the Merkle tree, kept as its frontier;
at each checkpoint's size the chain hash must equal the signed head hash and the root
the signed root, and the signature must hold. The newest checkpoint must not be
beyond the last record, and the header's event count and head hash must match the
records. Consecutive checkpoints are consistent by construction: their roots are
recomputed from one sequence of events.

The trust rule: the keys inside a file prove nothing on their own (whoever forged
the file could list their own key). Without trusted keys, signatures are checked
under the keys the file lists, which shows the file is whole and self-consistent;
with ``--keys`` (the document served at ``/.well-known/gongjian-keys``, fetched
independently) every checkpoint must be signed by one of those keys.

    python -m tenants.store.export_verifier FILE [--keys KEYS.json]

Exit status: 0 verified, 1 not verified (the first failure is named), 2 not checked
(unreadable, not an export, or a bad keys file). Only the standard library and
``cryptography`` are imported.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from tenants.store import log_pass
from tenants.store.export_file import (
    CHUNK,
    LENGTH,
    RECORD_PREFIX,
    Header,
    HeaderProblem,
    NotAnExport,
    TruncatedRecord,
    event_problem,
    read_header,
    records,
    tenant_prefix,
)
from tenants.store.keys import PublicKey, SigningKeyError, read_published
from tenants.store.log_pass import WHOLE, Finding, Run, bounds, checkpoint_finding, join

GENESIS = b"\x00" * 32  # the chain's start, as tenants.store.chain defines it
VERIFIED, NOT_VERIFIED, NOT_CHECKED = 0, 1, 2


@dataclass(frozen=True)
class ExportBreak:
    """The first failure: at a position (None: in the header) and why."""

    position: int | None
    problem: str

    def __str__(self) -> str:
        where = "header" if self.position is None else f"position {self.position}"
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class ExportAudit:
    """What checking an export found."""

    tenant_id: str | None  # None: the header could not be read
    broken: ExportBreak | None
    events: int  # records verified in order from position 1
    checkpoints: int
    unsigned: int  # records after the newest checkpoint
    trusted_keys: bool  # signatures checked under keys given, not the file's own
    signers: list[str] = field(default_factory=list)  # key ids of the checkpoints


def verify_export(
    path: str, trusted: Sequence[PublicKey] | None = None, workers: int = 1
) -> ExportAudit:
    """Check the export at ``path``; signatures under ``trusted`` if given, else under
    the keys the file lists; a long file in runs by ``workers`` processes (where this
    process may fork). NotAnExport (or OSError) when it cannot be read at all."""
    with open(path, "rb") as stream:
        try:
            header = read_header(stream)
        except HeaderProblem as error:
            return ExportAudit(None, ExportBreak(None, str(error)), 0, 0, 0, trusted is not None)
        start = stream.tell()
    task = _Task(path, header, list(trusted) if trusted is not None else header.keys)
    planned = bounds(header.events, workers if _can_fork() else 1)
    runs = _in_runs(task, start, planned, workers) if len(planned) > 1 else None
    level = log_pass.RUN_LEVEL
    if runs is None:
        runs, level = [task.walk((start, 1, GENESIS, None, WHOLE))], WHOLE
    broken, _ = join(runs, level, {c.size: c.root for c in header.checkpoints})
    last = next((r for r in runs if r.broken is not None), runs[-1])
    found = broken or _ending(header, last)
    newest = header.checkpoints[-1].size if header.checkpoints else 0
    return ExportAudit(
        header.tenant_id,
        None if found is None else ExportBreak(found.position, found.problem),
        last.last,
        len(header.checkpoints),
        0 if found else last.last - newest,
        trusted is not None,
        sorted({c.key_id for c in header.checkpoints}),
    )


def _ending(header: Header, run: Run) -> Finding | None:
    """What is wrong with where the records end, after they all verified."""
    position = run.last
    beyond = [c.size for c in header.checkpoints if c.size > position]
    if beyond:
        return Finding(position + 1, f"log shorter than its checkpoint at {min(beyond)}")
    if position != header.events:
        return Finding(
            position + 1, f"the file ends after {position} of its {header.events} events"
        )
    if run.chain != header.head_hash:
        return Finding(position, "head hash mismatch")
    return None


# Where each run starts: its first record's offset and position, the chain hash before
# it, how many records it holds (None: to the end of the file), and its level.
Start = tuple[int, int, bytes, int | None, int]


@dataclass(frozen=True)
class _Task:
    """What walking a run of an export needs (sent to worker processes)."""

    path: str
    header: Header
    keys: Sequence[PublicKey]

    def walk(self, start: Start) -> Run:
        """Walk one run of records: each the tenant's, at its position, its chain hash
        as stored, the frontier below ``level``, and each checkpoint's signature and
        head hash (its root is checked when the runs are joined)."""
        offset, first, chain, count, level = start
        header, sha256 = self.header, hashlib.sha256
        prefix, events = tenant_prefix(header.tenant_id), header.events
        signed = {c.size: c for c in header.checkpoints}
        run = Run(first, first - 1, chain)
        frontier, blocks = run.frontier, run.blocks
        position = first - 1
        last = events if count is None else first - 1 + count
        with open(self.path, "rb") as stream:
            stream.seek(offset)
            try:
                for stored, data in records(stream):
                    position += 1
                    if position > last:
                        if count is None:
                            message = f"a record after the {events} events listed"
                            run.broken = Finding(position, message)
                        return run
                    problem = event_problem(data, prefix, position)
                    if problem is None:
                        chain = sha256(chain + data).digest()
                        if chain != stored:
                            problem = "hash mismatch"
                    if problem is not None:
                        run.broken = Finding(position, problem)
                        return run
                    run.last, run.chain = position, chain
                    value = sha256(b"\x00" + data).digest()
                    height, rest = 0, position
                    while not rest & 1 and height < level:
                        value = sha256(b"\x01" + frontier.pop() + value).digest()
                        height += 1
                        rest >>= 1
                    if height == level:
                        blocks.append(value)
                    else:
                        frontier.append(value)
                    if position in signed:
                        finding = checkpoint_finding(signed[position], self.keys, chain)
                        if finding is not None:
                            run.broken = finding
                            return run
                        run.at[position] = list(frontier)
            except TruncatedRecord:
                run.broken = Finding(position + 1, "the file ends inside this event's record")
        return run


def _can_fork() -> bool:
    forkable = "fork" in multiprocessing.get_all_start_methods()
    return forkable and threading.active_count() == 1


def _in_runs(
    task: _Task, start: int, planned: list[tuple[int, int]], workers: int
) -> list[Run] | None:
    """Walk the runs in worker processes, each handed out as soon as this process has
    found where it starts (a walk over the record lengths alone); None when the file
    ends before a run would start (one pass then names where and why)."""
    level = log_pass.RUN_LEVEL
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        started = []
        for n, (offset, first, before) in enumerate(_starts(task.path, start, planned)):
            if offset is None or before is None:
                return None
            count = None if n == len(planned) - 1 else planned[n][1] - first + 1
            started.append(pool.apply_async(task.walk, ((offset, first, before, count, level),)))
        runs = [result.get() for result in started]
    for run, (_, last) in zip(runs[:-1], planned, strict=False):
        if run.broken is None and run.last < last:
            run.broken = Finding(run.last + 1, "the file changed while it was read")
    return runs


def _starts(
    path: str, start: int, planned: list[tuple[int, int]]
) -> Iterator[tuple[int | None, int, bytes | None]]:
    """For each planned run: the offset of its first record (None: not in the file),
    its first position, and the stored chain hash of the record before it."""
    yield start, 1, GENESIS
    unpack, prefix = LENGTH.unpack_from, RECORD_PREFIX
    position, offset = 0, start
    with open(path, "rb") as stream:
        buffer, base = b"", start  # the file's bytes from offset ``base``
        for first, _ in planned[1:]:
            while position < first - 1:
                at = offset - base
                if at + prefix > len(buffer):
                    stream.seek(offset)
                    buffer, base = stream.read(CHUNK), offset
                    if len(buffer) < prefix:
                        yield None, first, None
                        return
                    continue
                (length,) = unpack(buffer, at)
                position += 1
                if position == first - 1:
                    before = buffer[at + LENGTH.size : at + prefix]
                offset += prefix + length
            yield offset, first, before


def report(path: str, keys_file: str | None, out: TextIO, workers: int = 1) -> int:
    """Check the export and print what was found; return the exit status."""
    try:
        trusted = read_published(keys_file) if keys_file is not None else None
        audit = verify_export(path, trusted, workers)
    except SigningKeyError as error:
        print(f"not checked: {error}", file=out)
        return NOT_CHECKED
    except NotAnExport as error:
        print(f"not checked: {path}: {error}", file=out)
        return NOT_CHECKED
    except OSError as error:
        print(f"not checked: cannot read {path}: {error.strerror}", file=out)
        return NOT_CHECKED
    name = audit.tenant_id or path
    if audit.broken is not None:
        print(f"FAIL {name}: {audit.broken}", file=out)
        return NOT_VERIFIED
    print(
        f"ok   {name}: {audit.events} event(s), {audit.checkpoints} checkpoint(s), "
        f"{audit.unsigned} not covered by a checkpoint",
        file=out,
    )
    signers = ", ".join(audit.signers) or "none"
    if audit.trusted_keys:
        print(f"signed by key(s) {signers}, each one of the keys given", file=out)
    else:
        # A forger lists their own key: the file's keys show only that it is whole.
        print(
            f"signed by key(s) {signers}, checked under the keys the file lists: compare "
            "them with the platform's published keys, or pass --keys",
            file=out,
        )
    if audit.unsigned:
        print(
            f"{audit.unsigned} event(s) after the newest checkpoint are not signed: "
            "nothing shows they were not forged",
            file=out,
        )
    return VERIFIED


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m tenants.store.export_verifier``."""
    found = argparse.ArgumentParser(
        prog="python -m tenants.store.export_verifier",
        description="Check a gongjian tenant export offline (docs/export-format.md).",
    )
    add_arguments(found)
    return found


def add_arguments(command: argparse.ArgumentParser) -> None:
    """The arguments of verify-export (here and under ``gongjian``)."""
    command.add_argument("file", help="the export file")
    command.add_argument(
        "--keys",
        help="the trusted public keys, as served at /.well-known/gongjian-keys; without "
        "it signatures are checked under the keys the file itself lists",
    )
    command.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes that check a long file at once (default: one per CPU)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m tenants.store.export_verifier``."""
    args = parser().parse_args(argv)
    return report(args.file, args.keys, sys.stdout, args.workers)


if __name__ == "__main__":
    sys.exit(main())
