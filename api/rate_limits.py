"""Per-principal rate limits on commands and on GraphQL: off unless configured.

``GONGJIAN_RATE_LIMIT_COMMANDS`` and ``GONGJIAN_RATE_LIMIT_GRAPHQL`` take
``<requests>/<second|minute|hour>`` (for example ``120/minute``). Each user and
role gets a token bucket of that size, refilled evenly; a request over it answers
429 ``rate-limited`` with ``Retry-After`` (whole seconds). Buckets live in each
server process, so with ``--workers N`` a principal may get up to N times the rate.
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from dataclasses import dataclass, field

from api.problems import ApiProblem
from tenants.pipeline.identity import Principal

COMMANDS_SETTING = "GONGJIAN_RATE_LIMIT_COMMANDS"
GRAPHQL_SETTING = "GONGJIAN_RATE_LIMIT_GRAPHQL"
_PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}


@dataclass
class RateLimit:
    """A token bucket per principal: ``capacity`` requests per ``period`` seconds."""

    capacity: int
    period: float
    _buckets: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """Read ``<n>/<second|minute|hour>``."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(second|minute|hour)\s*", text)
        if match is None or int(match.group(1)) < 1:
            raise ValueError(f"a rate limit reads like 120/minute, not {text!r}")
        return cls(int(match.group(1)), _PERIODS[match.group(2)])

    def take(self, principal: Principal, now: float | None = None) -> None:
        """Spend one request of the principal's bucket, or raise 429."""
        now = time.monotonic() if now is None else now
        key = (principal.user_id, principal.role.value)
        rate = self.capacity / self.period
        with self._lock:
            tokens, then = self._buckets.get(key, (float(self.capacity), now))
            tokens = min(float(self.capacity), tokens + (now - then) * rate)
            if tokens < 1:
                wait = math.ceil((1 - tokens) / rate)
                self._buckets[key] = (tokens, now)
                raise ApiProblem(
                    429,
                    "rate-limited",
                    f"at most {self.capacity} requests per {self.period:g} s; retry in {wait} s",
                    headers={"Retry-After": str(wait)},
                )
            self._buckets[key] = (tokens - 1, now)


def configured(setting: str) -> RateLimit | None:
    """The limit a setting configures, or None (no limit)."""
    text = os.environ.get(setting, "").strip()
    return RateLimit.parse(text) if text else None
