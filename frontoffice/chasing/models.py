"""Chasing a partner whose acknowledgement of a case is overdue: each reminder sent, and the
end of chasing (escalated to supervisors, or stopped by one)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontoffice import clock
from frontoffice.accounts.models import StaffUser
from frontoffice.enums import string_enum
from frontoffice.extensions import db
from frontoffice.partners.models import Partner
from frontoffice.types import UTCDateTime


class ChaseStatus(enum.StrEnum):
    PENDING = "pending"  # written, waiting for a worker (also between retries)
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"  # the partner's system took it
    SHOWN = "shown"  # nothing to push (portal, Open311): the partner sees it on the case
    FAILED = "failed"  # gave up: refused, or past the retry horizon
    CANCELLED = "cancelled"  # acknowledged, or chasing stopped, before it was sent

    @property
    def label(self) -> str:
        return {
            "pending": "Waiting to send",
            "sending": "Sending",
            "sent": "Sent",
            "shown": "Shown in the partner’s queue",
            "failed": "Could not be sent",
            "cancelled": "Not sent",
        }[self.value]


class Chase(db.Model):
    """One reminder to one partner to acknowledge one case: an outbox row, written with its
    timeline entry. `number` counts the case's chases (1, 2, …); the unique key makes a second
    sweeper, or a second click, unable to write the same chase twice."""

    __tablename__ = "chase"
    __table_args__ = (
        UniqueConstraint("case_id", "partner_id", "number", name="uq_chase_case_partner_number"),
        Index("ix_chase_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"))
    # The delivery being chased: the reminder goes the same way, through the same adapter.
    dispatch_id: Mapped[int] = mapped_column(ForeignKey("dispatch.id"))
    number: Mapped[int] = mapped_column(Integer)
    # A supervisor's "chase now"; None when the sweeper chased.
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    channel: Mapped[str] = mapped_column(String(30))  # the adapter type, or "portal"
    status: Mapped[ChaseStatus] = mapped_column(
        string_enum(ChaseStatus), default=ChaseStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=clock.now)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")

    partner: Mapped[Partner] = relationship(lazy="joined")
    requested_by: Mapped[StaffUser | None] = relationship()

    @property
    def idempotency_key(self) -> str:
        return f"chs-{self.id}"


class ChaseEndKind(enum.StrEnum):
    ESCALATED = "escalated"  # chased the most times allowed, still not acknowledged
    STOPPED = "stopped"  # a supervisor stopped it, with a reason

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ChaseEnd(db.Model):
    """Automatic chasing of a case has ended: at most one per case (so it escalates once)."""

    __tablename__ = "chase_end"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    kind: Mapped[ChaseEndKind] = mapped_column(string_enum(ChaseEndKind))
    chases: Mapped[int] = mapped_column(Integer)  # how many times it had been chased
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    reason: Mapped[str] = mapped_column(Text, default="")

    by: Mapped[StaffUser | None] = relationship()
