"""What the command line shows while it works: a progress bar on a terminal, and
nothing extra when its output goes to a file or a pipe (scripts read stdout)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from rich.console import Console
from rich.progress import track

T = TypeVar("T")
console = Console(stderr=True)


def tracked(items: Sequence[T], description: str) -> Iterator[T]:
    """Yield ``items``, showing progress on stderr when it is a terminal."""
    yield from track(
        items,
        description=description,
        console=console,
        disable=not console.is_terminal,
        transient=True,
    )
