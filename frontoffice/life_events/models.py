"""Life events (a death, a birth, a move), who told us, what they agreed to, who was told."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontoffice import clock
from frontoffice.accounts.models import StaffUser
from frontoffice.cases.models import Case, Channel
from frontoffice.catalogue.models import Service
from frontoffice.customers.models import Customer, Language
from frontoffice.enums import string_enum
from frontoffice.extensions import db
from frontoffice.partners.models import Partner
from frontoffice.routing.models import AreaKind
from frontoffice.types import UTCDateTime

REFERENCE_PREFIX = "LE-"
MAX_EVENT_ID = 2**31 - 1
PARENTS_MAX = 500


def format_reference(event_id: int) -> str:
    return f"{REFERENCE_PREFIX}{event_id:06d}"


def parse_reference(text: str) -> int | None:
    """'LE-000123', 'le123' -> 123; None when it is not a life event reference."""
    cleaned = text.strip().upper().replace(" ", "").replace("-", "")
    digits = cleaned[2:]
    if not cleaned.startswith("LE") or not digits.isdigit() or len(digits) > 12:
        return None
    return int(digits) if int(digits) <= MAX_EVENT_ID else None


class EventKind(enum.StrEnum):
    DEATH = "death"
    BIRTH = "birth"
    MOVE = "move"

    @property
    def label(self) -> str:
        return {"death": "A death", "birth": "A birth", "move": "Moving home"}[self.value]


class MoveScope(enum.StrEnum):
    INTO = "into"  # from outside the partnership's area
    WITHIN = "within"
    OUT_OF = "out_of"

    @property
    def label(self) -> str:
        return {
            "into": "Into the area",
            "within": "Within the area",
            "out_of": "Out of the area",
        }[self.value]


class Authority(enum.StrEnum):
    NEXT_OF_KIN = "next_of_kin"
    EXECUTOR = "executor"
    ACTING_FOR = "acting_for"  # acting for the next of kin or the executor
    SELF = "self"  # the person the event is about (a move, a birth's parent)
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            "next_of_kin": "Next of kin",
            "executor": "Executor or administrator of the estate",
            "acting_for": "Acting for the next of kin or executor",
            "self": "The person it is about, or the child's parent",
            "none": "None of these",
        }[self.value]


class PersonRole(enum.StrEnum):
    INFORMANT = "informant"
    NEXT_OF_KIN = "next_of_kin"
    EXECUTOR = "executor"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class LifeEvent(db.Model):
    """One report of a death, birth or move about one customer (the deceased, a parent, the
    mover). A second report of the same event is kept, linked to the first, and tells nobody."""

    __tablename__ = "life_event"
    __table_args__ = (
        # Set on first reports only (NULLs never clash), so the same event is fanned out once.
        UniqueConstraint("dedupe_key", name="uq_life_event_dedupe_key"),
        Index("ix_life_event_customer", "customer_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(string_enum(EventKind))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    event_date: Mapped[date] = mapped_column(Date)
    channel: Mapped[Channel] = mapped_column(string_enum(Channel))
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("life_event.id"), index=True)
    # A death: whether there is an inquest (the place and the like are in `details`).
    inquest: Mapped[bool] = mapped_column(Boolean, default=False)
    # A move: where from, where to (an address of the record's history), and which way.
    move_scope: Mapped[MoveScope | None] = mapped_column(string_enum(MoveScope))
    old_address: Mapped[str] = mapped_column(String(400), default="")
    new_address: Mapped[str] = mapped_column(String(400), default="")
    new_uprn: Mapped[str | None] = mapped_column(String(12))
    # A birth: the child and the parents.
    child_name: Mapped[str] = mapped_column(String(200), default="")
    # Room for the longest the web allows: a parent's first and last names and the other's.
    parents: Mapped[str] = mapped_column(String(PARENTS_MAX), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    customer: Mapped[Customer] = relationship()
    reported_by: Mapped[StaffUser | None] = relationship()
    duplicate_of: Mapped[LifeEvent | None] = relationship(remote_side=[id])
    people: Mapped[list[LifeEventPerson]] = relationship(
        back_populates="life_event", cascade="all, delete-orphan", order_by="LifeEventPerson.id"
    )
    notifications: Mapped[list[Notification]] = relationship(
        back_populates="life_event", cascade="all, delete-orphan", order_by="Notification.id"
    )

    @property
    def reference(self) -> str:
        return format_reference(self.id)

    def person(self, role: PersonRole) -> LifeEventPerson | None:
        return next((p for p in self.people if p.role is role), None)

    @property
    def informant(self) -> LifeEventPerson | None:
        return self.person(PersonRole.INFORMANT)


class LifeEventPerson(db.Model):
    """The informant, and the next of kin and executor whom services contact afterwards."""

    __tablename__ = "life_event_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    life_event_id: Mapped[int] = mapped_column(
        ForeignKey("life_event.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[PersonRole] = mapped_column(string_enum(PersonRole))
    name: Mapped[str] = mapped_column(String(200))
    relationship_: Mapped[str] = mapped_column("relationship", String(100), default="")
    authority: Mapped[Authority | None] = mapped_column(string_enum(Authority))
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(String(400), default="")
    # The informant's: the language of the emails they are sent.
    language: Mapped[Language] = mapped_column(string_enum(Language), default=Language.ENGLISH)

    life_event: Mapped[LifeEvent] = relationship(back_populates="people")


class TellRule(db.Model):
    """For this kind of event in this area, this service is offered to be told. Which partner
    delivers it there is the routing rules' business, so a two-tier area tells both tiers."""

    __tablename__ = "tell_rule"
    __table_args__ = (
        UniqueConstraint("event_kind", "service_id", "area_kind", "area_code", name="uq_tell_rule"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_kind: Mapped[EventKind] = mapped_column(string_enum(EventKind))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    area_kind: Mapped[AreaKind] = mapped_column(string_enum(AreaKind), default=AreaKind.ANY)
    area_code: Mapped[str] = mapped_column(String(20), default="")
    # What the informant is told this service will do with the news.
    purpose: Mapped[str] = mapped_column(String(300), default="")
    # The groups of details the service is sent (frontoffice.life_events.shares); None: all.
    shares: Mapped[list[str] | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    service: Mapped[Service] = relationship(lazy="joined")


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"  # written, waiting for a worker or retrying
    SENT = "sent"  # a worker is calling the partner
    DELIVERED = "delivered"  # the partner's system took it
    ACKNOWLEDGED = "acknowledged"
    ACTIONED = "actioned"
    REJECTED = "rejected"
    FAILED = "failed"  # delivery gave up; a supervisor retries it
    NOT_ROUTED = "not_routed"  # no partner delivers the service there: in triage
    WITHDRAWN = "withdrawn"  # consent withdrawn before it was sent

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def tag_colour(self) -> str:
        return {
            "actioned": "green",
            "acknowledged": "turquoise",
            "delivered": "blue",
            "rejected": "red",
            "failed": "red",
            "not_routed": "orange",
            "withdrawn": "grey",
        }.get(self.value, "light-blue")


class Notification(db.Model):
    """One partner service told of one life event: delivered as a case on the customer's
    record, routed and dispatched like any other (its dispatch is the outbox row, and the
    dispatch's id the idempotency key). Its status is read from that case and dispatch."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("life_event_id", "service_id", name="uq_notification"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    life_event_id: Mapped[int] = mapped_column(
        ForeignKey("life_event.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    # Consent, as data: who agreed, to what words, when; and its withdrawal.
    consent_given_by: Mapped[str] = mapped_column(String(200))
    consent_wording: Mapped[str] = mapped_column(Text)
    consent_given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    life_event: Mapped[LifeEvent] = relationship(back_populates="notifications")
    service: Mapped[Service] = relationship(lazy="joined")
    partner: Mapped[Partner | None] = relationship(lazy="joined")
    case: Mapped[Case | None] = relationship()
