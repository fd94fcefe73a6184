"""Making gazetteer CSV files and loading them in tests."""

from __future__ import annotations

import csv
import io

from frontoffice.gazetteer import operations

HEADER = list(operations.COLUMNS)


def address(uprn: str, line_1: str, postcode: str = "NV1 2AB", **values: object) -> dict:
    row = {
        "uprn": uprn,
        "line_1": line_1,
        "postcode": postcode,
        "town": "Northvale",
        "district_code": "E07000001",
        "ward_code": "E05000101",
        "latitude": "52.6",
        "longitude": "-1.2",
    }
    row.update({k: str(v) for k, v in values.items()})
    return row


def csv_bytes(rows: list[dict], header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def load(data: bytes, **kwargs):
    problems: list[tuple[int, str]] = []
    summary = operations.import_addresses(
        io.BytesIO(data), on_problem=lambda line, reason: problems.append((line, reason)), **kwargs
    )
    return summary, problems
