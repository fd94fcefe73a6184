"""How hard we try: retry back-off, the retry horizon and the per-partner breaker.

Pure functions of numbers and times, so they are tested without a worker.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 30.0
    max_delay_seconds: float = 3600.0
    horizon: timedelta = timedelta(hours=24)
    lease_seconds: float = 120.0
    breaker_threshold: int = 5
    breaker_open_seconds: float = 60.0

    @classmethod
    def from_env(cls) -> RetryPolicy:
        e = os.environ
        return cls(
            base_seconds=float(e.get("FRONTOFFICE_DISPATCH_RETRY_BASE_SECONDS", "30")),
            max_delay_seconds=float(e.get("FRONTOFFICE_DISPATCH_RETRY_MAX_SECONDS", "3600")),
            horizon=timedelta(hours=float(e.get("FRONTOFFICE_DISPATCH_HORIZON_HOURS", "24"))),
            lease_seconds=float(e.get("FRONTOFFICE_DISPATCH_LEASE_SECONDS", "120")),
            breaker_threshold=int(e.get("FRONTOFFICE_DISPATCH_BREAKER_THRESHOLD", "5")),
            breaker_open_seconds=float(e.get("FRONTOFFICE_DISPATCH_BREAKER_SECONDS", "60")),
        )

    def delay(
        self, attempt: int, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float:
        """Exponential back-off with jitter: half fixed, half random, never below Retry-After."""
        ceiling = min(self.max_delay_seconds, self.base_seconds * 2 ** max(0, attempt - 1))
        jittered = ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
        return max(jittered, retry_after or 0.0)

    def next_attempt(
        self, *, created_at: datetime, now: datetime, attempt: int, retry_after: float | None = None
    ) -> datetime | None:
        """When to try again, or None when that would be past the horizon (dead-letter)."""
        when = now + timedelta(seconds=self.delay(attempt, retry_after))
        return when if when <= created_at + self.horizon else None
