"""Loading the gazetteer from a CSV file: validate each row, upsert good rows in batches.

The file is streamed (see frontoffice/csvfile.py), so its size is limited by the disk, not
memory: the importer holds one batch at a time. A UPRN that appears twice in the file is
caught without remembering every UPRN: each run stamps the rows it writes with its own
`updated_at`, so an existing row carrying this run's stamp was written earlier in this file.

Columns (header row required; names in any order and any case):

    uprn,line_1,line_2,line_3,town,postcode,easting,northing,latitude,longitude,
    district_code,ward_code

uprn, line_1, postcode and district_code are required. Coordinates are optional: give
easting and northing (British National Grid, metres), or latitude and longitude (WGS84), or
both; from easting and northing alone the latitude and longitude are worked out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from frontoffice import clock
from frontoffice.csvfile import CsvRows, ImportSummary, RowProblem
from frontoffice.customers.normalise import normalise_postcode, postcode_key
from frontoffice.extensions import db
from frontoffice.gazetteer import coordinates, keys
from frontoffice.gazetteer.models import GazetteerAddress

REQUIRED = ("uprn", "line_1", "postcode", "district_code")
OPTIONAL = ("line_2", "line_3", "town", "easting", "northing", "latitude", "longitude", "ward_code")
COLUMNS = (
    "uprn",
    "line_1",
    "line_2",
    "line_3",
    "town",
    "postcode",
    "easting",
    "northing",
    "latitude",
    "longitude",
    "district_code",
    "ward_code",
)
LATITUDE_RANGE = (49.0, 61.0)  # Great Britain and Northern Ireland, with a margin
LONGITUDE_RANGE = (-9.0, 2.5)
BATCH_SIZE = 1000

_UPRN = re.compile(r"^[0-9]{1,12}$")
_GSS_CODE = re.compile(r"^[A-Z][0-9]{8}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LENGTHS = {"line_1": 200, "line_2": 200, "line_3": 200, "town": 100}


class BadRow(ValueError):
    """Why one row is skipped."""


def canonical_uprn(value: str | None) -> str | None:
    """'000100012345' -> '100012345'; None unless 1 to 12 digits and not zero."""
    value = (value or "").strip()
    if not _UPRN.match(value) or int(value) == 0:
        return None
    return str(int(value))


def address_row(values: dict[str, str], stamp: datetime) -> dict[str, Any]:
    """A validated row ready to upsert, or BadRow saying what is wrong."""
    missing = [name for name in REQUIRED if not values.get(name)]
    if missing:
        raise BadRow(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing")
    uprn = canonical_uprn(values["uprn"])
    if uprn is None:
        raise BadRow(f"uprn {values['uprn'][:40]!r} is not a number of up to 12 digits")
    for name, limit in _LENGTHS.items():
        if len(values.get(name, "")) > limit:
            raise BadRow(f"{name} is longer than {limit} characters")
    if _CONTROL.search("".join(values.get(name, "") for name in _LENGTHS)):
        name = next(n for n in _LENGTHS if _CONTROL.search(values.get(n, "")))
        raise BadRow(f"{name} contains control characters")
    postcode = normalise_postcode(values["postcode"])
    if postcode is None:
        raise BadRow(f"postcode {values['postcode'][:20]!r} is not a valid UK postcode")
    district = values["district_code"].upper()
    ward = values.get("ward_code", "").upper() or None
    for name, code in (("district_code", district), ("ward_code", ward)):
        if code is not None and not _GSS_CODE.match(code):
            raise BadRow(f"{name} {code[:20]!r} is not a GSS code like E07000001")
    easting, northing = _pair(values, "easting", "northing", _grid)
    latitude, longitude = _pair(values, "latitude", "longitude", _degrees)
    if easting is not None:
        if not (0 <= easting <= coordinates.MAX_EASTING):
            raise BadRow(f"easting {easting} is outside the National Grid")
        if not (0 <= northing <= coordinates.MAX_NORTHING):
            raise BadRow(f"northing {northing} is outside the National Grid")
    if latitude is not None:
        if not LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]:
            raise BadRow(f"latitude {latitude} is outside the United Kingdom")
        if not LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]:
            raise BadRow(f"longitude {longitude} is outside the United Kingdom")
    elif easting is not None:
        latitude, longitude = coordinates.grid_to_wgs84(easting, northing)
    line_1, line_2, line_3 = (values.get(n, "") for n in ("line_1", "line_2", "line_3"))
    street_key, house_number, line_key = keys.address_keys(line_1, line_2, line_3)
    return {
        "uprn": uprn,
        "line_1": line_1,
        "line_2": line_2,
        "line_3": line_3,
        "town": values.get("town", ""),
        "postcode": postcode,
        "postcode_key": postcode_key(postcode),
        "easting": easting,
        "northing": northing,
        "latitude": latitude,
        "longitude": longitude,
        "district_code": district,
        "ward_code": ward,
        "street_key": street_key,
        "house_number": house_number,
        "line_key": line_key,
        "updated_at": stamp,
    }


def _pair(values: dict[str, str], first: str, second: str, parse: Callable) -> tuple[Any, Any]:
    a, b = values.get(first, ""), values.get(second, "")
    if not a and not b:
        return None, None
    if not a or not b:
        raise BadRow(f"give both {first} and {second}, or neither")
    return parse(first, a), parse(second, b)


def _number(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise BadRow(f"{name} {value[:20]!r} is not a number") from None
    if not math.isfinite(number):
        raise BadRow(f"{name} {value[:20]!r} is not a number")
    return number


def _grid(name: str, value: str) -> int:
    return round(_number(name, value))


def _degrees(name: str, value: str) -> float:
    return round(_number(name, value), 7)


def import_addresses(
    stream: BinaryIO,
    *,
    on_problem: Callable[[int, str], None],
    on_batch: Callable[[], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    """Reads the CSV stream and upserts every good row; on_problem(line, reason) hears of each
    row skipped, on_batch() is called after each batch is written (the CLI commits there).
    Raises CsvFileError when the file is unreadable or has no valid header."""
    rows = CsvRows(stream, required=REQUIRED, optional=OPTIONAL, example=COLUMNS)
    summary = ImportSummary(counts_unchanged=False)
    stamp = _run_stamp()
    batch: dict[str, tuple[int, dict[str, Any]]] = {}

    def skip(line: int, reason: str) -> None:
        summary.skipped += 1
        on_problem(line, reason)

    for item in rows:
        summary.read += 1
        if isinstance(item, RowProblem):
            skip(item.line, item.reason)
            continue
        try:
            row = address_row(item.values, stamp)
        except BadRow as error:
            skip(item.line, str(error))
            continue
        earlier = batch.get(row["uprn"])
        if earlier is not None:
            skip(item.line, f"uprn {row['uprn']} appears earlier in the file (line {earlier[0]})")
            continue
        batch[row["uprn"]] = (item.line, row)
        if len(batch) >= batch_size:
            _write(batch, stamp, summary, skip)
            if on_batch:
                on_batch()
    if batch:
        _write(batch, stamp, summary, skip)
        if on_batch:
            on_batch()
    summary.not_utf8_lines = rows.not_utf8_lines
    summary.ignored_columns = tuple(rows.ignored_columns)
    return summary


def _run_stamp() -> datetime:
    """A time no row carries yet, even when the clock is frozen (as in tests)."""
    stamp = clock.now()
    latest = db.session.scalar(select(func.max(GazetteerAddress.updated_at)))
    if latest is not None and latest >= stamp:
        stamp = latest + timedelta(microseconds=1)
    return stamp


def _write(
    batch: dict[str, tuple[int, dict[str, Any]]],
    stamp: datetime,
    summary: ImportSummary,
    skip: Callable[[int, str], None],
) -> None:
    existing = dict(
        db.session.execute(
            select(GazetteerAddress.uprn, GazetteerAddress.updated_at).where(
                GazetteerAddress.uprn.in_(list(batch))
            )
        ).all()
    )
    rows = []
    for uprn, (line, row) in sorted(batch.items(), key=lambda item: item[1][0]):
        if uprn in existing and existing[uprn] == stamp:
            skip(line, f"uprn {uprn} appears earlier in the file")
            continue
        if uprn in existing:
            summary.updated += 1
        else:
            summary.inserted += 1
        rows.append(row)
    if rows:
        upsert(rows)
    batch.clear()


def upsert(rows: list[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT (uprn) DO UPDATE, on PostgreSQL or SQLite."""
    dialect = db.session.get_bind().dialect.name
    table = GazetteerAddress.__table__
    if dialect == "postgresql":
        insert = postgresql.insert(table)
    elif dialect == "sqlite":
        insert = sqlite.insert(table)
    else:  # pragma: no cover - the app runs on these two
        raise RuntimeError(f"gazetteer import does not support {dialect}")
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.uprn],
        set_={name: insert.excluded[name] for name in rows[0] if name != "uprn"},
    )
    db.session.execute(statement, rows)


def import_demo() -> ImportSummary:
    """Loads frontoffice/demo/gazetteer.csv (the demo districts' addresses); flushes only."""
    from importlib.resources import files

    def refuse(line: int, reason: str) -> None:
        raise ValueError(f"demo gazetteer line {line}: {reason}")

    with (files("frontoffice.demo") / "gazetteer.csv").open("rb") as stream:
        return import_addresses(stream, on_problem=refuse)
