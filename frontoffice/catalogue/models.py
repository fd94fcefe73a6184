from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frontoffice.extensions import db
from frontoffice.partners.models import Partner


class Service(db.Model):
    """An item of the catalogue, e.g. 'missed bin' or 'council tax: moving home'."""

    __tablename__ = "service"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    group: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    owning_partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    sla_working_days: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    owning_partner: Mapped[Partner] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Service {self.code}>"
