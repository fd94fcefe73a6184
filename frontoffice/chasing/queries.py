"""Reads for chasing: a summary per case (for the life-event receipt and the supervisors'
queues), the overdue list, and one case's chases. Scoped by policy where a user reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from frontoffice.access.policy import case_scope
from frontoffice.accounts.models import StaffUser
from frontoffice.cases.models import Case
from frontoffice.chasing.models import Chase, ChaseEnd, ChaseEndKind, ChaseStatus
from frontoffice.chasing.selection import waiting_for_acknowledgement
from frontoffice.extensions import db


@dataclass(frozen=True)
class ChaseSummary:
    chases: int
    last_chased_at: datetime | None
    end: ChaseEndKind | None = None
    end_reason: str = ""
    failed: bool = False  # a reminder could not be sent

    @property
    def escalated(self) -> bool:
        return self.end is ChaseEndKind.ESCALATED

    @property
    def stopped(self) -> bool:
        return self.end is ChaseEndKind.STOPPED


def summaries(case_ids: Iterable[int]) -> dict[int, ChaseSummary]:
    """case id -> its chasing, for those of the cases chased or ended."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    counts = {
        case_id: (chases, last, bool(failed))
        for case_id, chases, last, failed in db.session.execute(
            select(
                Chase.case_id,
                func.max(Chase.number),
                func.max(Chase.created_at),
                func.max(sql_case((Chase.status == ChaseStatus.FAILED, 1), else_=0)),
            )
            .where(Chase.case_id.in_(ids))
            .group_by(Chase.case_id)
        )
    }
    ends = {
        e.case_id: e for e in db.session.scalars(select(ChaseEnd).where(ChaseEnd.case_id.in_(ids)))
    }
    found = {}
    for case_id in set(counts) | set(ends):
        chases, last, failed = counts.get(case_id, (0, None, False))
        end = ends.get(case_id)
        found[case_id] = ChaseSummary(
            chases or 0,
            last,
            end.kind if end else None,
            end.reason if end else "",
            failed,
        )
    return found


@dataclass(frozen=True)
class OverdueCase:
    case: Case
    chasing: ChaseSummary


def overdue(user: StaffUser, today: date, *, limit: int = 200) -> list[OverdueCase]:
    """Cases whose acknowledgement is overdue: escalated first, then the longest overdue."""
    ended = select(ChaseEnd.case_id, ChaseEnd.kind).subquery()
    escalated_first = sql_case((ended.c.kind == ChaseEndKind.ESCALATED.value, 0), else_=1)
    cases = db.session.scalars(
        select(Case)
        .outerjoin(ended, ended.c.case_id == Case.id)
        .where(waiting_for_acknowledgement(today), case_scope(user))
        .options(joinedload(Case.customer))
        .order_by(escalated_first, Case.ack_due_date, Case.id)
        .limit(limit)
    ).all()
    found = summaries(c.id for c in cases)
    return [OverdueCase(c, found.get(c.id, ChaseSummary(0, None))) for c in cases]


def chases_of(case_id: int) -> list[Chase]:
    return list(
        db.session.scalars(
            select(Chase).where(Chase.case_id == case_id).order_by(Chase.number, Chase.id)
        )
    )


def visible_case(user: StaffUser, case_id: int) -> Case | None:
    return db.session.scalar(select(Case).where(Case.id == case_id, case_scope(user)))
