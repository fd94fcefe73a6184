"""Reads about deliveries, scoped like the cases they belong to."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from frontoffice.access.policy import case_scope, dispatch_scope
from frontoffice.accounts.models import StaffUser
from frontoffice.cases.models import Case
from frontoffice.cases.status import OPEN_STATUSES
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.extensions import db


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
