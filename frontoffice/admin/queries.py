"""Reads for administrators: every staff user and partner (they see no resident data)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from frontoffice.accounts.models import StaffUser
from frontoffice.extensions import db
from frontoffice.partners.models import Partner


def staff_users() -> Sequence[StaffUser]:
    return db.session.scalars(
        select(StaffUser).join(StaffUser.partner).order_by(Partner.name, StaffUser.name)
    ).all()


def staff_user(user_id: int) -> StaffUser | None:
    return db.session.get(StaffUser, user_id)


def partners() -> Sequence[Partner]:
    return db.session.scalars(select(Partner).order_by(Partner.name)).all()


def partners_with_staff_counts() -> list[tuple[Partner, int]]:
    counts = (
        select(StaffUser.partner_id, func.count(StaffUser.id).label("staff"))
        .where(StaffUser.active.is_(True))
        .group_by(StaffUser.partner_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Partner, func.coalesce(counts.c.staff, 0))
        .outerjoin(counts, counts.c.partner_id == Partner.id)
        .order_by(Partner.name)
    ).all()
    return [(partner, count) for partner, count in rows]
