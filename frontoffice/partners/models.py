from __future__ import annotations

import enum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from frontoffice.enums import string_enum
from frontoffice.extensions import db


class PartnerKind(enum.StrEnum):
    COUNTY = "county"
    DISTRICT = "district"
    UNITARY = "unitary"
    PARTNERSHIP = "partnership"
    POLICE = "police"
    OTHER = "other"


class Partner(db.Model):
    """An organisation in the partnership."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PartnerKind] = mapped_column(string_enum(PartnerKind))

    def __repr__(self) -> str:
        return f"<Partner {self.code}>"
