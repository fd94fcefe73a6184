from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontoffice import clock
from frontoffice.customers import normalise
from frontoffice.enums import string_enum
from frontoffice.extensions import db
from frontoffice.partners.models import Partner
from frontoffice.types import UTCDateTime


class Language(enum.StrEnum):
    ENGLISH = "en"
    WELSH = "cy"


class PreferredChannel(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    SMS = "sms"


class Customer(db.Model):
    """One resident, one record: the single customer record."""

    __tablename__ = "customer"
    __table_args__ = (
        # Search narrows on a surname key and then the first name, in one index range each.
        Index("ix_customer_family_key_given", "family_key", "given_key"),
        Index("ix_customer_family_soundex_given", "family_soundex", "given_key"),
        Index("ix_customer_family_metaphone_given", "family_metaphone", "given_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(20), default="")
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str] = mapped_column(String(100), default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date, index=True)
    preferred_language: Mapped[Language] = mapped_column(
        string_enum(Language), default=Language.ENGLISH
    )
    preferred_channel: Mapped[PreferredChannel] = mapped_column(
        string_enum(PreferredChannel), default=PreferredChannel.PHONE
    )
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    date_of_death: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
    # Set while this record is merged into another (frontoffice/merging): kept, read-only,
    # left out of search and matching, its page pointing to the survivor.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)

    # Search keys, derived from the names on every save (see set_names).
    given_key: Mapped[str] = mapped_column(String(100), default="")
    family_key: Mapped[str] = mapped_column(String(100), default="")
    family_soundex: Mapped[str] = mapped_column(String(8), default="")
    family_metaphone: Mapped[str] = mapped_column(String(12), default="")

    phones: Mapped[list[CustomerPhone]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="CustomerPhone.id"
    )
    emails: Mapped[list[CustomerEmail]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="CustomerEmail.id"
    )
    addresses: Mapped[list[CustomerAddress]] = relationship(
        back_populates="customer",
        cascade="all, delete-orphan",
        order_by="CustomerAddress.valid_from.desc()",
    )
    warnings: Mapped[list[WarningMarker]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="WarningMarker.id"
    )
    references: Mapped[list[ExternalReference]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="ExternalReference.id"
    )

    def set_names(self, *, given_name: str, family_name: str) -> None:
        self.given_name = given_name
        self.family_name = family_name
        self.given_key = normalise.name_key(given_name)
        self.family_key = normalise.name_key(family_name)
        self.family_soundex = normalise.soundex(family_name)
        self.family_metaphone = normalise.metaphone(family_name)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.title, self.given_name, self.family_name) if p)

    @property
    def current_address(self) -> CustomerAddress | None:
        current = [a for a in self.addresses if a.valid_to is None]
        return current[0] if current else None

    @property
    def previous_addresses(self) -> list[CustomerAddress]:
        return [a for a in self.addresses if a.valid_to is not None]

    @property
    def active_warnings(self) -> list[WarningMarker]:
        return [w for w in self.warnings if w.ended_at is None]

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    @property
    def is_deceased(self) -> bool:
        return self.date_of_death is not None

    def __repr__(self) -> str:
        return f"<Customer {self.id} {self.family_name}>"


class CustomerPhone(db.Model):
    __tablename__ = "customer_phone"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(40))
    number_key: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="mobile")

    customer: Mapped[Customer] = relationship(back_populates="phones")

    @property
    def display(self) -> str:
        return normalise.display_phone(self.number)


class CustomerEmail(db.Model):
    __tablename__ = "customer_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str] = mapped_column(String(254))
    address_key: Mapped[str] = mapped_column(String(254), index=True)

    customer: Mapped[Customer] = relationship(back_populates="emails")


class CustomerAddress(db.Model):
    """An address the customer lives or lived at; valid_to is empty for the current one."""

    __tablename__ = "customer_address"
    __table_args__ = (Index("ix_customer_address_postcode_key", "postcode_key", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    uprn: Mapped[str | None] = mapped_column(String(12), index=True)
    line_1: Mapped[str] = mapped_column(String(200))
    line_2: Mapped[str] = mapped_column(String(200), default="")
    town: Mapped[str] = mapped_column(String(100), default="")
    postcode: Mapped[str] = mapped_column(String(10))
    postcode_key: Mapped[str] = mapped_column(String(10))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    customer: Mapped[Customer] = relationship(back_populates="addresses")

    @property
    def one_line(self) -> str:
        return ", ".join(p for p in (self.line_1, self.line_2, self.town, self.postcode) if p)


class WarningMarker(db.Model):
    """A staff-safety marker, shown before anything else on the record."""

    __tablename__ = "warning_marker"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    review_date: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer: Mapped[Customer] = relationship(back_populates="warnings")

    @property
    def review_overdue(self) -> bool:
        return self.review_date < clock.today()


class ExternalReference(db.Model):
    """What a partner's own system calls this customer, e.g. a council tax account number."""

    __tablename__ = "external_reference"
    __table_args__ = (
        UniqueConstraint("partner_id", "system", "reference_key", name="uq_external_reference_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    system: Mapped[str] = mapped_column(String(60))
    reference: Mapped[str] = mapped_column(String(60))
    reference_key: Mapped[str] = mapped_column(String(60), index=True)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)

    customer: Mapped[Customer] = relationship(back_populates="references")
    partner: Mapped[Partner] = relationship(lazy="joined")
