"""A resident's update on their request, sent by an Open311 client (POST servicerequestupdates).

It lands on the case's timeline as a note from the resident through that client (audited, as
every note is). The status it carries is the resident's word, not the partner's:

- `open` on a resolved case reopens it (it goes back to in progress), unless the update was
  written before the case was resolved: an older update never rolls the state back;
- `open` or `closed` on an open case adds the note and changes nothing else (a resident saying
  "fixed" does not close a case; the partner does);
- anything on a closed or cancelled case, and `closed` on a resolved one, is refused: there is
  nothing left to update, and the resident should make a new request.

The same update id from the same key again changes nothing and answers the first answer.
Flush only; the view commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.cases import operations as cases
from frontoffice.cases.models import Case, CaseEvent
from frontoffice.cases.status import CaseStatus
from frontoffice.extensions import db
from frontoffice.open311.models import Open311Update
from frontoffice.open311.submissions import Refused
from frontoffice.partner_api.models import ApiKey

STATUSES = ("open", "closed")


@dataclass
class ResidentUpdate:
    update_id: str
    updated_datetime: datetime
    status: str
    description: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    media_url: str = ""


def earlier(key: ApiKey, update_id: str) -> Open311Update | None:
    return db.session.scalar(
        select(Open311Update).where(
            Open311Update.api_key_id == key.id, Open311Update.update_id == update_id
        )
    )


def post(actor: Actor, key: ApiKey, case: Case, sent: ResidentUpdate) -> Open311Update:
    """The update, applied once. Refused (400) when the case's state forbids it."""
    seen = earlier(key, sent.update_id)
    if seen is not None:
        return seen
    if sent.status not in STATUSES:
        raise Refused(f"status must be one of: {', '.join(STATUSES)}")
    reopen = sent.status == "open" and case.status is CaseStatus.RESOLVED
    if case.status.stops_the_clock and not reopen:
        raise Refused(
            f"Request {case.reference} is {case.status.label.lower()}: make a new request instead"
        )
    who = " ".join(p for p in (sent.first_name, sent.last_name) if p) or "The resident"
    event = cases.add_note(
        actor, case, f"{who} via {key.partner.name}: {sent.description or '(no text)'}"
    )
    event.details = {
        "from": "resident",
        "api_key_id": key.id,
        "update_id": sent.update_id,
        "status": sent.status,
        "updated_datetime": sent.updated_datetime.isoformat(),
        "email": sent.email,
        "media_url": sent.media_url,
    }
    if reopen and not _stale(case, sent.updated_datetime):
        cases.change_status(
            actor,
            case,
            CaseStatus.IN_PROGRESS,
            note=f"Reopened: {who} says it is not done (update {sent.update_id})",
        )
    row = Open311Update(
        api_key_id=key.id, update_id=sent.update_id, case_id=case.id, event_id=event.id
    )
    db.session.add(row)
    db.session.flush()
    return row


def _stale(case: Case, written_at: datetime) -> bool:
    """Whether the case's state last changed after the resident wrote this."""
    changed = db.session.scalar(
        select(CaseEvent.at)
        .where(CaseEvent.case_id == case.id, CaseEvent.to_status.is_not(None))
        .order_by(CaseEvent.at.desc())
        .limit(1)
    )
    changed = changed or case.closed_at
    return changed is not None and written_at <= changed
