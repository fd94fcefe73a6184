"""Reads for life events: a receipt of who was told and how far each has gone, and the
supervisor's list of notifications that need chasing. Front-office staff only (policy)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload

from frontoffice import clock
from frontoffice.access.policy import customer_scope
from frontoffice.accounts.models import StaffUser
from frontoffice.cases.models import Case
from frontoffice.chasing.queries import ChaseSummary, summaries
from frontoffice.customers.models import Customer
from frontoffice.dispatch.models import Dispatch
from frontoffice.extensions import db
from frontoffice.life_events import status
from frontoffice.life_events.models import (
    MAX_EVENT_ID,
    LifeEvent,
    Notification,
    NotificationStatus,
)

UNACKNOWLEDGED = (
    NotificationStatus.PENDING,
    NotificationStatus.SENT,
    NotificationStatus.DELIVERED,
    NotificationStatus.FAILED,
)


@dataclass(frozen=True)
class Line:
    """One service told, as the informant and staff see it."""

    notification: Notification
    status: NotificationStatus
    partner_name: str
    reason: str  # why it was rejected, or withdrawn
    ack_due: date | None
    chasing: ChaseSummary | None = None  # reminders sent to the partner, escalation

    @property
    def overdue(self) -> bool:
        return (
            self.status in UNACKNOWLEDGED
            and self.ack_due is not None
            and (self.ack_due < clock.today())
        )

    @property
    def withdrawable(self) -> bool:
        return self.status in (
            NotificationStatus.PENDING,
            NotificationStatus.FAILED,
            NotificationStatus.NOT_ROUTED,
        )


@dataclass(frozen=True)
class Receipt:
    event: LifeEvent  # the report asked for
    first: LifeEvent  # the report that told the services (itself, unless a repeat)
    lines: list[Line]


def visible_event(user: StaffUser, event_id: int) -> LifeEvent | None:
    """The life event, if the user may see its customer's record."""
    if not 0 < event_id <= MAX_EVENT_ID:
        return None
    return db.session.scalar(
        select(LifeEvent)
        .join(Customer, Customer.id == LifeEvent.customer_id)
        .where(LifeEvent.id == event_id, customer_scope(user))
    )


def for_customer(customer_id: int) -> list[LifeEvent]:
    return list(
        db.session.scalars(
            select(LifeEvent)
            .where(LifeEvent.customer_id == customer_id)
            .order_by(LifeEvent.id.desc())
        )
    )


def lines(notifications: Sequence[Notification]) -> list[Line]:
    case_ids = [n.case_id for n in notifications if n.case_id is not None]
    by_case: dict[int, list[Dispatch]] = defaultdict(list)
    cases: dict[int, Case] = {}
    if case_ids:
        for d in db.session.scalars(
            select(Dispatch).where(Dispatch.case_id.in_(case_ids)).order_by(Dispatch.id)
        ):
            by_case[d.case_id].append(d)
        cases = {c.id: c for c in db.session.scalars(select(Case).where(Case.id.in_(case_ids)))}
    chasing = summaries(case_ids)
    result = []
    for n in notifications:
        case = cases.get(n.case_id) if n.case_id is not None else None
        dispatches = by_case.get(n.case_id, []) if n.case_id is not None else []
        state = status.status_of(n, case, dispatches)
        reason = (
            status.rejection_reason(dispatches)
            if state is NotificationStatus.REJECTED
            else n.withdrawn_reason
        )
        partner = case.owning_partner.name if case is not None else ""
        result.append(
            Line(
                n,
                state,
                partner,
                reason,
                case.ack_due_date if case else None,
                chasing.get(n.case_id) if n.case_id is not None else None,
            )
        )
    return result


def receipt(event: LifeEvent) -> Receipt:
    first = event.duplicate_of or event
    return Receipt(event, first, lines(first.notifications))


def needing_attention(limit: int = 200) -> list[Line]:
    """Notifications not acknowledged by their target day, and those a partner rejected,
    oldest first: what a supervisor chases."""
    today = clock.today()
    rejected = exists(
        select(Dispatch.id).where(
            Dispatch.case_id == Notification.case_id, Dispatch.partner_status == status.REJECTED
        )
    )
    candidates = db.session.scalars(
        select(Notification)
        .join(Case, Case.id == Notification.case_id)
        .where(
            Notification.withdrawn_at.is_(None),
            or_(
                Case.acknowledged_at.is_(None) & (Case.ack_due_date < today),
                rejected,
            ),
        )
        .options(selectinload(Notification.life_event))
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    return [
        line
        for line in lines(candidates)
        if line.status is NotificationStatus.REJECTED or line.overdue
    ]
