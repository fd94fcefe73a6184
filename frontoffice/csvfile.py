"""Reading a CSV file row by row, never loading it whole, for the `flask ... import` commands.

- The first non-blank row is the header. Column names are matched without regard to case or
  surrounding spaces; the required columns must be there, optional ones may be left out, and
  unknown columns are ignored (and listed, so a typo is noticed).
- UTF-8 with or without a byte-order mark. A line that is not valid UTF-8 is read as
  Windows-1252 (the "Latin-1" that spreadsheets write), or as ISO-8859-1 if even that fails,
  so an old export still imports; the number of such lines is reported. UTF-16 is refused.
- Blank lines (or rows of empty values) are skipped silently. A row the CSV parser cannot read,
  a line longer than MAX_LINE bytes, or a row with more values than the header has columns is
  a RowProblem with its line number; the import goes on with the next row.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

import click

MAX_LINE = 1 << 20  # bytes
_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class CsvFileError(Exception):
    """The file cannot be imported at all: unreadable, or no valid header row."""


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


@dataclass
class CsvRows:
    """Iterates over a binary stream, yielding a Row or a RowProblem for each non-blank row."""

    stream: BinaryIO
    required: Sequence[str]
    optional: Sequence[str] = ()
    example: Sequence[str] = ()  # every column in the documented order, for messages
    ignored_columns: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # the known columns the header names
    not_utf8_lines: int = 0
    _pending: list[RowProblem] = field(default_factory=list)
    _line_no: int = 0

    def __iter__(self) -> Iterator[Row | RowProblem]:
        reader = csv.reader(self._lines())
        header: list[str] | None = None
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                yield from self._drain()
                yield RowProblem(start, f"cannot be read as CSV ({error})")
                continue
            yield from self._drain()
            if not any(value.strip() for value in record):
                continue
            if header is None:
                header = self._header(record)
                continue
            if len(record) > len(header) and any(v.strip() for v in record[len(header) :]):
                yield RowProblem(
                    start,
                    f"has {len(record)} values but the header has {len(header)} columns",
                )
                continue
            values = {name: "" for name in (*self.required, *self.optional)}
            for name, value in zip(header, record, strict=False):
                if name in values:
                    values[name] = value.strip()
            yield Row(start, values)
        yield from self._drain()
        if header is None:
            raise CsvFileError(self._header_message("The file is empty"))

    def _drain(self) -> Iterator[RowProblem]:
        while self._pending:
            yield self._pending.pop(0)

    def _header(self, record: list[str]) -> list[str]:
        names = [value.strip().lower() for value in record]
        known = {*self.required, *self.optional}
        if not known & set(names):
            raise CsvFileError(self._header_message("The first row is not a header row"))
        duplicates = sorted({n for n in names if n and names.count(n) > 1})
        if duplicates:
            raise CsvFileError(f"The header row names {', '.join(duplicates)} more than once")
        missing = [n for n in self.required if n not in names]
        if missing:
            raise CsvFileError(
                self._header_message(f"The header row has no {', '.join(missing)} column")
            )
        self.ignored_columns = [n for n in names if n and n not in known]
        self.columns = [n for n in names if n in known]
        return names

    def _header_message(self, problem: str) -> str:
        columns = ",".join(self.example or (*self.required, *self.optional))
        return (
            f"{problem}. The first row must be a header naming the columns "
            f"(required: {', '.join(self.required)}), for example: {columns}"
        )

    def _lines(self) -> Iterator[str]:
        first = True
        while True:
            try:
                raw = self.stream.readline(MAX_LINE + 1)
            except OSError as error:
                raise CsvFileError(f"The file cannot be read: {error}") from error
            if not raw:
                return
            self._line_no += 1
            if first:
                first = False
                if raw.startswith(_UTF16_BOMS):
                    raise CsvFileError(
                        "The file is UTF-16 text. Save it as 'CSV UTF-8' and import it again"
                    )
                raw = raw.removeprefix(_BOM)
            if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                while (more := self.stream.readline(MAX_LINE)) and not more.endswith(b"\n"):
                    pass
                self._pending.append(
                    RowProblem(self._line_no, f"is longer than {MAX_LINE:,} bytes")
                )
                yield "\n"
                continue
            yield self._decode(raw)

    def _decode(self, raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.not_utf8_lines += 1
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


@dataclass
class ImportSummary:
    """What an import did, for the command line and the admin pages."""

    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    not_utf8_lines: int = 0
    ignored_columns: tuple[str, ...] = ()
    counts_unchanged: bool = True  # False when an import rewrites rows whatever they held

    def lines(self) -> list[str]:
        unchanged = f"{self.unchanged:,} unchanged, " if self.counts_unchanged else ""
        out = [
            f"Read {self.read:,} rows: {self.inserted:,} inserted, {self.updated:,} updated, "
            f"{unchanged}{self.skipped:,} skipped."
        ]
        if self.not_utf8_lines:
            out.append(
                f"{self.not_utf8_lines:,} lines were not UTF-8 and were read as Latin-1 "
                "(Windows-1252)."
            )
        if self.ignored_columns:
            out.append(f"Columns ignored: {', '.join(self.ignored_columns)}.")
        return out


class ProblemPrinter:
    """For the import commands: prints skipped rows to stderr as they are found, up to a
    limit, and counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0

    def __call__(self, line: int, reason: str) -> None:
        self.count += 1
        if self.count <= self.limit:
            click.echo(f"Line {line}: {reason}", err=True)

    def tail(self) -> None:
        if self.count > self.limit:
            click.echo(f"... and {self.count - self.limit:,} more rows skipped.", err=True)
