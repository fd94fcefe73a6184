from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontoffice import clock
from frontoffice.cases.models import Case, format_reference
from frontoffice.catalogue.models import Service
from frontoffice.customers.models import Language
from frontoffice.enums import string_enum
from frontoffice.extensions import db
from frontoffice.life_events.models import LifeEvent
from frontoffice.types import UTCDateTime


class Draft(db.Model):
    """A resident's answers between pages: the server side of the web session. The signed
    cookie holds only the token. Kept a day, and a few kilobytes at most (see drafts.py)."""

    __tablename__ = "public_draft"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    journey: Mapped[str] = mapped_column(String(30))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)


class WebRequest(db.Model):
    """A case a resident raised on the web, with the contact details they gave: tracking
    checks them, and residents' emails about the case go to them (never to details found on
    a matched record). `token` is the form's idempotency token: a double click finds the
    first case."""

    __tablename__ = "web_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    given_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    email_key: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    postcode_key: Mapped[str] = mapped_column(String(10), default="")
    reply_by: Mapped[str] = mapped_column(String(10), default="email")
    language: Mapped[Language] = mapped_column(string_enum(Language), default=Language.ENGLISH)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    case: Mapped[Case] = relationship()


class WebLifeEvent(db.Model):
    """A life event a resident reported on the web, with the informant's contact details:
    tracking checks them (or the postcode given in the journey) and the confirmation goes to
    them. `token` is the form's idempotency token: a double click finds the first report."""

    __tablename__ = "web_life_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    life_event_id: Mapped[int] = mapped_column(ForeignKey("life_event.id"), unique=True)
    given_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    email_key: Mapped[str] = mapped_column(String(254), default="")
    postcode_key: Mapped[str] = mapped_column(String(10), default="")
    language: Mapped[Language] = mapped_column(string_enum(Language), default=Language.ENGLISH)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    life_event: Mapped[LifeEvent] = relationship()


class AcceptedRequest(db.Model):
    """A resident's request accepted on the web and not yet raised: everything the worker
    needs to raise it (frontoffice.public.intake), kept until it is. `case_id` is reserved
    for the case (frontoffice.cases.ids): the resident is told its reference at once, and a
    second run of the task cannot make a second case. `failure` says why the worker could
    not raise it; staff see such requests, and ones still waiting, on the triage page."""

    __tablename__ = "accepted_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    # answers, place (uprn, text, postcode, latitude, longitude) and contact, as checked
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    track_url: Mapped[str] = mapped_column(String(500), default="")
    email_key: Mapped[str] = mapped_column(String(254), default="")
    postcode_key: Mapped[str] = mapped_column(String(10), default="")
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # When the sweeper should enqueue it again if it is still here.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    failure: Mapped[str] = mapped_column(Text, default="")
    # Closed by a supervisor (frontoffice.public.unraised): never raised, the resident told
    # why; the row is kept, so the reference still answers on /track.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    service: Mapped[Service] = relationship(lazy="joined")

    @property
    def reference(self) -> str:
        return format_reference(self.case_id)
