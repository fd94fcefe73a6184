from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from frontoffice import clock
from frontoffice.extensions import db
from frontoffice.types import UTCDateTime


class Open311Submission(db.Model):
    """A request a client sent with its own id, so the same report sent again (a client that
    timed out and retried) finds the case it made the first time."""

    __tablename__ = "open311_submission"
    __table_args__ = (UniqueConstraint("api_key_id", "client_request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_key.id"))
    client_request_id: Mapped[str] = mapped_column(String(100))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
