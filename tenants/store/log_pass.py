"""A tenant's log verified in runs (consecutive stretches of positions), one run per
worker process, and the runs joined into the verdict one pass would give.

A run recomputes the chain from the stored hash of the event before it (the run
before checks that hash), and the Merkle tree within it. Runs start at multiples of
2**level events, so every perfect subtree of at most 2**level leaves lies inside one
run: a run keeps its tree as a frontier of subtrees below that level and hands on the
roots of its complete blocks of 2**level leaves. Joining merges the block roots in
order (the subtrees above the level), and gives each checkpoint its root from the
blocks before it and the frontier its run recorded at its size. One run over the whole
log (``WHOLE``) is the plain single pass: it never completes a block.

Only the standard library is imported here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from tenants.store.keys import PublicKey
from tenants.store.signed_checkpoint import Checkpoint

WHOLE = 62  # a level no log reaches: one run, no blocks
RUN_LEVEL = 16  # runs verified apart start at multiples of 2**16 events
RUNS_PER_WORKER = 4  # smaller runs even out the workers


@dataclass(frozen=True)
class Finding:
    """A failure at a position."""

    position: int
    problem: str


def checkpoint_finding(
    checkpoint: Checkpoint, keys: Sequence[PublicKey], chain: bytes
) -> Finding | None:
    """What is wrong with a checkpoint reached at its size with the chain hash
    ``chain``: its signature under ``keys``, or its signed head hash (None: nothing;
    the root is checked when runs are joined)."""
    problem = checkpoint.signature_problem(keys)
    if problem is None and checkpoint.head_hash != chain:
        problem = f"the chain hash at {checkpoint.size} is not the signed head hash"
    return (
        None
        if problem is None
        else Finding(checkpoint.size, f"checkpoint {checkpoint.size}: {problem}")
    )


@dataclass
class Run:
    """What a pass over the positions ``first``.. found."""

    first: int
    last: int  # the last position verified in order (first - 1: none)
    chain: bytes  # the chain hash at ``last``
    broken: Finding | None = None  # the first failure of the chain or a checkpoint
    node_broken: Finding | None = None  # the first stored node unlike the events
    blocks: list[bytes] = field(default_factory=list)  # complete blocks' roots, in order
    frontier: list[bytes] = field(default_factory=list)  # subtrees below the level, at last
    at: dict[int, list[bytes]] = field(default_factory=dict)  # checkpoint size -> frontier


def bounds(size: int, workers: int) -> list[tuple[int, int]]:
    """The runs (first, last) that split positions 1..size among ``workers``, each
    starting at a multiple of 2**RUN_LEVEL: one run when there is one worker, or too
    little to split."""
    block = 1 << RUN_LEVEL
    if workers <= 1 or size <= block:
        return [(1, max(size, 0))]
    per_run = -(-size // (workers * RUNS_PER_WORKER))  # ceiling
    span = max(block, -(-per_run // block) * block)
    return [(first, min(first + span - 1, size)) for first in range(1, size + 1, span)]


def fold(frontier: list[bytes]) -> bytes:
    """The root of a tree given as its frontier (largest subtree first)."""
    root = frontier[-1]
    for value in reversed(frontier[:-1]):
        root = hashlib.sha256(b"\x01" + value + root).digest()
    return root


def join(
    runs: Iterable[Run],
    level: int,
    roots: dict[int, bytes],
    check_node: Callable[[int, int, bytes], str | None] | None = None,
) -> tuple[Finding | None, Finding | None]:
    """Join consecutive runs: the first failure of a run or of a checkpoint's root
    (``roots``: size -> signed root), and the first stored node unlike the events
    (``check_node(level, index, hash)`` names the problem with a stored node above
    ``level``, if any). Runs after a broken one are not looked at."""
    sha256 = hashlib.sha256
    found: list[Finding] = []
    nodes: list[Finding] = []
    above: list[bytes] = []  # the frontier of complete blocks, largest first
    blocks = 0
    high_node: Finding | None = None

    def add(value: bytes) -> None:
        nonlocal blocks, high_node
        blocks += 1
        height, rest = level, blocks
        while not rest & 1:
            value = sha256(b"\x01" + above.pop() + value).digest()
            height += 1
            rest >>= 1
            if check_node is not None and high_node is None:
                problem = check_node(height, (blocks >> (height - level)) - 1, value)
                if problem is not None:
                    high_node = Finding(blocks << level, problem)
        above.append(value)

    for run in runs:
        if run.node_broken is not None:
            nodes.append(run.node_broken)
        pending = iter(run.blocks)
        for size in sorted(run.at):
            while blocks < size >> level:
                add(next(pending))
            if fold(above + run.at[size]) != roots[size]:
                problem = f"the Merkle root of positions 1..{size} is not the signed root"
                found.append(Finding(size, f"checkpoint {size}: {problem}"))
        if run.broken is not None:
            found.append(run.broken)
            break
        for value in pending:
            add(value)
    if high_node is not None:
        nodes.append(high_node)
    first = min(found, key=lambda f: f.position) if found else None
    return first, min(nodes, key=lambda f: f.position) if nodes else None
