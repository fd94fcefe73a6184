"""How often and how long overdue acknowledgements are chased, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

from frontoffice.working_days import add_working_days


@dataclass(frozen=True)
class ChasePolicy:
    interval_working_days: int = 2  # between one chase and the next (and escalation)
    max_chases: int = 3  # then escalate to supervisors

    @classmethod
    def from_env(cls) -> ChasePolicy:
        e = os.environ
        return cls(
            interval_working_days=max(0, int(e.get("FRONTOFFICE_CHASE_INTERVAL_DAYS", "2"))),
            max_chases=max(1, int(e.get("FRONTOFFICE_CHASE_MAX", "3"))),
        )

    def next_due(self, last_chased: date) -> date:
        return add_working_days(last_chased, self.interval_working_days)
