"""Finding addresses by postcode, UPRN and free text, always through an index."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from frontoffice.extensions import db
from frontoffice.gazetteer import queries
from tests.gazetteer.helpers import address, csv_bytes, load


@pytest.fixture
def street():
    rows = [
        address("1", "10 High Street"),
        address("2", "2 High Street"),
        address("3", "1 High Street"),
        address("4", "Flat 10", line_2="12 High Street"),
        address("5", "Flat 2", line_2="12 High Street"),
        address("6", "Rose Cottage", line_2="Church Lane", postcode="NV1 2AD"),
        address("7", "12 Highfield Rise", postcode="NV2 4XY", town="Haverton"),
        address("8", "3 Mill Lane", postcode="EM1 3AB", town="Eastmoor"),
        address("9", "3 Mill Lane", postcode="NV1 5AB", town="Northvale"),
        address("10", "St Mary's Close", postcode="NV1 5AB"),
    ]
    summary, problems = load(csv_bytes(rows))
    assert problems == []


def lines(found) -> list[str]:
    return [", ".join(a.lines[:2]) for a in found]


def test_by_postcode_sorts_house_numbers_as_numbers(street):
    assert lines(queries.by_postcode("nv12ab")) == [
        "1 High Street, Northvale",
        "2 High Street, Northvale",
        "10 High Street, Northvale",
        "Flat 2, 12 High Street",
        "Flat 10, 12 High Street",
    ]
    assert queries.by_postcode("NV9 9ZZ") == []
    assert queries.by_postcode("not a postcode") == []
    assert queries.by_postcode(None) == []


def test_by_uprn(street):
    assert queries.by_uprn("0000000003").line_1 == "1 High Street"
    assert queries.by_uprn("999") is None
    for bad in ("", None, "abc", "1" * 13, "1; DROP TABLE gazetteer_address"):
        assert queries.by_uprn(bad) is None


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("NV1 2AB", ["1", "2", "10", "Flat 2", "Flat 10"]),
        ("nv1 2ad", ["Rose Cottage"]),
        ("high st", ["1", "2", "10", "Flat 2", "Flat 10"]),
        ("12 High Street", ["Flat 2", "Flat 10"]),
        ("Flat 2, 12 High Street", ["Flat 2", "Flat 10"]),
        ("1 high street", ["1"]),
        ("rose cott", ["Rose Cottage"]),
        ("church lane", ["Rose Cottage"]),
        ("highf", ["12"]),
        ("3 mill lane eastmoor", ["3"]),
        ("3 mill lane", ["3", "3"]),
        ("st marys", ["St Mary's Close"]),
        ("10 high street nv1 2ab", ["10"]),
        ("nothing like it", []),
        ("", []),
        ("%", []),
    ],
)
def test_search(street, q, expected):
    assert [
        a.line_1.split(" ")[0] if a.line_1[0].isdigit() else a.line_1 for a in queries.search(q)
    ] == expected


def test_search_by_part_of_a_postcode_and_the_limit(street):
    assert {a.postcode for a in queries.search("NV1")} == {"NV1 2AB", "NV1 2AD", "NV1 5AB"}
    assert {a.postcode for a in queries.search("nv1 5")} == {"NV1 5AB"}
    assert len(queries.search("NV1", limit=2)) == 2
    assert len(queries.search("NV1", limit=0)) == 1
    assert [a.town for a in queries.search("3 mill lane")] == ["Eastmoor", "Northvale"]


@pytest.mark.parametrize(
    "q", ["NV1 2AB", "NV1", "12 high st", "rose cottage", "3 mill lane eastmoor"]
)
def test_searches_use_an_index_not_a_scan(street, q):
    """On a million rows a table scan takes seconds: every search must be answered by an
    index. The statements the search runs are captured and explained on the same database."""
    connection = db.session.connection()
    captured: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "FROM gazetteer_address" in statement:
            captured.append((statement, parameters))

    event.listen(connection.engine, "before_cursor_execute", capture)
    try:
        queries.search(q)
    finally:
        event.remove(connection.engine, "before_cursor_execute", capture)
    assert captured
    sqlite = connection.dialect.name == "sqlite"
    if not sqlite:  # the planner prefers a scan on a tiny table; forbid it to see the index
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    for statement, parameters in captured:
        explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
        plan = "\n".join(
            str(row[-1]) for row in connection.exec_driver_sql(explain + statement, parameters)
        )
        assert "SCAN gazetteer_address" not in plan and "Seq Scan" not in plan, plan
        assert "ix_gazetteer_address" in plan, plan
