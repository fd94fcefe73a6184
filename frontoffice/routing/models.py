from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontoffice import clock
from frontoffice.catalogue.models import Service
from frontoffice.enums import string_enum
from frontoffice.extensions import db
from frontoffice.partners.models import Partner
from frontoffice.types import UTCDateTime


class AreaKind(enum.StrEnum):
    ANY = "any"
    DISTRICT = "district"
    WARD = "ward"


routing_rule_partner = Table(
    "routing_rule_partner",
    db.metadata,
    Column("rule_id", ForeignKey("routing_rule.id", ondelete="CASCADE"), primary_key=True),
    Column("partner_id", ForeignKey("partner.id"), primary_key=True),
)


class RoutingRule(db.Model):
    """Which partner(s) deliver a service in an area, from when and until when."""

    __tablename__ = "routing_rule"
    __table_args__ = (
        Index("ix_routing_rule_service_area", "service_id", "area_kind", "area_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    area_kind: Mapped[AreaKind] = mapped_column(string_enum(AreaKind), default=AreaKind.ANY)
    area_code: Mapped[str] = mapped_column(String(20), default="")
    priority: Mapped[int] = mapped_column(Integer, default=100)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    service: Mapped[Service] = relationship()
    partners: Mapped[list[Partner]] = relationship(
        secondary=routing_rule_partner, order_by=Partner.id
    )
