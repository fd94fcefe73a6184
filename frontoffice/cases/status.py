"""The life of a case: which statuses exist and which changes are allowed."""

from __future__ import annotations

import enum


class CaseStatus(enum.StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    WAITING_ON_PARTNER = "waiting_on_partner"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_open(self) -> bool:
        return self not in (CaseStatus.CLOSED, CaseStatus.CANCELLED)

    @property
    def stops_the_clock(self) -> bool:
        """Resolved, closed or cancelled: nobody is working it, so it cannot be overdue."""
        return self in (CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.CANCELLED)


ALLOWED_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.NEW: frozenset(
        {
            CaseStatus.IN_PROGRESS,
            CaseStatus.WAITING_ON_CUSTOMER,
            CaseStatus.WAITING_ON_PARTNER,
            CaseStatus.RESOLVED,
            CaseStatus.CANCELLED,
        }
    ),
    CaseStatus.IN_PROGRESS: frozenset(
        {
            CaseStatus.WAITING_ON_CUSTOMER,
            CaseStatus.WAITING_ON_PARTNER,
            CaseStatus.RESOLVED,
            CaseStatus.CANCELLED,
        }
    ),
    CaseStatus.WAITING_ON_CUSTOMER: frozenset(
        {CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.CANCELLED}
    ),
    CaseStatus.WAITING_ON_PARTNER: frozenset(
        {CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.CANCELLED}
    ),
    CaseStatus.RESOLVED: frozenset({CaseStatus.CLOSED, CaseStatus.IN_PROGRESS}),
    CaseStatus.CLOSED: frozenset(),
    CaseStatus.CANCELLED: frozenset(),
}

OPEN_STATUSES = frozenset(s for s in CaseStatus if s.is_open)
CLOCK_STOPPED_STATUSES = frozenset(s for s in CaseStatus if s.stops_the_clock)


class IllegalTransition(ValueError):
    def __init__(self, current: CaseStatus, wanted: CaseStatus) -> None:
        super().__init__(
            f"A case that is {current.label.lower()} cannot become {wanted.label.lower()}"
        )
        self.current = current
        self.wanted = wanted


def check_transition(current: CaseStatus, wanted: CaseStatus) -> None:
    if wanted not in ALLOWED_TRANSITIONS[current]:
        raise IllegalTransition(current, wanted)
