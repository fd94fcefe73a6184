"""Which cases to chase now: the rules, as one query plus the working-day arithmetic that SQL
cannot do.

A case is chased when it is open and not resolved, was delivered to a partner (a delivery that
has not been withdrawn), has not been acknowledged, its acknowledgement day has passed, and
chasing has not ended (escalated or stopped). The first chase is the day after the
acknowledgement day; each next one `interval` working days after the last. When the case has
been chased the most times allowed and the interval has passed again, it is escalated instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, func, or_, select

from frontoffice.cases.models import Case
from frontoffice.cases.status import OPEN_STATUSES
from frontoffice.chasing.models import Chase, ChaseEnd
from frontoffice.chasing.policy import ChasePolicy
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.extensions import db

CHASEABLE = frozenset(s for s in OPEN_STATUSES if not s.stops_the_clock)
BATCH = 200


@dataclass(frozen=True)
class Due:
    case_id: int
    chases: int  # how many times it has been chased so far
    last_chased: date | None
    escalate: bool  # chased enough: escalate rather than chase again


def delivered(case_id_column=Case.id):
    return exists(
        select(Dispatch.id).where(
            Dispatch.case_id == case_id_column, Dispatch.status == DispatchStatus.DELIVERED
        )
    )


def waiting_for_acknowledgement(today: date):
    """Overdue and chaseable, whether or not chasing has ended."""
    return (
        Case.acknowledged_at.is_(None)
        & (Case.ack_due_date < today)
        & Case.status.in_(CHASEABLE)
        & delivered()
    )


def chase_counts():
    """case id, chases so far, when last chased: one row per case ever chased."""
    return (
        select(
            Chase.case_id.label("case_id"),
            func.max(Chase.number).label("chases"),
            func.max(Chase.created_at).label("last"),
        )
        .group_by(Chase.case_id)
        .subquery()
    )


def due(today: date, policy: ChasePolicy, *, limit: int | None = None) -> list[Due]:
    counts = chase_counts()
    # A necessary condition in SQL (n working days are at least n calendar days), so a
    # backlog of cases chased yesterday cannot crowd out those due today; exact check below.
    cutoff = datetime.combine(
        today - timedelta(days=policy.interval_working_days - 1), time.min, UTC
    )
    rows = db.session.execute(
        select(Case.id, counts.c.chases, counts.c.last)
        .outerjoin(counts, counts.c.case_id == Case.id)
        .where(
            waiting_for_acknowledgement(today),
            ~exists(select(ChaseEnd.id).where(ChaseEnd.case_id == Case.id)),
            or_(counts.c.last.is_(None), counts.c.last < cutoff),
        )
        .order_by(Case.ack_due_date, Case.id)
        .limit(limit or BATCH)
    ).all()
    found = []
    for case_id, chases, last in rows:
        last_day = _utc_date(last) if last is not None else None
        if last_day is not None and policy.next_due(last_day) > today:
            continue
        chases = chases or 0
        found.append(Due(case_id, chases, last_day, escalate=chases >= policy.max_chases))
    return found


def _utc_date(value: datetime) -> date:
    if value.tzinfo is None:
        return value.date()
    return value.astimezone(UTC).date()
