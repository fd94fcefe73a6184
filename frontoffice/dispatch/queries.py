"""Reads about deliveries, scoped like the cases they belong to."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import joinedload

from frontoffice.access.policy import case_scope, dispatch_scope
from frontoffice.accounts.models import StaffUser
from frontoffice.cases.models import Case
from frontoffice.cases.status import OPEN_STATUSES
from frontoffice.catalogue.models import Service
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.extensions import db
from frontoffice.partners.models import Partner


class Reach(enum.StrEnum):
    """Whether a case has reached its partner, in one word for advisers."""

    DELIVERED = "delivered"
    SENDING = "sending"
    FAILED = "failed"
    TRIAGE = "triage"
    NOT_ROUTED = "not_routed"

    @property
    def label(self) -> str:
        return {
            "delivered": "Reached partner",
            "sending": "Sending to partner",
            "failed": "Delivery failed",
            "triage": "In triage",
            "not_routed": "Not routed",
        }[self.value]

    @property
    def tag_colour(self) -> str:
        return {
            "delivered": "green",
            "sending": "blue",
            "failed": "red",
            "triage": "orange",
            "not_routed": "grey",
        }[self.value]


def reach_of(statuses: Iterable[DispatchStatus], triage_reason: str) -> Reach:
    live = [s for s in statuses if s is not DispatchStatus.CANCELLED]
    if triage_reason:
        return Reach.TRIAGE
    if not live:
        return Reach.NOT_ROUTED
    if any(s is DispatchStatus.DEAD for s in live):
        return Reach.FAILED
    if all(s is DispatchStatus.DELIVERED for s in live):
        return Reach.DELIVERED
    return Reach.SENDING


def partner_word_by_case(user: StaffUser, cases: list[Case]) -> dict[int, str]:
    """The latest status each case's partner(s) reported, e.g. 'Northvale: closed'."""
    ids = [c.id for c in cases]
    words: dict[int, list[str]] = {}
    if ids:
        rows = db.session.execute(
            select(Dispatch.case_id, Partner.name, Dispatch.partner_status)
            .join(Partner, Partner.id == Dispatch.partner_id)
            .where(
                Dispatch.case_id.in_(ids),
                Dispatch.partner_status.is_not(None),
                dispatch_scope(user),
            )
            .order_by(Dispatch.case_id, Dispatch.id)
        )
        for case_id, name, status in rows:
            words.setdefault(case_id, []).append(f"{name}: {status.replace('_', ' ')}")
    return {case_id: "; ".join(said) for case_id, said in words.items()}


def reach_by_case(cases: list[Case]) -> dict[int, Reach]:
    """One query for a page of cases."""
    ids = [c.id for c in cases]
    statuses: dict[int, list[DispatchStatus]] = {i: [] for i in ids}
    if ids:
        for case_id, status in db.session.execute(
            select(Dispatch.case_id, Dispatch.status).where(Dispatch.case_id.in_(ids))
        ):
            statuses[case_id].append(status)
    return {c.id: reach_of(statuses[c.id], c.triage_reason) for c in cases}


def dispatches_for_case(user: StaffUser, case_id: int) -> list[Dispatch]:
    return list(
        db.session.scalars(
            select(Dispatch)
            .join(Case, Case.id == Dispatch.case_id)
            .where(Dispatch.case_id == case_id, case_scope(user), dispatch_scope(user))
            .options(joinedload(Dispatch.partner))
            .order_by(Dispatch.id)
        )
    )


def failed_deliveries(user: StaffUser, *, limit: int = 200) -> list[Dispatch]:
    return list(
        db.session.scalars(
            select(Dispatch)
            .join(Case, Case.id == Dispatch.case_id)
            .where(Dispatch.status == DispatchStatus.DEAD, case_scope(user))
            .options(joinedload(Dispatch.partner))
            .order_by(Dispatch.dead_at.desc())
            .limit(limit)
        )
    )


def triage_cases(user: StaffUser, *, limit: int = 200) -> list[Case]:
    return list(
        db.session.scalars(
            select(Case)
            .where(Case.triage_reason != "", Case.status.in_(OPEN_STATUSES), case_scope(user))
            .order_by(Case.created_at)
            .limit(limit)
        )
    )


def dispatch_in_scope(user: StaffUser, dispatch_id: int) -> Dispatch | None:
    return db.session.scalar(
        select(Dispatch)
        .join(Case, Case.id == Dispatch.case_id)
        .where(Dispatch.id == dispatch_id, case_scope(user))
    )


@dataclass(frozen=True)
class Overdue:
    """Open cases of one partner and service that are late to be acknowledged or resolved."""

    partner: Partner
    service: Service
    unacknowledged: int
    past_due: int


def overdue_by_partner_and_service(user: StaffUser, today: date) -> list[Overdue]:
    late_ack = and_(Case.ack_due_date < today, Case.acknowledged_at.is_(None))
    late = Case.due_date < today
    rows = db.session.execute(
        select(
            Case.owning_partner_id,
            Case.service_id,
            func.sum(sql_case((late_ack, 1), else_=0)),
            func.sum(sql_case((late, 1), else_=0)),
        )
        .where(
            Case.status.in_([s for s in OPEN_STATUSES if not s.stops_the_clock]),
            or_(late_ack, late),
            case_scope(user),
        )
        .group_by(Case.owning_partner_id, Case.service_id)
    ).all()
    partners = {p.id: p for p in db.session.scalars(select(Partner))}
    services = {s.id: s for s in db.session.scalars(select(Service))}
    found = [
        Overdue(partners[p], services[s], int(unacknowledged), int(past_due))
        for p, s, unacknowledged, past_due in rows
    ]
    return sorted(found, key=lambda o: (o.partner.name, o.service.name))
