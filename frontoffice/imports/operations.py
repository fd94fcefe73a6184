"""Importing a partner's extract: each row's reference is the key.

A reference already held (partner, system, reference) is the person imported before: nothing is
changed, and what differs from the customer record is reported. Otherwise the row is matched
online: LINK adds the reference to that customer; REVIEW gives the row a customer record of its
own and queues the candidates against it; NEW makes a customer record. Rows are read as a
stream and committed in batches, with the run's counts, so a run that is stopped can simply be
run again: what it committed is then "already imported".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.audit import operations as audit
from frontoffice.csvfile import CsvRows, RowProblem
from frontoffice.customers import normalise
from frontoffice.customers import operations as customers
from frontoffice.customers.models import Customer, ExternalReference
from frontoffice.identity import online
from frontoffice.identity.batch import COLUMNS
from frontoffice.identity.operations import queue_for_review
from frontoffice.identity.records import prepare
from frontoffice.imports.models import ImportRun, RunStatus
from frontoffice.imports.rows import Checked, RowError, check
from frontoffice.partners.models import Partner

BATCH_SIZE = 500
# A batch commits within seconds; a run silent this long was killed without saying so.
STALE_AFTER = timedelta(minutes=5)
SKIPPED = "skipped"
DIFFERS = "differs"
OnRow = Callable[[int, str, str, str], None]  # line, id, SKIPPED or DIFFERS, reason


@dataclass(frozen=True)
class FileNotes:
    not_utf8_lines: int
    missing_columns: tuple[str, ...]
    ignored_columns: tuple[str, ...]


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def known_systems(session: Session, partner_id: int) -> list[str]:
    """The systems this partner's references (or earlier imports) come from."""
    held = session.scalars(
        select(ExternalReference.system)
        .where(ExternalReference.partner_id == partner_id)
        .distinct()
    )
    runs = session.scalars(
        select(ImportRun.system).where(ImportRun.partner_id == partner_id).distinct()
    )
    return sorted({*held, *runs}, key=str.casefold)


def find_system(session: Session, partner_id: int, system: str) -> str | None:
    """The system as it is already spelt, whatever the case and spacing typed."""
    wanted = _fold(system)
    return next((s for s in known_systems(session, partner_id) if _fold(s) == wanted), None)


class ImportRunning(Exception):
    def __init__(self, run: ImportRun) -> None:
        super().__init__(
            f"An import of {run.partner.name} {run.system} is running since "
            f"{run.started_at:%-d %B %Y %H:%M} UTC, started by {run.started_by} (run {run.id}, "
            f"line {run.last_line:,} committed). Wait for it to finish; if it was killed, it "
            f"stops keeping others out {int(STALE_AFTER.total_seconds()) // 60} minutes after "
            "its last batch."
        )
        self.run = run


def start_run(session: Session, run: ImportRun) -> None:
    """Adds and commits `run`, unless another run into the same partner's system is alive:
    then raises ImportRunning with it and writes nothing."""
    # Claims of one partner's runs take turns: the partner's row is locked on PostgreSQL (FOR
    # NO KEY UPDATE, which a running import's inserts of rows pointing at it do not wait
    # for), and SQLite's BEGIN IMMEDIATE lets one writer in at a time.
    session.execute(
        select(Partner.id).where(Partner.id == run.partner_id).with_for_update(key_share=True)
    )
    now = clock.now()
    alive = session.scalars(
        select(ImportRun)
        .where(
            ImportRun.partner_id == run.partner_id,
            ImportRun.status == RunStatus.RUNNING,
            ImportRun.heartbeat_at > now - STALE_AFTER,
        )
        .order_by(ImportRun.id)
    ).all()
    other = next((r for r in alive if _fold(r.system) == _fold(run.system)), None)
    if other is not None:
        session.rollback()
        raise ImportRunning(other)
    run.started_at = run.heartbeat_at = now
    session.add(run)
    session.commit()


def previous_run(session: Session, run: ImportRun) -> ImportRun | None:
    """The last run into the same partner's system before this one."""
    return session.scalar(
        select(ImportRun)
        .where(
            ImportRun.partner_id == run.partner_id,
            ImportRun.system == run.system,
            ImportRun.id < run.id,
        )
        .order_by(ImportRun.id.desc())
        .limit(1)
    )


def import_extract(
    session: Session,
    stream: BinaryIO,
    run: ImportRun,
    actor: Actor,
    *,
    on_row: OnRow,
    on_batch: Callable[[], None],
    batch_size: int = BATCH_SIZE,
) -> FileNotes:
    """Import every row of `stream` under `run`; `on_batch` commits. Raises CsvFileError
    before anything is imported when the file has no usable header."""
    rows = CsvRows(stream, required=("id",), optional=COLUMNS[1:], example=COLUMNS)
    for batch in _batches(_checked(rows, run, on_row), batch_size):
        _import_batch(session, batch, run, actor, on_row)
        run.heartbeat_at = clock.now()
        on_batch()
    run.status = RunStatus.FINISHED
    run.finished_at = clock.now()
    audit.record(
        actor,
        "import finished",
        "import_run",
        run.id,
        details={
            "partner_id": run.partner_id,
            "read": run.read,
            "linked": run.linked,
            "created": run.created,
            "queued": run.queued,
            "already_imported": run.already_imported,
            "skipped": run.skipped,
        },
    )
    session.flush()
    on_batch()
    return FileNotes(
        not_utf8_lines=rows.not_utf8_lines,
        missing_columns=tuple(c for c in COLUMNS[1:] if c not in rows.columns),
        ignored_columns=tuple(rows.ignored_columns),
    )


def _checked(rows: CsvRows, run: ImportRun, on_row: OnRow) -> Iterator[Checked]:
    first_line: dict[str, int] = {}
    for row in rows:
        run.read += 1
        if isinstance(row, RowProblem):
            _skip(run, on_row, row.line, "", row.reason)
            continue
        reference = row.values["id"]
        key = normalise.reference_key(reference)
        if key in first_line:
            _skip(
                run,
                on_row,
                row.line,
                reference,
                f"repeats id {reference[:60]!r} from line {first_line[key]} "
                "(each id is imported once, from its first row)",
            )
            continue
        if key:
            first_line[key] = row.line
        try:
            yield check(row.line, row.values)
        except RowError as error:
            _skip(run, on_row, row.line, reference, str(error))


def _batches(items: Iterable[Checked], size: int) -> Iterator[list[Checked]]:
    batch: list[Checked] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _skip(run: ImportRun, on_row: OnRow, line: int, reference: str, reason: str) -> None:
    run.skipped += 1
    on_row(line, reference[:60], SKIPPED, reason)


def _import_batch(
    session: Session, batch: list[Checked], run: ImportRun, actor: Actor, on_row: OnRow
) -> None:
    held = dict(
        session.execute(
            select(ExternalReference.reference_key, ExternalReference.customer_id).where(
                ExternalReference.partner_id == run.partner_id,
                ExternalReference.system == run.system,
                ExternalReference.reference_key.in_([row.key for row in batch]),
            )
        ).all()
    )
    holders = _customers(session, set(held.values()))
    for row in batch:
        if row.key in held:
            run.already_imported += 1
            differing = differences(row, holders[held[row.key]])
            if differing:
                run.differing += 1
                on_row(
                    row.line,
                    row.reference,
                    DIFFERS,
                    f"already imported on customer {held[row.key]}; differs in "
                    f"{', '.join(differing)}; nothing was changed",
                )
            continue
        _import_row(session, row, run, actor, on_row)
    run.last_line = batch[-1].line
    session.flush()


def _import_row(
    session: Session, row: Checked, run: ImportRun, actor: Actor, on_row: OnRow
) -> None:
    outcome = online.match(session, row.person)
    best = outcome.best
    if outcome.decision == online.Decision.LINK and best is not None:
        customer = session.get_one(Customer, best.customer_id)
        run.linked += 1
        decision = "linked"
    elif not row.has_name:
        found = (
            f"a possible match for customer {best.customer_id}"
            if best is not None
            else "no customer it matches"
        )
        _skip(
            run,
            on_row,
            row.line,
            row.reference,
            f"has {found}, and a new customer record needs a given_name and a family_name",
        )
        return
    else:
        customer = customers.create_customer(
            actor,
            customers.CustomerDetails(
                given_name=row.person.given_name,
                family_name=row.person.family_name,
                date_of_birth=row.person.date_of_birth,
                phones=(row.phone,) if row.phone else (),
                email=row.email or None,
                address=row.address,
            ),
        )
        if outcome.decision == online.Decision.REVIEW:
            queue_for_review(
                session, row.person, outcome, "import", actor, incoming_customer_id=customer.id
            )
            run.queued += 1
            decision = "queued for review"
        else:
            run.created += 1
            decision = "new"
    customers.add_reference(
        actor,
        customer,
        partner_id=run.partner_id,
        system=run.system,
        reference=row.reference,
        verified=False,
    )
    audit.record(
        actor,
        "import",
        "import_run",
        run.id,
        customer_id=customer.id,
        details={
            "line": row.line,
            "decision": decision,
            "probability": round(best.score.probability, 4) if best else None,
        },
    )


def _customers(session: Session, ids: set[int]) -> dict[int, Customer]:
    if not ids:
        return {}
    found = session.scalars(
        select(Customer)
        .where(Customer.id.in_(ids))
        .options(
            selectinload(Customer.phones),
            selectinload(Customer.emails),
            selectinload(Customer.addresses),
        )
    )
    return {customer.id: customer for customer in found}


def differences(row: Checked, customer: Customer) -> list[str]:
    """The fields the row gives that the customer record does not say, compared as the matcher
    compares them ('12 Mill Rd' is '12 Mill Road'). Names of fields only: the values are
    personal data."""
    mine = prepare(row.person)
    theirs = prepare(online.as_person(customer, mine))
    compared = (
        ("given_name", mine.given.key, theirs.given.key),
        ("family_name", mine.family.key, theirs.family.key),
        ("date_of_birth", mine.dob, theirs.dob),
        ("address_line_1", mine.address_words, theirs.address_words),
        ("postcode", mine.postcode, theirs.postcode),
        ("phone", mine.phone, theirs.phone),
        ("email", mine.email, theirs.email),
    )
    return [name for name, given, held in compared if given and given != held]
