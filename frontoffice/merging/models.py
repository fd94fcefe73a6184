"""A merge of two customer records, kept so it can be undone; where the duplicate sweep is."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frontoffice import clock
from frontoffice.extensions import db
from frontoffice.types import UTCDateTime


class CustomerMerge(db.Model):
    """The merged record was folded into the survivor. `snapshot` holds both records as they
    were just before (every column of the customers and of their details, and which cases,
    contacts and so on belonged to which), so unmerging can restore them exactly."""

    __tablename__ = "customer_merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("match_review.id"))
    choices: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    unmerged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unmerged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    unmerge_reason: Mapped[str] = mapped_column(Text, default="")
    # The survivor as it was just before the unmerge, for the record of what was undone.
    before_unmerge: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    @property
    def active(self) -> bool:
        return self.unmerged_at is None


class DuplicateSweep(db.Model):
    """How far the duplicate sweep has walked the customers: each run carries on after
    `last_customer_id` and starts again from the beginning once it reaches the end."""

    __tablename__ = "duplicate_sweep"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_customer_id: Mapped[int] = mapped_column(Integer, default=0)
    rounds: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
