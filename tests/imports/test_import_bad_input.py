"""Bad extracts: every row that cannot be imported is reported with its line and why, the rest
are imported, and a file that cannot be read imports nothing."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from frontoffice.customers.models import Customer, ExternalReference
from frontoffice.extensions import db
from frontoffice.imports import operations
from frontoffice.imports.models import ImportRun, RunStatus
from tests import factories
from tests.imports.conftest import HEADER, text

GOOD = "P1,Priya,Raman,1991-06-15,7 Chapel Street,Northvale,NV2 3DF,07700900777,pr@example.org"


def customers() -> list[Customer]:
    return list(db.session.scalars(select(Customer).order_by(Customer.id)))


def refs() -> set[str]:
    return set(db.session.scalars(select(ExternalReference.reference)))


def test_each_bad_row_is_skipped_with_its_line_and_reason(run_import, tmp_path):
    rows = [
        GOOD,
        "P2,Tom,Hale,31/02/1980,,,,,",
        "P3,Tom,Hale,2090-01-01,,,,,",
        "P4,Tom,Hale,,,,NOT A POSTCODE,,",
        "P5,Tom,Hale,,,,,ring after 6,",
        "P6,Tom,Hale,,,,,,not-an-email",
        "P7," + "T" * 101 + ",Hale,,,,,,",
        "X" * 61 + ",Tom,Hale,,,,,,",
        'P9,"Tom\x00",Hale,,,,,,',
        'P10,"Tom\nHale",Hale,,,,,,',
        ",Tom,Hale,,,,,,",
        "---,Tom,Hale,,,,,,",
        "P13,Tom,Hale,,,,,,,too,many",
        "P14,,,,,,,,",  # nothing to make a record of
        '=HYPERLINK("http://evil.example"),Tom,Hale,31/31/1999,,,,,',
    ]
    report = tmp_path / "skipped.csv"
    done = run_import(text(HEADER, *rows), "--skipped", str(report))
    assert done.result.exit_code == 0, done.result.output
    expected = [
        (3, "P2", "date_of_birth '31/02/1980' is not a date (YYYY-MM-DD)"),
        (4, "P3", "date_of_birth '2090-01-01' is in the future"),
        (5, "P4", "postcode 'NOT A POSTCODE' is not a UK postcode"),
        (6, "P5", "phone 'ring after 6' is not a phone number"),
        (7, "P6", "email 'not-an-email' is not an email address"),
        (8, "P7", "given_name is longer than 100 characters"),
        (9, "X" * 60, "id is longer than 60 characters"),
        (10, "P9", "given_name contains control characters (a line break, a NUL or similar)"),
        (11, "P10", "given_name contains control characters (a line break, a NUL or similar)"),
        (13, "", "has no id"),
        (14, "'---", "id '---' has no letters or numbers"),  # never a formula
        (15, "", "has 11 values but the header has 9 columns"),
        (
            16,
            "P14",
            "has no customer it matches, and a new customer record needs a given_name and "
            "a family_name",
        ),
        (
            17,
            '\'=HYPERLINK("http://evil.example")',
            "date_of_birth '31/31/1999' is not a date (YYYY-MM-DD)",
        ),
    ]
    for line, _, reason in expected:
        assert f"Line {line}: {reason}" in done.err
    assert "Read 15 rows:" in done.out and "new customers: 1" in done.out
    assert "skipped: 14" in done.out
    assert f"Skipped and differing rows, with reasons: {report}" in done.out
    with report.open(encoding="utf-8") as written:
        found = sorted(list(csv.reader(written))[1:], key=lambda row: int(row[0]))
        assert found == [[str(line), ref, "skipped", reason] for line, ref, reason in expected]
    assert refs() == {"P1"}
    assert [c.given_name for c in customers()] == ["Priya"]


def test_hostile_but_valid_text_is_kept_exactly_as_text(run_import):
    names = [
        ("<script>alert(1)</script>", "O'Brien; DROP TABLE customer;--"),
        ("Zoë 👩‍👩‍👧", "שלום"),
        ("\u202eevil", "Ashworth"),
    ]
    rows = []
    for number, (given, family) in enumerate(names):
        out = []
        csv.writer(_Collect(out), lineterminator="").writerow(
            [f"H{number}", given, family, "", "", "", "", "", ""]
        )
        rows.append(out[0])
    done = run_import(text(HEADER, *rows))
    assert done.result.exit_code == 0, done.result.output
    assert "new customers: 3" in done.out
    assert [(c.given_name, c.family_name) for c in customers()] == names


class _Collect:
    def __init__(self, into: list[str]) -> None:
        self.into = into

    def write(self, value: str) -> None:
        self.into.append(value)


def test_bom_latin1_and_blank_lines(run_import):
    utf8 = b"\xef\xbb\xbf" + text(HEADER, "", GOOD, "", ",,,,,,,,")
    latin1 = "L1,Siân,Prosser,1975-11-30,,,EM3 4QT,,".encode("cp1252")
    done = run_import(utf8 + latin1 + b"\n\n")
    assert done.result.exit_code == 0, done.result.output
    assert "Read 2 rows:" in done.out and "new customers: 2" in done.out
    assert "1 lines were not UTF-8 and were read as Latin-1 (Windows-1252)." in done.out
    assert [c.given_name for c in customers()] == ["Priya", "Siân"]


def test_missing_columns_import_what_is_there(run_import):
    done = run_import(text("Family_Name, ID ,given_name,shoe_size", "Raman,P1,Priya,9"))
    assert done.result.exit_code == 0, done.result.output
    assert (
        "No column date_of_birth, address_line_1, address_line_2, town, postcode, phone, "
        "email: matched without them." in done.out
    )
    assert "Columns ignored: shoe_size." in done.out
    assert [(c.given_name, c.family_name, c.date_of_birth) for c in customers()] == [
        ("Priya", "Raman", None)
    ]


def test_only_an_id_column_makes_nothing_and_says_why(run_import):
    done = run_import(text("id", "A1", "A2"))
    assert done.result.exit_code == 0, done.result.output
    assert "skipped: 2" in done.out
    assert "Line 3: has no customer it matches, and a new customer record needs" in done.err
    assert customers() == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" * 50, "is not a header row"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 20, "is not a header row"),
        (text("name,surname", "x,y"), "The first row is not a header row"),
        (text("given_name,family_name", "Priya,Raman"), "The header row has no id column"),
        (text("id,ID,given_name", "1,1,x"), "The header row names id more than once"),
        ("id,given_name\n1,x\n".encode("utf-16"), "The file is UTF-16 text"),
    ],
)
def test_a_file_that_is_not_a_usable_csv_imports_nothing(run_import, content, message):
    done = run_import(content)
    assert done.result.exit_code == 1
    assert message in done.result.output
    assert customers() == [] and refs() == set()
    assert db.session.scalar(select(func.count(ImportRun.id))) == 0


def test_an_unknown_partner_or_system_is_refused_before_reading(run_import, partner):
    factories.ExternalReferenceFactory(partner=partner, system="Council tax")
    factories.ExternalReferenceFactory(partner=partner, system="Housing benefit")
    before = len(customers())

    done = run_import(text(HEADER, GOOD), system="Council Tacks", new_system=False)
    assert done.result.exit_code == 1
    assert (
        "Northvale District Council has no references from a system called 'Council Tacks' "
        "(its systems are Council tax, Housing benefit). Check the spelling, or add "
        "--new-system to start a new one."
    ) in done.result.output

    spelt = run_import(text(HEADER, GOOD), system="  council   TAX ", new_system=False)
    assert spelt.result.exit_code == 0, spelt.result.output
    assert "Northvale District Council's Council tax references" in spelt.out
    assert db.session.scalars(select(ExternalReference.system).filter_by(reference="P1")).one() == (
        "Council tax"
    )

    for system in ("", "x" * 61, "Council\x1btax"):
        bad = run_import(text(HEADER, GOOD), system=system)
        assert bad.result.exit_code == 1
        assert "SYSTEM must be the name of the partner's system" in bad.result.output
    assert len(customers()) == before + 1


def test_an_unknown_partner_lists_the_partners(app, tmp_path, partner):
    path = tmp_path / "extract.csv"
    path.write_bytes(text(HEADER, GOOD))
    result = app.test_cli_runner().invoke(
        args=["link", str(path), "--into-customers", "<b>NOPE</b>", "Council tax"]
    )
    assert result.exit_code == 1
    assert "There is no partner with the code '<b>NOPE</b>'. Partners: NVD." in result.output
    assert customers() == []


def test_into_customers_takes_one_file_and_writes_no_pairs(app, tmp_path, partner):
    path = tmp_path / "extract.csv"
    path.write_bytes(text(HEADER, GOOD))
    runner = app.test_cli_runner()
    for extra in ([str(path)], ["-o", str(tmp_path / "pairs.csv")]):
        result = runner.invoke(
            args=["link", str(path), *extra, "--into-customers", "NVD", "Council tax"]
        )
        assert result.exit_code == 2
        assert "--into-customers imports one file and writes no pairs." in result.output
    result = runner.invoke(args=["link", str(path), "--skipped", str(tmp_path / "s.csv")])
    assert result.exit_code == 2 and "Missing option '-o' / '--output'." in result.output
    nowhere = tmp_path / "no such folder" / "skipped.csv"
    result = runner.invoke(
        args=[
            "link",
            str(path),
            "--into-customers",
            "NVD",
            "x",
            "--new-system",
            "--skipped",
            str(nowhere),
        ]
    )
    assert result.exit_code == 1 and f"Cannot write {nowhere}: No such file" in result.output
    assert customers() == []
    assert db.session.scalar(select(func.count(ImportRun.id))) == 0


def test_a_stopped_import_carries_on_when_run_again(run_import, monkeypatch, partner):
    rows = [GOOD.replace("P1,Priya", f"P{n},Person{n}") for n in range(1, 8)]
    content = text(HEADER, *rows)
    real = operations._import_row

    def stop_at_line_6(session, row, *args):
        if row.line == 6:
            raise KeyboardInterrupt
        real(session, row, *args)

    monkeypatch.setattr(operations, "_import_row", stop_at_line_6)
    stopped = run_import(content, "--batch-size", "2")
    assert stopped.result.exit_code != 0
    assert "Stopped at line 5: every batch before it is committed." in stopped.err
    first = db.session.scalars(select(ImportRun)).one()
    assert (first.status, first.last_line, first.created + first.linked) == (
        RunStatus.INTERRUPTED,
        5,
        4,
    )
    assert refs() == {"P1", "P2", "P3", "P4"}  # lines 2-5, two batches; the third rolled back

    monkeypatch.setattr(operations, "_import_row", real)
    again = run_import(content, "--batch-size", "2")
    assert again.result.exit_code == 0, again.result.output
    assert (
        f"The last run, {first.id} ({first.file_name}), stopped at line 5: what it committed "
        "counts as already imported now."
    ) in again.err
    assert "already imported: 4" in again.out
    assert refs() == {f"P{n}" for n in range(1, 8)}
    assert len(customers()) == len(set(db.session.scalars(select(ExternalReference.customer_id))))


def test_a_large_file_is_committed_batch_by_batch(run_import, monkeypatch):
    from bench.people import generate

    people = generate(1200, seed=5).rows[:1200]
    rows = []
    for number, person in enumerate(people):
        out: list[str] = []
        values = [f"B{number}"] + [person[k] for k in HEADER.split(",")[1:]]
        csv.writer(_Collect(out), lineterminator="").writerow(values)
        rows.append(out[0])
    commits = []
    real = operations._import_batch

    def counting(session, batch, *args):
        commits.append(len(batch))
        real(session, batch, *args)

    monkeypatch.setattr(operations, "_import_batch", counting)
    done = run_import(text(HEADER, *rows), "--batch-size", "500")
    assert done.result.exit_code == 0, done.result.output
    assert commits == [500, 500, 200]
    run = db.session.scalars(select(ImportRun)).one()
    assert run.read == 1200 and run.last_line == 1201
    assert run.linked + run.created + run.queued + run.skipped == 1200
    assert len(refs()) == 1200 - run.skipped
