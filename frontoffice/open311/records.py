"""Cases and their timeline entries as the records Open311 clients read.

A request (GET requests, requests/{id}) has the spec's fields in the spec's order; an update
(GET servicerequestupdates) has the fields of mySociety's extension, as FixMyStreet reads them.
Datetimes are ISO 8601 with a time zone.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from frontoffice.cases.models import Case, CaseEvent, CaseEventKind
from frontoffice.cases.status import CaseStatus
from frontoffice.extensions import db
from frontoffice.gazetteer.models import GazetteerAddress
from frontoffice.open311 import queries
from frontoffice.open311.models import Open311Submission
from frontoffice.open311.submissions import Refused

LOCAL = ZoneInfo("Europe/London")


def parse_datetime(name: str, text: str) -> datetime:
    """An ISO 8601 date and time with its time zone; Refused (400) otherwise."""
    try:
        value = datetime.fromisoformat(text.strip()[:40])
    except ValueError:
        raise Refused(
            f"{name} must be an ISO 8601 date and time, like 2026-03-14T09:30:00Z"
        ) from None
    if value.tzinfo is None:
        raise Refused(f"{name} must give its time zone, like 2026-03-14T09:30:00Z or +00:00")
    return value


def open_or_closed(status: CaseStatus | str) -> str:
    return "closed" if CaseStatus(status).stops_the_clock else "open"


def _due(day: date | None) -> str | None:
    """A due date is met by the end of that working day, in the partnership's own time."""
    return None if day is None else datetime.combine(day, time(23, 59, 59), LOCAL).isoformat()


def request_record(case: Case, submission: Open311Submission) -> dict[str, Any]:
    place = db.session.get(GazetteerAddress, case.location_uprn) if case.location_uprn else None
    return {
        "service_request_id": case.reference,
        "status": open_or_closed(case.status),
        "status_notes": queries.latest_public_note(case),
        "service_name": case.service.name,
        "service_code": case.service.code,
        "description": case.summary,
        "agency_responsible": case.owning_partner.name,
        "service_notice": None,
        "requested_datetime": case.created_at.isoformat(),
        "updated_datetime": case.updated_at.isoformat(),
        "expected_datetime": _due(case.due_date),
        "address": case.location_text or (place.label if place else None),
        "address_id": case.location_uprn,
        "zipcode": place.postcode if place else None,
        "lat": case.latitude,
        "long": case.longitude,
        "media_url": submission.media_url or None,
    }


def update_record(event: CaseEvent) -> dict[str, Any]:
    case = event.case
    if event.kind is CaseEventKind.STATUS_CHANGED:
        status = open_or_closed(event.to_status or case.status)
        description = f"Your request is now {CaseStatus(event.to_status).label.lower()}."
    else:
        said = (event.details or {}).get("status", "")
        status = "closed" if said == "closed" else "open"
        description = queries.public_note(event)
    return {
        "update_id": str(event.id),
        "service_request_id": case.reference,
        "status": status,
        "updated_datetime": event.at.isoformat(),
        "description": description,
        "media_url": None,
    }
