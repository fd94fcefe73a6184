from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontoffice import clock
from frontoffice.accounts.models import StaffUser
from frontoffice.cases.status import CaseStatus
from frontoffice.catalogue.models import Service
from frontoffice.customers.models import Customer
from frontoffice.enums import string_enum
from frontoffice.extensions import db
from frontoffice.partners.models import Partner
from frontoffice.types import UTCDateTime

REFERENCE_PREFIX = "FO-"


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Channel(enum.StrEnum):
    PHONE = "phone"
    WALK_IN = "walk_in"
    WEB = "web"
    EMAIL = "email"
    LETTER = "letter"

    @property
    def label(self) -> str:
        return self.value.replace("_", "-").capitalize()


MAX_CASE_ID = 2**31 - 1  # an INTEGER key: a larger number cannot be a case


def format_reference(case_id: int) -> str:
    return f"{REFERENCE_PREFIX}{case_id:06d}"


def parse_reference(text: str) -> int | None:
    """'FO-000123', 'fo123', 'FO 123' -> 123; None when it is not a case reference."""
    cleaned = text.strip().upper().replace(" ", "").replace("-", "")
    if not cleaned.startswith("FO"):
        return None
    digits = cleaned[2:]
    if not digits.isdigit() or len(digits) > 12 or int(digits) > MAX_CASE_ID:
        return None
    return int(digits)


class Case(db.Model):
    """One request for one service for one customer."""

    __tablename__ = "case"
    __table_args__ = (
        Index("ix_case_owning_partner_status", "owning_partner_id", "status"),
        Index("ix_case_customer_created", "customer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    status: Mapped[CaseStatus] = mapped_column(string_enum(CaseStatus), default=CaseStatus.NEW)
    priority: Mapped[Priority] = mapped_column(string_enum(Priority), default=Priority.NORMAL)
    owning_partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    channel: Mapped[Channel] = mapped_column(string_enum(Channel))
    summary: Mapped[str] = mapped_column(Text, default="")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_date: Mapped[date | None] = mapped_column(Date)
    # By when the delivering partner should acknowledge it, and when it first did.
    ack_due_date: Mapped[date | None] = mapped_column(Date)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where the request is about (a pothole, a bin), which decides who delivers it.
    location_uprn: Mapped[str | None] = mapped_column(String(12))
    location_text: Mapped[str] = mapped_column(String(300), default="")
    district_code: Mapped[str | None] = mapped_column(String(20))
    ward_code: Mapped[str | None] = mapped_column(String(20))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # Empty once routed; otherwise why routing could not decide (the case is in triage).
    triage_reason: Mapped[str] = mapped_column(Text, default="")

    customer: Mapped[Customer] = relationship()
    service: Mapped[Service] = relationship(lazy="joined")
    owning_partner: Mapped[Partner] = relationship(lazy="joined")
    assigned_to: Mapped[StaffUser | None] = relationship(foreign_keys=[assigned_to_id])
    created_by: Mapped[StaffUser | None] = relationship(foreign_keys=[created_by_id])
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseEvent.id"
    )

    @property
    def reference(self) -> str:
        return format_reference(self.id)

    @property
    def is_overdue(self) -> bool:
        return (
            not self.status.stops_the_clock
            and self.due_date is not None
            and self.due_date < clock.today()
        )

    def __repr__(self) -> str:
        return f"<Case {self.reference} {self.status}>"


class CaseEventKind(enum.StrEnum):
    CREATED = "created"
    STATUS_CHANGED = "status_changed"
    NOTE = "note"
    REASSIGNED = "reassigned"
    ROUTED = "routed"
    TRIAGE = "triage"
    DISPATCHED = "dispatched"
    DISPATCH_FAILED = "dispatch_failed"
    PARTNER_UPDATE = "partner_update"
    CHASED = "chased"  # a partner reminded to acknowledge (frontoffice.chasing)
    CHASE_ESCALATED = "chase_escalated"
    CHASE_STOPPED = "chase_stopped"


class CaseEvent(db.Model):
    """One entry on a case's timeline."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CaseEventKind] = mapped_column(string_enum(CaseEventKind))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[StaffUser | None] = relationship()
