"""Reads of the audit trail, for supervisors."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from frontoffice.access.policy import customer_scope
from frontoffice.accounts.models import StaffUser
from frontoffice.audit.models import AuditEvent
from frontoffice.extensions import db

T = TypeVar("T")
HISTORY_PAGE_SIZE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        return 0 if self.total == 0 else (self.number - 1) * self.size + 1

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.items)


def paginate(statement: Select, number: int, size: int) -> Page:
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    number = max(1, number)
    items = db.session.scalars(statement.limit(size).offset((number - 1) * size)).all()
    return Page(items=items, number=number, size=size, total=total or 0)


def visible_customer(user: StaffUser, customer_id: int):
    """The customer, if it exists and this user may see it; else None (a 404 for the view)."""
    from frontoffice.customers.models import Customer

    return db.session.scalar(
        select(Customer).where(Customer.id == customer_id, customer_scope(user))
    )


def customer_history(customer_id: int, page: int = 1, size: int = HISTORY_PAGE_SIZE) -> Page:
    """Every audit event about one customer and the records merged into it, newest first."""
    from frontoffice.customers.models import Customer

    merged_in = select(Customer.id).where(Customer.merged_into_id == customer_id)
    statement = (
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor))
        .where((AuditEvent.customer_id == customer_id) | AuditEvent.customer_id.in_(merged_in))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    return paginate(statement, page, size)
