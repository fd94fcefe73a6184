"""Importing the gazetteer: validation, upsert, re-import, duplicates, the CLI."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from frontoffice.extensions import db
from frontoffice.gazetteer import queries
from frontoffice.gazetteer.models import GazetteerAddress
from tests.gazetteer.helpers import HEADER, address, csv_bytes, load


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(GazetteerAddress))


def test_good_rows_are_inserted_with_keys_and_normalised_values():
    data = csv_bytes(
        [
            address("100012345678", "12 High Street", "nv12ab", line_2="", town="Northvale"),
            address("000000000042", "Flat 2", "NV1 2AB", line_2="14 Mill Court", ward_code=""),
        ]
    )
    summary, problems = load(data)
    assert problems == []
    assert (summary.read, summary.inserted, summary.updated, summary.skipped) == (2, 2, 0, 0)
    first = queries.by_uprn("100012345678")
    assert (first.postcode, first.postcode_key) == ("NV1 2AB", "NV12AB")
    assert (first.street_key, first.house_number, first.line_key) == (
        "high street",
        12,
        "12 high street",
    )
    assert first.label == "12 High Street, Northvale, NV1 2AB"
    flat = queries.by_uprn("42")
    assert flat.uprn == "42" and flat.ward_code is None and flat.house_number == 14
    assert queries.by_uprn("000000000042") is flat


def test_reimport_updates_in_place():
    load(csv_bytes([address("1", "1 Old Road"), address("2", "2 Old Road")]))
    summary, _ = load(
        csv_bytes(
            [
                address("1", "1 New Road", "EM1 3XY", district_code="E07000002"),
                address("3", "3 Old Road"),
            ]
        )
    )
    assert (summary.inserted, summary.updated) == (1, 1)
    db.session.expire_all()
    moved = queries.by_uprn("1")
    assert (moved.line_1, moved.postcode, moved.district_code, moved.street_key) == (
        "1 New Road",
        "EM1 3XY",
        "E07000002",
        "new road",
    )
    assert count() == 3


def test_easting_and_northing_alone_give_latitude_and_longitude():
    row = address(
        "7", "7 Mill Lane", easting="455000", northing="310000.4", latitude="", longitude=""
    )
    summary, problems = load(csv_bytes([row]))
    assert problems == [] and summary.inserted == 1
    found = queries.by_uprn("7")
    assert (found.easting, found.northing) == (455000, 310000)
    assert found.latitude == pytest.approx(52.684909, abs=1e-5)
    assert found.longitude == pytest.approx(-1.187819, abs=1e-5)


def test_no_coordinates_at_all_is_fine():
    summary, problems = load(csv_bytes([address("8", "8 Mill Lane", latitude="", longitude="")]))
    assert problems == [] and queries.by_uprn("8").latitude is None


BAD_ROWS = [
    (address("", "1 High Street"), "uprn is missing"),
    (address("9", "", postcode=""), "line_1, postcode are missing"),
    (address("12a", "1 High Street"), "uprn '12a' is not a number of up to 12 digits"),
    (address("1234567890123", "1 High Street"), "is not a number of up to 12 digits"),
    (address("0", "1 High Street"), "is not a number of up to 12 digits"),
    (
        address("10", "1 High Street", postcode="NV1 2ZZZ"),
        "postcode 'NV1 2ZZZ' is not a valid UK postcode",
    ),
    (address("11", "1 High Street", postcode="QV1 2AB"), "is not a valid UK postcode"),
    (
        address("12", "1 High Street", district_code="Northvale"),
        "district_code 'NORTHVALE' is not a GSS code",
    ),
    (address("13", "1 High Street", ward_code="W1"), "ward_code 'W1' is not a GSS code"),
    (
        address("14", "1 High Street", latitude="52.6", longitude=""),
        "give both latitude and longitude, or neither",
    ),
    (
        address("15", "1 High Street", latitude="north", longitude="1"),
        "latitude 'north' is not a number",
    ),
    (
        address("16", "1 High Street", latitude="nan", longitude="1"),
        "latitude 'nan' is not a number",
    ),
    (
        address("17", "1 High Street", latitude="48.9", longitude="-1.2"),
        "latitude 48.9 is outside the United Kingdom",
    ),
    (
        address("18", "1 High Street", longitude="12"),
        "longitude 12.0 is outside the United Kingdom",
    ),
    (
        address("19", "1 High Street", easting="-5", northing="300000"),
        "easting -5 is outside the National Grid",
    ),
    (
        address("20", "1 High Street", easting="5", northing="1300001"),
        "northing 1300001 is outside the National Grid",
    ),
    (address("21", "x" * 201), "line_1 is longer than 200 characters"),
    (address("22", "1 High Street\x00"), "line_1 contains control characters"),
    (address("23", "1 High Street", town="T" * 101), "town is longer than 100 characters"),
]


def test_bad_rows_are_reported_with_line_numbers_and_reasons_and_skipped():
    good = address("100", "1 Good Road")
    summary, problems = load(
        csv_bytes([good] + [row for row, _ in BAD_ROWS] + [good | {"uprn": "101"}])
    )
    assert (summary.read, summary.inserted, summary.skipped) == (
        len(BAD_ROWS) + 2,
        2,
        len(BAD_ROWS),
    )
    assert [line for line, _ in problems] == list(range(3, 3 + len(BAD_ROWS)))
    for (line, reason), (_, expected) in zip(problems, BAD_ROWS, strict=True):
        assert expected in reason, (line, reason)
    assert count() == 2


@pytest.mark.parametrize("batch_size", [1000, 2])
def test_a_uprn_twice_in_one_file_keeps_the_first_and_reports_the_second(batch_size):
    rows = [
        address("1", "1 First Road"),
        address("2", "2 First Road"),
        address("3", "3 First Road"),
        address("1", "1 Second Road"),
        address("0001", "1 Third Road"),
    ]
    summary, problems = load(csv_bytes(rows), batch_size=batch_size)
    assert [line for line, _ in problems] == [5, 6]
    assert all("uprn 1 appears earlier in the file" in reason for _, reason in problems)
    assert (summary.inserted, summary.skipped) == (3, 2)
    assert queries.by_uprn("1").line_1 == "1 First Road"


def test_a_second_import_with_a_frozen_clock_is_still_an_update(time_machine):
    time_machine.move_to("2026-03-02 09:00:00+00:00", tick=False)
    load(csv_bytes([address("1", "1 First Road")]))
    summary, problems = load(csv_bytes([address("1", "1 Second Road")]))
    assert problems == [] and summary.updated == 1


def test_latin1_and_bom_files_import():
    rows = [address("1", "1 Rue Café"), address("2", "2 Siân Street")]
    summary, problems = load(b"\xef\xbb\xbf" + csv_bytes(rows[1:]))
    assert problems == [] and summary.inserted == 1
    summary, _ = load(csv_bytes(rows[:1], encoding="latin-1"))
    assert summary.inserted == 1 and summary.not_utf8_lines == 1
    assert queries.by_uprn("1").line_1 == "1 Rue Café"
    assert queries.by_uprn("2").line_1 == "2 Siân Street"


def test_only_the_required_columns_in_any_order_and_case():
    data = b"POSTCODE,District_Code,UPRN,Line_1,notes\nnv1 2ab,e07000001,5,5 Mill Lane,ignored\n"
    summary, problems = load(data)
    assert problems == [] and summary.inserted == 1 and summary.ignored_columns == ("notes",)
    assert queries.by_uprn("5").district_code == "E07000001"


def test_cli_prints_problems_and_a_summary(app, tmp_path):
    path = tmp_path / "gazetteer.csv"
    path.write_bytes(
        csv_bytes(
            [
                address("1", "1 High Street"),
                address("x", "2 High Street"),
                address("3", "3 High Street"),
            ]
        )
    )
    result = app.test_cli_runner().invoke(args=["gazetteer", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Read 3 rows: 2 inserted, 0 updated, 1 skipped." in result.stdout
    assert "Line 3: uprn 'x' is not a number of up to 12 digits" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"uprn,line_1,postcode\n1,1 High St,NV1 2AB\n", "no district_code column"),
        ("uprn,line_1\n".encode("utf-16"), "UTF-16"),
    ],
)
def test_cli_fails_only_when_the_file_cannot_be_imported(app, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = app.test_cli_runner().invoke(args=["gazetteer", "import", str(path)])
    assert result.exit_code == 1 and message in result.stderr


def test_cli_refuses_a_missing_file(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["gazetteer", "import", str(tmp_path / "none.csv")])
    assert result.exit_code == 2


def test_cli_reads_stdin_and_limits_the_problems_it_prints(app):
    rows = [address(str(n), f"{n} High Street", postcode="nope") for n in range(1, 6)]
    result = app.test_cli_runner().invoke(
        args=["gazetteer", "import", "-", "--show", "2"], input=io.BytesIO(csv_bytes(rows))
    )
    assert result.exit_code == 0
    assert result.stderr.count("is not a valid UK postcode") == 2
    assert "... and 3 more rows skipped." in result.stderr
    assert "5 skipped" in result.stdout


def test_the_demo_gazetteer_loads_cleanly():
    from frontoffice.gazetteer.operations import import_demo

    summary = import_demo()
    assert summary.inserted >= 290 and summary.skipped == 0
    districts = set(db.session.scalars(select(GazetteerAddress.district_code).distinct()))
    assert districts == {"E07000001", "E07000002", "E07000003"}
    assert HEADER[0] == "uprn"
