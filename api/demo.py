"""The demo data set: placeholder until the full year is written."""

from __future__ import annotations

from api.platform import Platform


def load_demo(platform: Platform) -> str:
    """Load the demo data set and describe what was loaded."""
    return "no demo data yet"
