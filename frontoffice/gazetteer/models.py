from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from frontoffice import clock
from frontoffice.extensions import db
from frontoffice.types import UTCDateTime

# PostgreSQL can only use a b-tree index for LIKE 'prefix%' with the pattern operator class
# (the database's collation may not sort bytewise). SQLite searches these columns by range.
_PATTERN_OPS = "varchar_pattern_ops"


class GazetteerAddress(db.Model):
    """One addressable property, keyed by its Unique Property Reference Number (UPRN).

    Loaded from the partnership's gazetteer with `flask gazetteer import`; it places cases and
    customers in a district and ward for routing. See frontoffice/gazetteer/keys.py for the
    search keys.
    """

    __tablename__ = "gazetteer_address"
    __table_args__ = (
        Index(
            "ix_gazetteer_address_postcode_key",
            "postcode_key",
            postgresql_ops={"postcode_key": _PATTERN_OPS},
        ),
        Index(
            "ix_gazetteer_address_street_key",
            "street_key",
            "house_number",
            postgresql_ops={"street_key": _PATTERN_OPS},
        ),
        Index(
            "ix_gazetteer_address_line_key",
            "line_key",
            postgresql_ops={"line_key": _PATTERN_OPS},
        ),
    )

    uprn: Mapped[str] = mapped_column(String(12), primary_key=True)
    line_1: Mapped[str] = mapped_column(String(200))
    line_2: Mapped[str] = mapped_column(String(200), default="")
    line_3: Mapped[str] = mapped_column(String(200), default="")
    town: Mapped[str] = mapped_column(String(100), default="")
    postcode: Mapped[str] = mapped_column(String(8))
    postcode_key: Mapped[str] = mapped_column(String(7))
    easting: Mapped[int | None] = mapped_column(Integer)
    northing: Mapped[int | None] = mapped_column(Integer)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    district_code: Mapped[str] = mapped_column(String(9), index=True)
    ward_code: Mapped[str | None] = mapped_column(String(9), index=True)
    street_key: Mapped[str] = mapped_column(String(120), default="")
    house_number: Mapped[int | None] = mapped_column(Integer)
    line_key: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    @property
    def lines(self) -> list[str]:
        return [p for p in (self.line_1, self.line_2, self.line_3, self.town) if p]

    @property
    def label(self) -> str:
        """'12 High Street, Northvale, NV1 2AB'."""
        return ", ".join([*self.lines, self.postcode])

    def as_dict(self) -> dict[str, object]:
        return {
            "uprn": self.uprn,
            "line_1": self.line_1,
            "line_2": self.line_2,
            "line_3": self.line_3,
            "town": self.town,
            "postcode": self.postcode,
            "easting": self.easting,
            "northing": self.northing,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "district_code": self.district_code,
            "ward_code": self.ward_code,
            "label": self.label,
        }

    def __repr__(self) -> str:
        return f"<GazetteerAddress {self.uprn}>"
