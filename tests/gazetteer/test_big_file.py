"""A big file is streamed: memory stays bounded by the batch, not the file."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from frontoffice.extensions import db
from frontoffice.gazetteer import operations
from frontoffice.gazetteer.models import GazetteerAddress

ROWS = 80_000


def _write(path) -> None:
    streets = ["High Street", "Mill Lane", "Church Road", "Station Road", "Priory Walk"]
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(operations.COLUMNS) + "\n")
        for n in range(1, ROWS + 1):
            street = streets[n % len(streets)]
            postcode = (
                f"NV{1 + n % 4} {n % 10}{'ABDEFGHJLN'[n // 10 % 10]}{'PQRSTUWXYZ'[n // 100 % 10]}"
            )
            out.write(
                f"{100000000000 + n},{n % 250 + 1} {street},,,Northvale,{postcode},"
                f"{450000 + n % 9000},{305000 + n % 7000},,,E07000001,E0500010{n % 4 + 1}\n"
            )
        out.write("not-a-uprn,1 High Street,,,Northvale,NV1 2AB,,,,,E07000001,\n")


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_eighty_thousand_rows_stream_in_bounded_memory(tmp_path):
    """The file is ~8 MB; its rows held as Python dicts would take well over 100 MB. The
    resident set is sampled after every batch: it must not grow with the rows read."""
    path = tmp_path / "big.csv"
    _write(path)
    assert path.stat().st_size > 6_000_000
    problems: list[tuple[int, str]] = []
    samples: list[int] = []

    def after_batch() -> None:
        db.session.expunge_all()
        samples.append(_rss())

    with path.open("rb") as stream:
        summary = operations.import_addresses(
            stream,
            on_problem=lambda line, reason: problems.append((line, reason)),
            on_batch=after_batch,
            batch_size=2000,
        )
    assert (summary.read, summary.inserted, summary.skipped) == (ROWS + 1, ROWS, 1)
    assert problems == [(ROWS + 2, "uprn 'not-a-uprn' is not a number of up to 12 digits")]
    assert db.session.scalar(select(func.count()).select_from(GazetteerAddress)) == ROWS
    warm = samples[len(samples) // 4]
    growth = max(samples) - warm
    assert growth < 40_000_000, f"resident memory grew by {growth:,} bytes"
