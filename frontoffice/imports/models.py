"""One run of an extract import: who ran it, when, on which file, and what it did."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontoffice import clock
from frontoffice.enums import string_enum
from frontoffice.extensions import db
from frontoffice.partners.models import Partner
from frontoffice.types import UTCDateTime


class RunStatus(enum.StrEnum):
    RUNNING = "running"  # still running, or killed without a chance to say so
    FINISHED = "finished"
    INTERRUPTED = "interrupted"


class ImportRun(db.Model):
    """The counts are committed with each batch, so they always match what is in the database."""

    __tablename__ = "import_run"
    __table_args__ = (Index("ix_import_run_partner_system", "partner_id", "system"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"))
    system: Mapped[str] = mapped_column(String(60))
    file_name: Mapped[str] = mapped_column(String(255))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    started_by: Mapped[str] = mapped_column(String(254))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Brought up to date with each committed batch: a RUNNING run whose heartbeat is older
    # than operations.STALE_AFTER was killed, and no longer keeps others out.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[RunStatus] = mapped_column(string_enum(RunStatus), default=RunStatus.RUNNING)
    read: Mapped[int] = mapped_column(Integer, default=0)
    linked: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    queued: Mapped[int] = mapped_column(Integer, default=0)
    already_imported: Mapped[int] = mapped_column(Integer, default=0)
    differing: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    last_line: Mapped[int] = mapped_column(Integer, default=0)  # of the last committed batch

    partner: Mapped[Partner] = relationship(lazy="joined")
