"""The review queue: possible matches a supervisor decides."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from frontoffice import clock
from frontoffice.enums import string_enum
from frontoffice.extensions import db
from frontoffice.types import UTCDateTime


class ReviewStatus(enum.StrEnum):
    OPEN = "open"
    LINKED = "linked"  # a supervisor said: the same person
    SEPARATE = "separate"  # a supervisor said: a different person


class MatchReview(db.Model):
    """A possible match a person must decide: an incoming record (an adviser's new customer,
    a web form, an Open311 request, a partner's row) or a second customer, set against a
    customer, with the score's explanation as it was when found."""

    __tablename__ = "match_review"
    __table_args__ = (Index("ix_match_review_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    other_customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE")
    )
    source: Mapped[str] = mapped_column(String(40))  # adviser, web, open311, partner, sweep
    incoming: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    probability: Mapped[float] = mapped_column(Float)
    explanation: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[ReviewStatus] = mapped_column(
        string_enum(ReviewStatus), default=ReviewStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
