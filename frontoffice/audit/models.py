from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontoffice import clock
from frontoffice.accounts.models import StaffUser
from frontoffice.extensions import db
from frontoffice.types import UTCDateTime


class AuditEvent(db.Model):
    """Append-only: who did what to which record, when, from where, and why.

    The database refuses UPDATE and DELETE on this table (see the initial migration).
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_customer_at", "customer_id", "at"),
        Index("ix_audit_event_record", "record_type", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    actor_label: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(60))
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[int | None] = mapped_column()
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[StaffUser | None] = relationship()
