"""Folding fresh tenants in worker processes: a rebuild on several cores.

One process folds at most one core's worth: decoding events and running the
handlers is Python work. ``Projector.catch_up_all(workers=N)`` hands the
tenants to N forked processes, a group at a time (about a chunk of events), so
that they stay equally busy. Forked, each starts with the projector as it is
(its mapper and handlers) and opens connections of its own; each group is
folded and written as in one process, tracking claims and all, so no tenant is
ever written twice. Forking is only safe in a process with no other threads:
elsewhere (or where fork does not exist) the tenants are folded in-process.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from projections.runner import Projector

_adopted: Projector | None = None  # the projector a worker inherited
_inherited: list[object] = []  # the parent's connection pool, kept, never used


def can_fork() -> bool:
    """Whether worker processes may be forked from this one."""
    forkable = "fork" in multiprocessing.get_all_start_methods()
    return forkable and threading.active_count() == 1


def groups(tenants: list[tuple[str, int]], events: int) -> list[list[str]]:
    """Tenants (with their event counts) in groups of about ``events`` events,
    the largest tenants first so that the last groups even out the workers."""
    ordered = sorted(tenants, key=lambda tenant: -tenant[1])
    result: list[list[str]] = []
    group: list[str] = []
    size = 0
    for tenant, count in ordered:
        group.append(tenant)
        size += count
        if size >= events:
            result.append(group)
            group, size = [], 0
    if group:
        result.append(group)
    return result


def fold_in_workers(
    projector: Projector, tenants: list[tuple[str, int]], workers: int
) -> tuple[int, list[str]]:
    """Fold the tenants (each with its event count) in ``workers`` processes;
    return how many events were applied and the tenants left to the per-event
    path."""
    context = multiprocessing.get_context("fork")
    work = groups(tenants, projector.fold_chunk)
    # Fork-inherited, the projector is not pickled: only tenant ids and counts travel.
    pool = context.Pool(min(workers, len(work)), _adopt, (projector,))
    try:
        results = pool.map(_fold, work, chunksize=1)
        pool.close()  # the workers end, closing their connections
        pool.join()
    finally:
        pool.terminate()
    applied = sum(count for count, _ in results)
    projector.folded += applied
    return applied, [tenant for _, left in results for tenant in left]


def _adopt(projector: Projector) -> None:
    global _adopted
    # The parent's pooled connections are the parent's: open new ones. Its pool
    # stays referenced, so that no connection of it is finalized in this process.
    _inherited.append(projector.engine.pool)
    projector.engine.dispose(close=False)
    multiprocessing.util.Finalize(projector, projector.engine.dispose, exitpriority=1)
    _adopted = projector


def _fold(tenants: list[str]) -> tuple[int, list[str]]:
    assert _adopted is not None, "a worker adopts its projector when it starts"
    return _adopted.fold_tenants(tenants)
