from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontoffice import clock
from frontoffice.catalogue.models import Service
from frontoffice.enums import string_enum
from frontoffice.extensions import db
from frontoffice.partners.models import Partner
from frontoffice.types import UTCDateTime


class PartnerAdapter(db.Model):
    """How one partner's back-end takes cases: an adapter type and its settings.

    One per partner, optionally overridden for a service. Secret settings are stored
    encrypted (frontoffice.crypto) and never shown again after saving.
    """

    __tablename__ = "partner_adapter"
    __table_args__ = (
        UniqueConstraint("partner_id", "service_id", name="uq_partner_adapter_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    name: Mapped[str] = mapped_column(String(100))
    adapter_type: Mapped[str] = mapped_column(String(30))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secret_settings: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Per-destination circuit breaker: a partner that keeps failing is not called until then.
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    breaker_open_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Status updates are read from the partner up to here (adapters with supports_updates).
    updates_read_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    partner: Mapped[Partner] = relationship()
    service: Mapped[Service | None] = relationship()


class DispatchStatus(enum.StrEnum):
    PENDING = "pending"  # written with the case, waiting for a worker
    DELIVERING = "delivering"  # claimed by a worker
    RETRYING = "retrying"  # failed in a way worth retrying; next_attempt_at says when
    DELIVERED = "delivered"
    DEAD = "dead"  # gave up: permanent failure or past the retry horizon
    CANCELLED = "cancelled"  # superseded by a re-route

    @property
    def label(self) -> str:
        return {"dead": "Failed", "delivering": "Sending"}.get(self.value, self.value.capitalize())


class Dispatch(db.Model):
    """One delivery of one case to one partner: an outbox row, written with the case."""

    __tablename__ = "dispatch"
    __table_args__ = (
        Index("ix_dispatch_status_next", "status", "next_attempt_at"),
        Index("ix_dispatch_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    partner_adapter_id: Mapped[int | None] = mapped_column(ForeignKey("partner_adapter.id"))
    adapter_type: Mapped[str] = mapped_column(String(30))
    status: Mapped[DispatchStatus] = mapped_column(
        string_enum(DispatchStatus), default=DispatchStatus.PENDING
    )
    reason: Mapped[str] = mapped_column(String(200), default="routed")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Retries stop at this time plus the horizon; a supervisor's retry starts a new window.
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    partner_reference: Mapped[str | None] = mapped_column(String(100))
    # The latest status the partner reported for its copy of the case, and when it was true.
    partner_status: Mapped[str | None] = mapped_column(String(30))
    partner_status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partner: Mapped[Partner] = relationship(lazy="joined")
    attempts_log: Mapped[list[DispatchAttempt]] = relationship(
        back_populates="dispatch", cascade="all, delete-orphan", order_by="DispatchAttempt.id"
    )

    @property
    def idempotency_key(self) -> str:
        return idempotency_key(self.id)


def idempotency_key(dispatch_id: int) -> str:
    """Sent with every attempt to deliver the dispatch: the receiver keeps one copy."""
    return f"dsp-{dispatch_id}"


class AttemptOutcome(enum.StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    PERMANENT = "permanent"
    DEFERRED = "deferred"  # not called: the partner's breaker was open


class DispatchAttempt(db.Model):
    __tablename__ = "dispatch_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispatch_id: Mapped[int] = mapped_column(
        ForeignKey("dispatch.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    outcome: Mapped[AttemptOutcome] = mapped_column(string_enum(AttemptOutcome))
    detail: Mapped[str] = mapped_column(Text, default="")
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)

    dispatch: Mapped[Dispatch] = relationship(back_populates="attempts_log")


class PartnerStatusUpdate(db.Model):
    """A status update read from a partner, kept so the same update is applied only once."""

    __tablename__ = "partner_status_update"
    __table_args__ = (UniqueConstraint("partner_id", "update_id", name="uq_partner_status_update"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"))
    update_id: Mapped[str] = mapped_column(String(100))
    service_request_id: Mapped[str] = mapped_column(String(100))
    dispatch_id: Mapped[int | None] = mapped_column(ForeignKey("dispatch.id"), index=True)
    status: Mapped[str] = mapped_column(String(30))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(20))  # applied, stale or unknown
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
