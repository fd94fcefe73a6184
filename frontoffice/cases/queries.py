"""Reads for cases, always narrowed to what the user may see (access.policy)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import selectinload

from frontoffice import clock
from frontoffice.access.policy import (
    case_scope,
    customer_scope,
    sees_contacts,
    sees_everything,
    staff_scope_for_assignment,
)
from frontoffice.accounts.models import Role, StaffUser
from frontoffice.cases.models import Case, CaseEvent, CaseEventKind
from frontoffice.cases.status import CLOCK_STOPPED_STATUSES, OPEN_STATUSES, CaseStatus
from frontoffice.catalogue.models import Service
from frontoffice.customers.models import Customer
from frontoffice.extensions import db
from frontoffice.partners.models import Partner

PAGE_SIZE = 50
MAX_ID = 2**31 - 1  # ids beyond a PostgreSQL integer cannot exist; asking would be an error
Tab = Literal["mine", "team", "all"]
TABS: dict[str, str] = {"mine": "My cases", "team": "My team’s", "all": "All I can see"}


def fits(record_id: int | None) -> bool:
    return record_id is not None and 0 < record_id <= MAX_ID


def visible_customer(user: StaffUser, customer_id: int) -> Customer | None:
    if not fits(customer_id):
        return None
    return db.session.scalar(
        select(Customer).where(Customer.id == customer_id, customer_scope(user))
    )


def visible_case(user: StaffUser, case_id: int) -> Case | None:
    if not fits(case_id):
        return None
    return db.session.scalar(
        select(Case)
        .where(Case.id == case_id, case_scope(user))
        .options(selectinload(Case.customer), selectinload(Case.assigned_to))
    )


DELIVERY_EVENTS = (
    CaseEventKind.DISPATCHED,
    CaseEventKind.DISPATCH_FAILED,
    CaseEventKind.PARTNER_UPDATE,
)


def events_newest_first(case: Case) -> list[CaseEvent]:
    """Every event of the case, unfiltered: callers narrow it to what their user may see."""
    return list(
        db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id)
            .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
            .options(selectinload(CaseEvent.actor))
        )
    )


def timeline(user: StaffUser, case: Case) -> list[CaseEvent]:
    """The case's events, newest first; a partner user sees only its own partner's deliveries."""
    events = events_newest_first(case)
    if sees_everything(user):
        return events
    return [
        e
        for e in events
        if e.kind not in DELIVERY_EVENTS or (e.details or {}).get("partner_id") == user.partner_id
    ]


def linked_contacts(user: StaffUser, case: Case) -> list:
    """Contacts are the front office's own notes: partner users never see them."""
    from frontoffice.contacts.models import Contact, contact_case

    if not sees_contacts(user):
        return []
    return list(
        db.session.scalars(
            select(Contact)
            .join(contact_case, contact_case.c.contact_id == Contact.id)
            .where(contact_case.c.case_id == case.id)
            .order_by(Contact.started_at.desc(), Contact.id.desc())
            .options(selectinload(Contact.adviser))
        )
    )


def active_services() -> list[Service]:
    return list(
        db.session.scalars(
            select(Service).where(Service.active.is_(True)).order_by(Service.name, Service.id)
        )
    )


def all_services() -> list[Service]:
    return list(db.session.scalars(select(Service).order_by(Service.name, Service.id)))


def active_service(service_id: int | None) -> Service | None:
    if not fits(service_id):
        return None
    return db.session.scalar(
        select(Service).where(Service.id == service_id, Service.active.is_(True))
    )


def _assignable(user: StaffUser, case: Case) -> ColumnElement[bool]:
    # Only people who could then see the case: partner users of the partner that owns it.
    return and_(
        staff_scope_for_assignment(user),
        StaffUser.active.is_(True),
        or_(StaffUser.role != Role.PARTNER_USER, StaffUser.partner_id == case.owning_partner_id),
    )


def assignable_staff(user: StaffUser, case: Case) -> list[StaffUser]:
    return list(
        db.session.scalars(
            select(StaffUser).where(_assignable(user, case)).order_by(StaffUser.name, StaffUser.id)
        )
    )


def assignable_person(user: StaffUser, case: Case, staff_id: int) -> StaffUser | None:
    if not fits(staff_id):
        return None
    return db.session.scalar(
        select(StaffUser).where(StaffUser.id == staff_id, _assignable(user, case))
    )


def filter_partners(user: StaffUser) -> list[Partner]:
    """Partners a user may filter the queue by: every one for front-office staff."""
    query = select(Partner).order_by(Partner.name, Partner.id)
    if not sees_everything(user):
        query = query.where(Partner.id == user.partner_id)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class QueueFilters:
    status: str = "open"  # "open", "all" or a CaseStatus value
    service_id: int | None = None
    partner_id: int | None = None
    overdue: bool = False


@dataclass(frozen=True)
class QueuePage:
    cases: list[Case]
    total: int
    page: int
    pages: int


def _tab_clause(user: StaffUser, tab: Tab) -> ColumnElement[bool] | None:
    if tab == "mine":
        return Case.assigned_to_id == user.id
    if tab == "team":
        if user.team:
            team = select(StaffUser.id).where(
                StaffUser.team == user.team, StaffUser.partner_id == user.partner_id
            )
            assigned = Case.assigned_to_id.in_(team)
        else:
            assigned = Case.assigned_to_id == user.id
        unassigned_here = and_(
            Case.assigned_to_id.is_(None), Case.owning_partner_id == user.partner_id
        )
        return or_(assigned, unassigned_here)
    return None


def status_and_service(status: str, service_id: int | None) -> list[ColumnElement[bool]]:
    """A queue's status ("open", "all" or a CaseStatus value) and service filters."""
    conditions: list[ColumnElement[bool]] = []
    if status == "open":
        conditions.append(Case.status.in_(OPEN_STATUSES))
    elif status != "all":
        conditions.append(Case.status == CaseStatus(status))
    if service_id is not None:
        conditions.append(Case.service_id == service_id)
    return conditions


def queue(user: StaffUser, tab: Tab, filters: QueueFilters, page: int = 1) -> QueuePage:
    """One page of a work queue, soonest due first (no due date last)."""
    conditions: list[ColumnElement[bool]] = [case_scope(user)]
    clause = _tab_clause(user, tab)
    if clause is not None:
        conditions.append(clause)
    conditions += status_and_service(filters.status, filters.service_id)
    if filters.partner_id is not None:
        conditions.append(Case.owning_partner_id == filters.partner_id)
    if filters.overdue:
        conditions.append(Case.status.not_in(CLOCK_STOPPED_STATUSES))
        conditions.append(Case.due_date < clock.today())
    total = db.session.scalar(select(func.count(Case.id)).where(*conditions)) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    cases = list(
        db.session.scalars(
            select(Case)
            .where(*conditions)
            .order_by(Case.due_date.is_(None), Case.due_date, Case.id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
            .options(selectinload(Case.customer), selectinload(Case.assigned_to))
        )
    )
    return QueuePage(cases=cases, total=total, page=page, pages=pages)
