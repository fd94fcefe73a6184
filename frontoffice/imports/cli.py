"""The command-line side of `flask link EXTRACT.csv --into-customers PARTNER SYSTEM`."""

from __future__ import annotations

import csv
import getpass
import time
from pathlib import Path
from typing import BinaryIO

import click
from sqlalchemy import func, select

from frontoffice.access.actor import Actor
from frontoffice.accounts.models import StaffUser
from frontoffice.csvfile import CsvFileError, ProblemPrinter
from frontoffice.extensions import db
from frontoffice.identity import online
from frontoffice.imports import operations
from frontoffice.imports.models import ImportRun, RunStatus
from frontoffice.partners.models import Partner

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def run_import(
    stream: BinaryIO,
    file_name: str,
    partner_code: str,
    system: str,
    *,
    new_system: bool,
    by: str | None,
    skipped_to: Path | None,
    batch_size: int,
    show: int,
) -> None:
    partner = _partner(partner_code)
    system = _system(partner, system, new_system)
    user = _staff_user(by) if by else None
    who = user.email if user else f"command line ({_os_user()})"
    report = _SkippedFile(skipped_to) if skipped_to else None
    started = time.perf_counter()
    try:
        run, notes = _run(stream, file_name, partner, system, user, who, report, batch_size, show)
    finally:
        if report:
            report.close()
    seconds = time.perf_counter() - started
    for line in summary(run, partner, notes, skipped_to):
        click.echo(line)
    click.echo(f"Took {seconds:,.1f} s ({run.read / max(seconds, 0.001):,.0f} rows a second).")


def _run(
    stream: BinaryIO,
    file_name: str,
    partner: Partner,
    system: str,
    user: StaffUser | None,
    who: str,
    report: _SkippedFile | None,
    batch_size: int,
    show: int,
) -> tuple[ImportRun, operations.FileNotes]:
    session = db.session
    run = ImportRun(
        partner_id=partner.id,
        system=system,
        file_name=file_name[-255:],
        started_by_id=user.id if user else None,
        started_by=who[:254],
    )
    try:
        operations.start_run(session, run)
    except operations.ImportRunning as running:
        raise click.ClickException(str(running)) from None
    actor = Actor(user_id=run.started_by_id, label=f"{who}, import run {run.id}"[:254])
    earlier = operations.previous_run(session, run)
    if earlier is not None and earlier.status != RunStatus.FINISHED:
        click.echo(
            f"The last run, {earlier.id} ({earlier.file_name}), stopped at line "
            f"{earlier.last_line:,}: what it committed counts as already imported now.",
            err=True,
        )
    printer = ProblemPrinter(show)

    def on_row(line: int, reference: str, outcome: str, reason: str) -> None:
        printer(line, reason)
        if report:
            report.write(line, reference, outcome, reason)

    try:
        notes = operations.import_extract(
            session,
            stream,
            run,
            actor,
            on_row=on_row,
            on_batch=lambda: _committed(session),
            batch_size=batch_size,
        )
    except CsvFileError as error:
        session.rollback()
        if run.read:
            _stop(run)
        else:
            session.delete(run)
            session.commit()
        raise click.ClickException(f"{error}.") from error
    except BaseException:
        session.rollback()
        _stop(run)
        click.echo(
            f"Stopped at line {run.last_line:,}: every batch before it is committed. Run the "
            "same command again to carry on.",
            err=True,
        )
        raise
    printer.tail()
    return run, notes


def summary(
    run: ImportRun, partner: Partner, notes: operations.FileNotes, skipped_to: Path | None
) -> list[str]:
    differing = (
        f" ({run.differing:,} differ from the customer record: nothing was changed)"
        if run.differing
        else ""
    )
    out = [
        f"Import run {run.id}: {run.file_name} into {partner.name}'s {run.system} references.",
        f"Read {run.read:,} rows:",
        f"  linked to an existing customer: {run.linked:,}",
        f"  new customers: {run.created:,}",
        f"  new customers queued for review: {run.queued:,}",
        f"  already imported: {run.already_imported:,}{differing}",
        f"  skipped: {run.skipped:,}",
    ]
    if notes.missing_columns:
        out.append(f"No column {', '.join(notes.missing_columns)}: matched without them.")
    if notes.ignored_columns:
        out.append(f"Columns ignored: {', '.join(notes.ignored_columns)}.")
    if notes.not_utf8_lines:
        out.append(
            f"{notes.not_utf8_lines:,} lines were not UTF-8 and were read as Latin-1 "
            "(Windows-1252)."
        )
    if skipped_to and (run.skipped or run.differing):
        out.append(f"Skipped and differing rows, with reasons: {skipped_to}")
    return out


class _SkippedFile:
    """line,id,outcome,reason for each row skipped or differing. A value that a spreadsheet
    would run as a formula is written with a leading apostrophe."""

    def __init__(self, path: Path) -> None:
        try:
            self.file = path.open("w", encoding="utf-8", newline="")
        except OSError as error:
            raise click.ClickException(f"Cannot write {path}: {error.strerror}") from error
        self.writer = csv.writer(self.file, lineterminator="\n")
        self.writer.writerow(("line", "id", "outcome", "reason"))

    def write(self, line: int, reference: str, outcome: str, reason: str) -> None:
        self.writer.writerow((line, _safe(reference), outcome, _safe(reason)))

    def close(self) -> None:
        self.file.close()


def _safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _stop(run: ImportRun) -> None:
    run.status = RunStatus.INTERRUPTED
    db.session.commit()


def _partner(code: str) -> Partner:
    partner = db.session.scalar(
        select(Partner).where(func.upper(Partner.code) == code.strip().upper()[:20])
    )
    if partner is None:
        codes = ", ".join(db.session.scalars(select(Partner.code).order_by(Partner.code)))
        raise click.ClickException(
            f"There is no partner with the code {code[:40]!r}. Partners: {codes or 'none'}."
        )
    return partner


def _system(partner: Partner, system: str, new_system: bool) -> str:
    name = " ".join(system.split())
    if not name or len(name) > 60 or not name.isprintable():
        raise click.ClickException(
            "SYSTEM must be the name of the partner's system, at most 60 printable characters."
        )
    known = operations.find_system(db.session, partner.id, name)
    if known is not None:
        return known
    if new_system:
        return name
    systems = operations.known_systems(db.session, partner.id)
    listed = f"its systems are {', '.join(systems)}" if systems else "it has none yet"
    raise click.ClickException(
        f"{partner.name} has no references from a system called {name!r} ({listed}). "
        "Check the spelling, or add --new-system to start a new one."
    )


def _staff_user(email: str) -> StaffUser:
    user = db.session.scalar(
        select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower())
    )
    if user is None or not user.active:
        raise click.ClickException(f"There is no active staff user {email[:254]!r}.")
    return user


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _committed(session) -> None:
    """A batch is committed; the matcher counts the customers again, so a big first import
    into a small database does not score its later rows with the prior of its first."""
    session.commit()
    online.forget()
