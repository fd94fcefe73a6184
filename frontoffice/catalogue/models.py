from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontoffice.enums import string_enum
from frontoffice.extensions import db
from frontoffice.partners.models import Partner


class ServiceTier(enum.StrEnum):
    """Which tier of local government delivers a service, for routing: the county for the
    whole area, each district for its own residents, or any partner the rules name."""

    COUNTY = "county"
    DISTRICT = "district"
    ANY = "any"

    @property
    def label(self) -> str:
        return {"county": "County", "district": "District", "any": "Any partner"}[self.value]


class QuestionType(enum.StrEnum):
    """Open311 attribute datatypes."""

    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLEVALUELIST = "singlevaluelist"
    MULTIVALUELIST = "multivaluelist"

    @property
    def label(self) -> str:
        return {
            "string": "Short text (one line)",
            "number": "Number",
            "datetime": "Date and time",
            "text": "Long text",
            "singlevaluelist": "Choose one from a list",
            "multivaluelist": "Choose any from a list",
        }[self.value]

    @property
    def has_values(self) -> bool:
        return self in (QuestionType.SINGLEVALUELIST, QuestionType.MULTIVALUELIST)


class Service(db.Model):
    """An item of the catalogue, e.g. 'missed bin' or 'council tax: moving home'."""

    __tablename__ = "service"
    __table_args__ = (
        CheckConstraint("sla_working_days IS NULL OR sla_hours IS NULL", name="one_sla_measure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    group: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    owning_partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    # A target in working days (England and Wales) or in clock hours, or none: never both.
    sla_working_days: Mapped[int | None] = mapped_column(Integer)
    sla_hours: Mapped[int | None] = mapped_column(Integer)
    # Working days the delivering partner has to acknowledge a case; None: no target.
    ack_working_days: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Words people use for it that are not in its name ("wheelie bin", "brown bin").
    keywords: Mapped[str] = mapped_column(Text, default="")
    # What an adviser should say or check when raising it.
    adviser_script: Mapped[str] = mapped_column(Text, default="")
    tier: Mapped[ServiceTier] = mapped_column(string_enum(ServiceTier), default=ServiceTier.ANY)

    owning_partner: Mapped[Partner] = relationship(lazy="joined")
    questions: Mapped[list[ServiceQuestion]] = relationship(
        back_populates="service",
        order_by="(ServiceQuestion.order, ServiceQuestion.id)",
        cascade="all, delete-orphan",
    )

    @property
    def active_questions(self) -> list[ServiceQuestion]:
        return [q for q in self.questions if q.active]

    def __repr__(self) -> str:
        return f"<Service {self.code}>"


class ServiceQuestion(db.Model):
    """One question asked when a case is raised for a service: an Open311 attribute.

    A question's code is unique within its service for ever (deactivated questions keep it),
    because answers already given are stored under it.
    """

    __tablename__ = "service_question"
    __table_args__ = (UniqueConstraint("service_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    code: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(300))
    datatype: Mapped[QuestionType] = mapped_column(string_enum(QuestionType))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    order: Mapped[int] = mapped_column(Integer, default=0)
    hint: Mapped[str] = mapped_column(Text, default="")
    # For list types: [{"key": "grey", "name": "Grey bin (general waste)"}, ...].
    values: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    service: Mapped[Service] = relationship(back_populates="questions")

    def value_name(self, key: str) -> str:
        return next((v["name"] for v in self.values if v.get("key") == key), key)

    def __repr__(self) -> str:
        return f"<ServiceQuestion {self.code} of service {self.service_id}>"
