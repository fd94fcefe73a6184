"""Loading services from a CSV file, upserting by code.

Columns (header row required; any order, any case):

    code,name,group,description,keywords,owning_partner_code,sla_working_days,sla_hours,tier

code, name and owning_partner_code are required. A new service gets a blank group,
description and keywords, no target and tier 'any' for the columns the file leaves out; an
existing service keeps its value for a column the file leaves out, and takes the cell's value
(blank included: a blank target means none) for a column it has. Give sla_working_days or
sla_hours, not both. Services made here are active; their adviser script and questions are
set in the admin pages. Encoding, blank lines and bad rows are handled as for the gazetteer
(frontoffice/csvfile.py): a bad row is reported with its line number and skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.catalogue import operations
from frontoffice.catalogue.models import Service, ServiceTier
from frontoffice.csvfile import CsvRows, ImportSummary, RowProblem
from frontoffice.extensions import db
from frontoffice.partners.models import Partner

REQUIRED = ("code", "name", "owning_partner_code")
OPTIONAL = (
    "group",
    "description",
    "keywords",
    "sla_working_days",
    "sla_hours",
    "ack_working_days",
    "tier",
)
COLUMNS = (
    "code",
    "name",
    "group",
    "description",
    "keywords",
    "owning_partner_code",
    "sla_working_days",
    "sla_hours",
    "ack_working_days",
    "tier",
)


class _BadRow(ValueError):
    pass


def _whole_number(name: str, value: str) -> int | None:
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 6:
        raise _BadRow(f"{name} {value[:20]!r} is not a whole number")
    return int(value)


def import_services(
    stream: BinaryIO, actor: Actor, *, on_problem: Callable[[int, str], None]
) -> ImportSummary:
    """Upserts every good row (flushing); raises CsvFileError if the file cannot be read."""
    rows = CsvRows(stream, required=REQUIRED, optional=OPTIONAL, example=COLUMNS)
    partners = {p.code.upper(): p.id for p in db.session.scalars(select(Partner))}
    summary = ImportSummary()
    seen: dict[str, int] = {}
    for item in rows:
        summary.read += 1
        if isinstance(item, RowProblem):
            summary.skipped += 1
            on_problem(item.line, item.reason)
            continue
        values = item.values
        code = operations.normalise_service_code(values["code"])
        try:
            if code in seen:
                raise _BadRow(f"code {code} appears earlier in the file (line {seen[code]})")
            seen[code] = item.line
            _upsert(code, values, rows.columns, partners, actor, summary)
        except (_BadRow, operations.CatalogueError) as error:
            summary.skipped += 1
            on_problem(item.line, str(error))
    summary.not_utf8_lines = rows.not_utf8_lines
    summary.ignored_columns = tuple(rows.ignored_columns)
    return summary


def _upsert(
    code: str,
    values: dict[str, str],
    columns: list[str],
    partners: dict[str, int],
    actor: Actor,
    summary: ImportSummary,
) -> None:
    missing = [name for name in REQUIRED if not values[name]]
    if missing:
        raise _BadRow(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing")
    partner_id = partners.get(values["owning_partner_code"].upper())
    if partner_id is None:
        raise _BadRow(f"no partner has the code {values['owning_partner_code'][:20]!r}")
    tier_text = values["tier"].lower() or ServiceTier.ANY.value
    if tier_text not in {t.value for t in ServiceTier}:
        raise _BadRow(f"tier {values['tier'][:20]!r} must be county, district or any")
    days = _whole_number("sla_working_days", values["sla_working_days"])
    hours = _whole_number("sla_hours", values["sla_hours"])
    ack = _whole_number("ack_working_days", values["ack_working_days"])
    service = db.session.scalar(select(Service).where(Service.code == code))
    given = set(columns)

    def pick(column: str, new: object, current: object) -> object:
        return new if column in given or service is None else current

    details = operations.ServiceDetails(
        name=values["name"],
        owning_partner_id=partner_id,
        group=pick("group", values["group"], service and service.group),
        description=pick("description", values["description"], service and service.description),
        keywords=pick("keywords", values["keywords"], service and service.keywords),
        sla_working_days=pick("sla_working_days", days, service and service.sla_working_days),
        sla_hours=pick("sla_hours", hours, service and service.sla_hours),
        ack_working_days=pick("ack_working_days", ack, service and service.ack_working_days),
        tier=ServiceTier(pick("tier", tier_text, service and service.tier)),
        adviser_script=service.adviser_script if service else "",
        active=service.active if service else True,
    )
    if details.sla_working_days is not None and details.sla_hours is not None:
        if "sla_hours" not in given:
            details.sla_hours = None  # a file giving only days replaces an hours target
        elif "sla_working_days" not in given:
            details.sla_working_days = None
    # The operations check everything before they change anything: a bad row changes nothing.
    if service is None:
        operations.create_service(actor, code, details)
        summary.inserted += 1
    else:
        changed = operations.update_service(actor, service, details)
        if changed:
            summary.updated += 1
        else:
            summary.unchanged += 1
