"""Reads for the partner UI, narrowed by access.policy to the cases routed to the user's
partner and to what that partner may see of them."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import selectinload

from frontoffice import clock
from frontoffice.access.policy import partner_sees_event, partner_work_scope
from frontoffice.accounts.models import StaffUser
from frontoffice.cases.models import Case, CaseEvent, parse_reference
from frontoffice.cases.queries import events_newest_first, fits, status_and_service
from frontoffice.cases.status import CLOCK_STOPPED_STATUSES
from frontoffice.catalogue.models import Service
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.extensions import db
from frontoffice.partner_api.queries import dispatch_to

PAGE_SIZE = 25


@dataclass(frozen=True)
class Filters:
    status: str = "open"  # "open", "all" or a CaseStatus value
    service_id: int | None = None
    overdue: bool = False


@dataclass(frozen=True)
class QueuePage:
    cases: list[Case]
    dispatches: dict[int, Dispatch]  # case id -> my partner's copy
    total: int
    page: int
    pages: int


def late_to_acknowledge() -> ColumnElement[bool]:
    return and_(Case.ack_due_date < clock.today(), Case.acknowledged_at.is_(None))


def overdue() -> ColumnElement[bool]:
    return and_(
        Case.status.not_in(CLOCK_STOPPED_STATUSES),
        or_(Case.due_date < clock.today(), late_to_acknowledge()),
    )


def queue(user: StaffUser, filters: Filters, page: int = 1) -> QueuePage:
    """One page of the cases routed to the user's partner: late acknowledgements first, then
    soonest due (no due date last)."""
    conditions: list[ColumnElement[bool]] = [partner_work_scope(user)]
    conditions += status_and_service(filters.status, filters.service_id)
    if filters.overdue:
        conditions.append(overdue())
    total = db.session.scalar(select(func.count(Case.id)).where(*conditions)) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    cases = list(
        db.session.scalars(
            select(Case)
            .where(*conditions)
            .order_by(
                Case.acknowledged_at.is_not(None),
                Case.ack_due_date.is_(None),
                Case.ack_due_date,
                Case.due_date.is_(None),
                Case.due_date,
                Case.id,
            )
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
            .options(selectinload(Case.customer))
        )
    )
    return QueuePage(cases, _dispatches(user, cases), total, page, pages)


def _dispatches(user: StaffUser, cases: list[Case]) -> dict[int, Dispatch]:
    found: dict[int, Dispatch] = {}
    if cases and user.partner_id is not None:
        for dispatch in db.session.scalars(
            select(Dispatch)
            .where(
                Dispatch.case_id.in_([c.id for c in cases]),
                Dispatch.partner_id == user.partner_id,
                Dispatch.status != DispatchStatus.CANCELLED,
            )
            .order_by(Dispatch.id)
        ):
            found[dispatch.case_id] = dispatch
    return found


def services(user: StaffUser) -> list[Service]:
    """The services of the cases ever routed to the user's partner, for the queue's filter."""
    return list(
        db.session.scalars(
            select(Service)
            .where(Service.id.in_(select(Case.service_id).where(partner_work_scope(user))))
            .order_by(Service.name, Service.id)
        )
    )


def case(user: StaffUser, reference: str) -> Case | None:
    case_id = parse_reference(reference or "")
    if not fits(case_id):
        return None
    return db.session.scalar(
        select(Case)
        .where(Case.id == case_id, partner_work_scope(user))
        .options(selectinload(Case.customer))
    )


def my_dispatch(user: StaffUser, case: Case) -> Dispatch | None:
    return dispatch_to(case, user.partner_id) if user.partner_id is not None else None


def timeline(user: StaffUser, case: Case) -> list[CaseEvent]:
    """The case's events that the user's partner may see, newest first."""
    return [e for e in events_newest_first(case) if partner_sees_event(user, e.kind, e.details)]
