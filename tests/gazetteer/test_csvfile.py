"""Reading CSV files streamed from disk: encodings, blank lines, bad rows, bad headers."""

import io

import pytest

from frontoffice.csvfile import MAX_LINE, CsvFileError, CsvRows, Row, RowProblem

pytestmark = pytest.mark.no_db


def read(data: bytes, required=("a", "b"), optional=("c",)):
    rows = CsvRows(io.BytesIO(data), required=required, optional=optional)
    return rows, list(rows)


def test_rows_carry_their_line_numbers_and_blank_lines_are_skipped():
    rows, items = read(b"A, b ,C\r\n\r\n1,2,3\n,,\n  \n4,5\n")
    assert items == [
        Row(3, {"a": "1", "b": "2", "c": "3"}),
        Row(6, {"a": "4", "b": "5", "c": ""}),
    ]
    assert rows.columns == ["a", "b", "c"]


def test_utf8_with_a_byte_order_mark():
    _, items = read("a,b\nSiân,Ōtautahi\n".encode("utf-8-sig"))
    assert items == [Row(2, {"a": "Siân", "b": "Ōtautahi", "c": ""})]


def test_lines_that_are_not_utf8_are_read_as_windows_1252():
    data = "a,b\nCafé,“quoted”\n".encode("cp1252") + "Siân,ok\n".encode() + b"\x81,x\n"
    rows, items = read(data)
    assert [i.values["a"] for i in items] == ["Café", "Siân", "\x81"]
    assert items[0].values["b"] == "“quoted”"
    assert rows.not_utf8_lines == 2


def test_a_multi_line_quoted_value_is_one_row_reported_at_its_first_line():
    _, items = read(b'a,b\n"line one\nline two",2\n3,4\n')
    assert items == [
        Row(2, {"a": "line one\nline two", "b": "2", "c": ""}),
        Row(4, {"a": "3", "b": "4", "c": ""}),
    ]


def test_bad_rows_are_problems_and_reading_carries_on():
    huge_field = b'"' + b"x" * 200_000 + b'"'
    long_line = b"y" * (MAX_LINE + 10)
    data = b"a,b\n1,2,3,4\n" + huge_field + b",2\n" + long_line + b"\n5,6,,\n7,8\n"
    _, items = read(data)
    assert [type(i) for i in items] == [RowProblem, RowProblem, RowProblem, Row, Row]
    assert items[0] == RowProblem(2, "has 4 values but the header has 2 columns")
    assert items[1].line == 3 and "cannot be read as CSV" in items[1].reason
    assert items[2] == RowProblem(4, f"is longer than {MAX_LINE:,} bytes")
    assert items[3] == Row(5, {"a": "5", "b": "6", "c": ""})  # trailing empty values are fine
    assert items[4].line == 6


def test_unknown_columns_are_ignored_and_listed():
    rows, items = read(b"a,b,colour\n1,2,red\n")
    assert items == [Row(2, {"a": "1", "b": "2", "c": ""})]
    assert rows.ignored_columns == ["colour"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"\n\n  \n", "The file is empty"),
        (b"1,2\n3,4\n", "The first row is not a header row"),
        (b"PK\x03\x04\x14\x00\x06\x00binary", "The first row is not a header row"),
        (b"a,c\n1,2\n", "The header row has no b column"),
        (b"a,b,A\n1,2,3\n", "The header row names a more than once"),
        ("a,b\n1,2\n".encode("utf-16"), "UTF-16"),
    ],
)
def test_files_that_cannot_be_imported(data, message):
    with pytest.raises(CsvFileError, match=message):
        read(data)


def test_the_file_is_read_a_line_at_a_time():
    class OneWayStream(io.BytesIO):
        def read(self, *args):  # pragma: no cover - would load the whole file
            raise AssertionError("read() loads the whole file")

    body = b"a,b\n" + b"1,2\n" * 1000
    rows = CsvRows(OneWayStream(body), required=("a", "b"))
    assert sum(1 for _ in rows) == 1000
