from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frontoffice import clock
from frontoffice.enums import string_enum
from frontoffice.extensions import db
from frontoffice.types import UTCDateTime


class MessageStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    SUPPRESSED = "suppressed"  # not sent: the customer has died


class ResidentMessage(db.Model):
    """An email to a resident about their case: an outbox row, written with the change."""

    __tablename__ = "resident_message"
    __table_args__ = (Index("ix_resident_message_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    # Set for a message to the informant of a life event (not to the customer, who may have
    # died): never suppressed by a death.
    life_event_id: Mapped[int | None] = mapped_column(ForeignKey("life_event.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[MessageStatus] = mapped_column(
        string_enum(MessageStatus), default=MessageStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=clock.now)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
