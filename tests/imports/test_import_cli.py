"""`flask link EXTRACT.csv --into-customers PARTNER SYSTEM` end to end, through the real CLI:
customers, references, reviews, the audit trail and the printed summary."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from sqlalchemy import func, select

from frontoffice.audit.models import AuditEvent
from frontoffice.customers.models import Customer, ExternalReference
from frontoffice.extensions import db
from frontoffice.identity.models import MatchReview
from frontoffice.imports.models import ImportRun, RunStatus
from tests import factories
from tests.imports.conftest import HEADER, customer, text

WILLIAM = "CT-1001,Bill,Ashworth,1980-03-07,12 Mill Rd,Northvale,nv12ab,07700 900123,"
SIAN = "CT-1002,Sian,Prosser,1975-11-30,4 Station Lane,Eastmoor,EM3 4QT,,"
NEWCOMER = (
    "CT-1003,Priya,Raman,1991-06-15,7 Chapel Street,Northvale,NV2 3DF,07700900777,pr@example.org"
)


@pytest.fixture
def known():
    """William once; Siân twice already (a duplicate nobody has merged yet)."""
    william = customer(
        "William",
        "Ashworth",
        dt.date(1980, 3, 7),
        line_1="12 Mill Road",
        postcode="NV1 2AB",
        phone="+447700900123",
        email="w.a@example.org",
    )
    sian = [
        customer("Siân", "Prosser", dt.date(1975, 11, 30), line_1="4 Station Lane", postcode=pc)
        for pc in ("EM3 4QT", "EM3 4QT")
    ]
    return william, sian


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def references(partner) -> dict[str, int]:
    rows = db.session.scalars(
        select(ExternalReference).where(ExternalReference.partner_id == partner.id)
    )
    return {r.reference: r.customer_id for r in rows}


def test_each_row_links_makes_a_record_or_queues_a_review(run_import, known, partner):
    william, sian = known
    done = run_import(text(HEADER, WILLIAM, SIAN, NEWCOMER))
    assert done.result.exit_code == 0, done.result.output
    run = db.session.scalars(select(ImportRun)).one()
    assert f"Import run {run.id}: " in done.out
    assert "into Northvale District Council's Council tax references" in done.out
    for line in (
        "Read 3 rows:",
        "linked to an existing customer: 1",
        "new customers: 1",
        "new customers queued for review: 1",
        "already imported: 0",
        "skipped: 0",
    ):
        assert line in done.out
    assert done.out.splitlines()[-1].startswith("Took ")

    refs = references(partner)
    assert refs["CT-1001"] == william.id  # the nickname and the old spelling still link
    newcomer = db.session.get(Customer, refs["CT-1003"])
    assert (newcomer.given_name, newcomer.family_name) == ("Priya", "Raman")
    assert newcomer.date_of_birth == dt.date(1991, 6, 15)
    assert [p.number for p in newcomer.phones] == ["+447700900777"]
    assert [e.address for e in newcomer.emails] == ["pr@example.org"]
    assert newcomer.current_address.one_line == "7 Chapel Street, Northvale, NV2 3DF"

    incoming = refs["CT-1002"]
    assert incoming not in {s.id for s in sian}  # its own record, until a supervisor decides
    reviews = db.session.scalars(select(MatchReview).order_by(MatchReview.customer_id)).all()
    assert [(r.customer_id, r.other_customer_id, r.source) for r in reviews] == [
        (s.id, incoming, "import") for s in sian
    ]
    assert reviews[0].incoming["family_name"] == "Prosser"

    assert (run.status, run.read, run.linked, run.created, run.queued) == (
        RunStatus.FINISHED,
        3,
        1,
        1,
        1,
    )
    assert run.file_name.endswith(".csv") and run.started_by.startswith("command line (")
    assert run.finished_at is not None


def test_what_was_done_is_audited_with_the_run(run_import, known):
    william, _ = known
    staff = factories.StaffUserFactory(email="importer@example.org")
    done = run_import(text(HEADER, WILLIAM, NEWCOMER), "--by", "Importer@example.org")
    assert done.result.exit_code == 0, done.result.output
    run = db.session.scalars(select(ImportRun)).one()
    assert (run.started_by_id, run.started_by) == (staff.id, "importer@example.org")
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert all(e.actor_id == staff.id for e in events)
    assert all(e.actor_label == f"importer@example.org, import run {run.id}" for e in events)
    by_row = [e for e in events if e.action == "import"]
    assert [(e.record_id, e.details["line"], e.details["decision"]) for e in by_row] == [
        (str(run.id), 2, "linked"),
        (str(run.id), 3, "new"),
    ]
    assert by_row[0].customer_id == william.id
    actions = {(e.action, e.customer_id) for e in events}
    assert ("add_reference", william.id) in actions
    assert ("create", by_row[1].customer_id) in actions
    finished = [e for e in events if e.action == "import finished"]
    assert finished[0].details["read"] == 2
    assert "Ashworth" not in str([e.details for e in events])  # names are not audit details

    unknown = run_import(text(HEADER, NEWCOMER), "--by", "nobody@example.org")
    assert unknown.result.exit_code == 1
    assert "There is no active staff user 'nobody@example.org'" in unknown.result.output


def test_importing_the_same_file_again_makes_nothing_new(run_import, known, partner):
    content = text(HEADER, WILLIAM, SIAN, NEWCOMER)
    assert run_import(content).result.exit_code == 0
    before = (count(Customer), count(ExternalReference), count(MatchReview), references(partner))

    again = run_import(content)
    assert again.result.exit_code == 0, again.result.output
    assert (count(Customer), count(ExternalReference), count(MatchReview)) == before[:3]
    assert references(partner) == before[3]
    assert "already imported: 3 (1 differ from the customer record: nothing was changed)" in (
        again.out
    )
    william = known[0]
    assert again.err == (
        f"Line 2: already imported on customer {william.id}; differs in given_name; "
        "nothing was changed\n"
    )  # Bill, not William: the nickname linked, but the partner should know
    assert "linked to an existing customer: 0" in again.out
    assert "new customers: 0" in again.out
    assert "new customers queued for review: 0" in again.out
    runs = db.session.scalars(select(ImportRun).order_by(ImportRun.id)).all()
    assert [(r.status, r.already_imported) for r in runs] == [
        (RunStatus.FINISHED, 0),
        (RunStatus.FINISHED, 3),
    ]


def test_the_reference_is_the_key_whatever_its_spacing_or_case(run_import, known, partner):
    assert run_import(text(HEADER, NEWCOMER)).result.exit_code == 0
    again = run_import(text(HEADER, NEWCOMER.replace("CT-1003", "ct 1003")))
    assert "already imported: 1" in again.out
    assert list(references(partner)) == ["CT-1003"]


def test_an_imported_row_that_now_differs_is_reported_and_changes_nothing(
    run_import, known, partner, tmp_path
):
    assert run_import(text(HEADER, NEWCOMER)).result.exit_code == 0
    changed = NEWCOMER.replace("Raman", "Raman-Smith").replace("NV2 3DF", "NV9 9ZZ")
    report = tmp_path / "skipped.csv"
    again = run_import(text(HEADER, changed), "--skipped", str(report))
    assert again.result.exit_code == 0, again.result.output
    newcomer = db.session.get(Customer, references(partner)["CT-1003"])
    assert "already imported: 1 (1 differ from the customer record: nothing was changed)" in (
        again.out
    )
    reason = (
        f"already imported on customer {newcomer.id}; differs in family_name, postcode; "
        "nothing was changed"
    )
    assert f"Line 2: {reason}" in again.err
    assert newcomer.family_name == "Raman"
    assert newcomer.current_address.postcode == "NV2 3DF"
    with report.open(encoding="utf-8") as written:
        rows = list(csv.reader(written))
    assert rows == [
        ["line", "id", "outcome", "reason"],
        ["2", "CT-1003", "differs", reason],
    ]


def test_a_repeated_id_in_one_file_is_imported_once(run_import, known, partner):
    done = run_import(
        text(
            HEADER,
            NEWCOMER,
            NEWCOMER.replace("Priya", "Someone"),
            NEWCOMER.replace("CT-1003", "ct1003"),
        )
    )
    assert done.result.exit_code == 0, done.result.output
    for line in (3, 4):
        assert (
            f"Line {line}: repeats id {'CT-1003' if line == 3 else 'ct1003'!r} from line 2 "
            "(each id is imported once, from its first row)"
        ) in done.err
    assert "new customers: 1" in done.out and "skipped: 2" in done.out
    assert db.session.get(Customer, references(partner)["CT-1003"]).given_name == "Priya"


def test_two_rows_of_one_new_person_make_one_record_with_both_references(run_import, partner):
    second = NEWCOMER.replace("CT-1003", "CT-2003").replace("Priya", "Priya ")
    done = run_import(text(HEADER, NEWCOMER, second))
    assert done.result.exit_code == 0, done.result.output
    refs = references(partner)
    assert refs["CT-1003"] == refs["CT-2003"]
    assert "new customers: 1" in done.out and "linked to an existing customer: 1" in done.out
