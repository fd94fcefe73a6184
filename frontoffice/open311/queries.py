"""Reads for Open311 clients, already scoped to the partner whose key is asking.

A partner sees only the requests its own keys sent (any of its keys, so a rotated key still
reads what the old one sent): our cases are residents' personal matters, not public street
reports. Anything else is "not found", so nobody learns that it exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from frontoffice.cases.models import Case, CaseEvent, CaseEventKind, parse_reference
from frontoffice.cases.status import CLOCK_STOPPED_STATUSES
from frontoffice.catalogue.models import Service
from frontoffice.extensions import db
from frontoffice.open311.models import Open311Submission
from frontoffice.partner_api.models import ApiKey

# Most requests (or updates) one answer holds, newest first, as the spec suggests.
MAX_RESULTS = 1000


@dataclass(frozen=True)
class RequestFilters:
    start: datetime
    end: datetime
    service_codes: tuple[str, ...] = ()
    # "open", "closed" or both
    statuses: tuple[str, ...] = ()


def _ours(partner_id: int) -> Select:
    return (
        select(Case, Open311Submission)
        .options(selectinload(Case.events))
        .join(Open311Submission, Open311Submission.case_id == Case.id)
        .join(ApiKey, ApiKey.id == Open311Submission.api_key_id)
        .where(ApiKey.partner_id == partner_id)
    )


def request(partner_id: int, reference: str) -> tuple[Case, Open311Submission] | None:
    case_id = parse_reference(reference)
    if case_id is None:
        return None
    row = db.session.execute(_ours(partner_id).where(Case.id == case_id).limit(1)).first()
    return (row[0], row[1]) if row else None


def by_token(partner_id: int, token: str) -> tuple[Case, Open311Submission] | None:
    row = db.session.execute(
        _ours(partner_id).where(Open311Submission.token == token[:64]).limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def by_references(partner_id: int, case_ids: Sequence[int]) -> list[tuple[Case, Open311Submission]]:
    rows = db.session.execute(
        _ours(partner_id).where(Case.id.in_(case_ids)).order_by(Case.created_at.desc())
    ).all()
    return _once_per_case(rows)


def requests(partner_id: int, filters: RequestFilters) -> list[tuple[Case, Open311Submission]]:
    query = _ours(partner_id).where(
        Case.created_at >= filters.start, Case.created_at <= filters.end
    )
    if filters.service_codes:
        query = query.join(Service, Service.id == Case.service_id).where(
            Service.code.in_(filters.service_codes)
        )
    if set(filters.statuses) == {"open"}:
        query = query.where(Case.status.notin_(CLOCK_STOPPED_STATUSES))
    elif set(filters.statuses) == {"closed"}:
        query = query.where(Case.status.in_(CLOCK_STOPPED_STATUSES))
    rows = db.session.execute(
        query.order_by(Case.created_at.desc(), Case.id.desc()).limit(MAX_RESULTS)
    ).all()
    return _once_per_case(rows)


def _once_per_case(rows) -> list[tuple[Case, Open311Submission]]:
    seen: set[int] = set()
    found = []
    for case, submission in rows:
        if case.id not in seen:
            seen.add(case.id)
            found.append((case, submission))
    return found


# What a resident may read on the timeline: status changes and what partners said for them.
# Notes (staff's and partners' internal ones, and residents' own updates) never leave.
PUBLIC_KINDS = (CaseEventKind.STATUS_CHANGED, CaseEventKind.PARTNER_UPDATE)


def public_events(partner_id: int, start: datetime, end: datetime) -> list[CaseEvent]:
    """The public timeline entries on this partner's requests made in [start, end]."""
    ours = (
        select(Open311Submission.case_id)
        .join(ApiKey, ApiKey.id == Open311Submission.api_key_id)
        .where(ApiKey.partner_id == partner_id)
    )
    events = db.session.scalars(
        select(CaseEvent)
        .where(
            CaseEvent.case_id.in_(ours),
            CaseEvent.kind.in_(PUBLIC_KINDS),
            CaseEvent.at >= start,
            CaseEvent.at <= end,
        )
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
        .limit(MAX_RESULTS)
    ).all()
    return [e for e in reversed(events) if is_public(e)]


def is_public(event: CaseEvent) -> bool:
    if event.kind is CaseEventKind.PARTNER_UPDATE:
        # a rejection's reason is for the front office that routes the case again
        return (event.details or {}).get("status") != "rejected"
    return event.kind in PUBLIC_KINDS


def latest_public_note(case: Case) -> str | None:
    """What the delivering partner last said for the resident, if it said anything."""
    for event in reversed(case.events):
        if is_public(event) and event.kind is CaseEventKind.PARTNER_UPDATE:
            note = public_note(event)
            if note:
                return note
    return None


def public_note(event: CaseEvent) -> str:
    """A partner update's note for the resident, without the "X says Y: " the timeline adds."""
    details = event.details or {}
    if "description" in details:
        return str(details["description"])
    head, sep, rest = event.note.partition(": ")
    return rest if sep and " says " in head else ""
