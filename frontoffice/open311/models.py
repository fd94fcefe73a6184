from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from frontoffice import clock
from frontoffice.extensions import db
from frontoffice.types import UTCDateTime


class Open311Submission(db.Model):
    """A request that came in over Open311: which key sent it (reads show a partner only the
    requests its own keys sent), the token it was answered with, and the client's own id when
    it gave one, so the same report sent again (a client that timed out and retried) finds the
    case it made the first time."""

    __tablename__ = "open311_submission"
    __table_args__ = (UniqueConstraint("api_key_id", "client_request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_key.id"))
    client_request_id: Mapped[str | None] = mapped_column(String(100))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    media_url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Open311Update(db.Model):
    """A resident's update a client posted to servicerequestupdates, kept once per key and
    client update id: the same update posted again changes nothing and gets the same answer."""

    __tablename__ = "open311_update"
    __table_args__ = (UniqueConstraint("api_key_id", "update_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_key.id"))
    update_id: Mapped[str] = mapped_column(String(100))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("case_event.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
