"""`flask link` end to end: real files in, pairs out, every kind of bad file reported."""

from __future__ import annotations

import csv
import io

import pytest

pytestmark = pytest.mark.no_db

HEADER = "id,given_name,family_name,date_of_birth,address_line_1,town,postcode,phone,email"
# Two people recorded twice each (a nickname, a swapped date), their twin-like neighbours,
# and enough strangers for the model to learn what a chance agreement looks like.
PEOPLE = [
    "c1,William,Ashworth,1980-03-07,12 Mill Road,Northvale,NV1 2AB,07700900123,w.a@example.org",
    "c2,Bill,Ashworth,1980-07-03,12 Mill Rd,Northvale,nv12ab,,",
    "c3,Siân,Prosser,1975-11-30,4 Station Lane,Eastmoor,EM3 4QT,07700900555,",
    "c4,Sian,Prosser,1975-11-30,4 Station Lane,Eastmoor,EM3 4QT,,sian@example.org",
    "c5,Oliver,Ashworth,1980-03-07,12 Mill Road,Northvale,NV1 2AB,07700900123,",
]


def strangers(count: int, prefix: str = "s") -> list[str]:
    from bench.people import generate

    lines = []
    for i, row in enumerate(generate(count, seed=23).rows[:count]):
        out = io.StringIO()
        values = [f"{prefix}{i}"] + [row[k] for k in HEADER.split(",")[1:]]
        csv.writer(out, lineterminator="").writerow(values)
        lines.append(out.getvalue())
    return lines


@pytest.fixture(scope="module")
def crowd():
    return strangers(400)


def run(app, tmp_path, *files: bytes, args=()):
    paths = []
    for number, content in enumerate(files):
        path = tmp_path / f"in{number}.csv"
        path.write_bytes(content)
        paths.append(str(path))
    out = tmp_path / "pairs.csv"
    result = app.test_cli_runner().invoke(args=["link", *paths, "-o", str(out), *args])
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8")))) if out.exists() else []
    return result, rows


def text(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def pairs(rows):
    assert rows[0] == ["left_id", "right_id", "probability"]
    return {(a, b): float(p) for a, b, p in rows[1:]}


def test_one_file_finds_each_duplicate_pair_once(app, tmp_path, crowd):
    result, rows = run(app, tmp_path, text(HEADER, *PEOPLE, *crowd))
    assert result.exit_code == 0, result.output
    found = pairs(rows)
    assert ("c1", "c2") in found and ("c3", "c4") in found
    assert not {("c1", "c5"), ("c5", "c1"), ("c2", "c5"), ("c5", "c2")} & set(found)  # twins
    assert all((b, a) not in found for a, b in found)
    assert all(a != b and 0.5 <= p <= 1 for (a, b), p in found.items())
    assert "read 405 rows, used 405, skipped 0" in result.stderr
    assert "Compared" in result.stderr


def test_two_files_link_left_records_to_right(app, tmp_path, crowd):
    left = text(HEADER, PEOPLE[0], PEOPLE[2], *crowd[:200])
    right = text(HEADER, PEOPLE[1], PEOPLE[3], PEOPLE[4], *strangers(200, prefix="t"))
    result, rows = run(app, tmp_path, left, right)
    assert result.exit_code == 0, result.output
    found = pairs(rows)
    assert ("c1", "c2") in found and ("c3", "c4") in found
    assert ("c1", "c5") not in found
    assert all(a.startswith(("c", "s")) and b.startswith(("c", "t")) for a, b in found)


def test_threshold_cuts_and_is_checked(app, tmp_path, crowd):
    content = text(HEADER, *PEOPLE, *crowd)
    _, loose = run(app, tmp_path, content, args=["--threshold", "0.01"])
    _, strict = run(app, tmp_path, content, args=["--threshold", "0.999"])
    assert set(pairs(strict)) < set(pairs(loose))
    assert all(p >= 0.999 for p in pairs(strict).values())
    result, _ = run(app, tmp_path, content, args=["--threshold", "2"])
    assert result.exit_code == 2
    assert "0<=x<=1" in result.output


def test_bom_latin1_and_blank_lines(app, tmp_path, crowd):
    utf8 = b"\xef\xbb\xbf" + text(HEADER, "", PEOPLE[2], "", ",,,,,,,,", *crowd[:100])
    latin1 = text(HEADER, *crowd[100:200]) + PEOPLE[3].replace("Sian", "Siân").encode("cp1252")
    result, rows = run(app, tmp_path, utf8, latin1)
    assert result.exit_code == 0, result.output
    assert ("c3", "c4") in pairs(rows)
    assert "read 101 rows, used 101, skipped 0" in result.stderr  # blank lines are not rows
    assert "1 lines were not UTF-8 and were read as Latin-1" in result.stderr


def test_missing_columns_are_compared_as_empty(app, tmp_path):
    content = text("given_name,family_name,ID", "William,Ashworth,1", "Bill,Ashworth,2")
    result, rows = run(app, tmp_path, content)
    assert result.exit_code == 0, result.output
    assert "No column date_of_birth, address_line_1, address_line_2, town, postcode" in (
        result.stderr
    )
    assert rows[0] == ["left_id", "right_id", "probability"]


def test_bad_dates_and_duplicate_ids_are_reported_by_line(app, tmp_path, crowd):
    content = text(
        HEADER,
        PEOPLE[0],
        PEOPLE[1].replace("1980-07-03", "31/02/1980"),
        PEOPLE[0].replace("William", "Someone"),  # line 4: the same id again
        ",Nobody,Else,,,,,,",
        PEOPLE[2] + ",extra,values",
        *crowd[:100],
    )
    result, rows = run(app, tmp_path, content)
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert "Line 3: date_of_birth '31/02/1980' is not a date (YYYY-MM-DD)" in err
    assert "Line 4: repeats id 'c1' from line 2; the first one is used" in err
    assert "Line 5: has no id" in err
    assert "Line 6: has 11 values but the header has 9 columns" in err
    assert "read 105 rows, used 102, skipped 3, 1 values dropped" in err
    found = pairs(rows)
    assert ("c1", "c2") in found  # the row with the bad date still matched, without it
    assert sum(1 for a, b in found if "c1" in (a, b)) == len({b for a, b in found if a == "c1"})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (text("name,surname", "x,y"), "The first row is not a header row"),
        (text("given_name,family_name", "William,Ashworth"), "The header row has no id column"),
        (text("id,id,given_name", "1,1,x"), "The header row names id more than once"),
        ("id\n1\n".encode("utf-16"), "The file is UTF-16 text"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_and_nothing_is_written(
    app, tmp_path, content, message
):
    result, rows = run(app, tmp_path, content)
    assert result.exit_code == 1
    assert message in result.output
    assert rows == []


def test_only_blank_rows_and_a_header_writes_just_the_header(app, tmp_path):
    result, rows = run(app, tmp_path, text(HEADER, "", ""))
    assert result.exit_code == 0, result.output
    assert rows == [["left_id", "right_id", "probability"]]
    assert "read 0 rows" in result.stderr


def test_a_huge_line_is_skipped_not_loaded(app, tmp_path, crowd):
    huge = "h1,William," + "x" * (1 << 21) + ",1980-03-07,,,,,"
    result, rows = run(app, tmp_path, text(HEADER, PEOPLE[0], huge, PEOPLE[1], *crowd[:300]))
    assert result.exit_code == 0, result.output
    assert "Line 3: is longer than 1,048,576 bytes" in result.stderr
    assert ("c1", "c2") in pairs(rows)
