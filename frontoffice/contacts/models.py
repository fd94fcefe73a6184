from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontoffice import clock
from frontoffice.accounts.models import StaffUser
from frontoffice.cases.models import Case, Channel
from frontoffice.customers.models import Customer
from frontoffice.enums import string_enum
from frontoffice.extensions import db
from frontoffice.types import UTCDateTime


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


contact_case = Table(
    "contact_case",
    db.metadata,
    Column("contact_id", ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True),
    Column("case_id", ForeignKey("case.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Contact(db.Model):
    """One interaction with a customer: a call, a visit, a web form, an email, a letter."""

    __tablename__ = "contact"
    __table_args__ = (Index("ix_contact_customer_started", "customer_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    channel: Mapped[Channel] = mapped_column(string_enum(Channel))
    location: Mapped[str] = mapped_column(String(100), default="")
    direction: Mapped[Direction] = mapped_column(string_enum(Direction), default=Direction.INBOUND)
    adviser_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    resolved_first_contact: Mapped[bool] = mapped_column(Boolean, default=False)

    customer: Mapped[Customer] = relationship()
    adviser: Mapped[StaffUser | None] = relationship()
    cases: Mapped[list[Case]] = relationship(secondary=contact_case, order_by=Case.id)
