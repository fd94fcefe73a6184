"""Tracking a life event: each service's status, shown only to someone who gives the `LE-…`
reference and the email address or postcode given with the report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from frontoffice.customers import normalise
from frontoffice.extensions import db
from frontoffice.life_events import queries
from frontoffice.life_events.models import EventKind, LifeEvent, NotificationStatus, parse_reference
from frontoffice.public.event_operations import web_report

WHAT = {EventKind.DEATH: "A death", EventKind.BIRTH: "A birth", EventKind.MOVE: "A move"}
BEING_TOLD = ("Being told", "light-blue")
PUBLIC_STATUS = {
    NotificationStatus.PENDING: BEING_TOLD,
    NotificationStatus.SENT: BEING_TOLD,
    NotificationStatus.FAILED: BEING_TOLD,
    NotificationStatus.NOT_ROUTED: BEING_TOLD,
    NotificationStatus.DELIVERED: ("Told", "blue"),
    NotificationStatus.ACKNOWLEDGED: ("Acknowledged", "turquoise"),
    NotificationStatus.ACTIONED: ("Actioned", "green"),
    NotificationStatus.REJECTED: ("Rejected", "red"),
    NotificationStatus.WITHDRAWN: ("Not told", "grey"),
}


@dataclass(frozen=True)
class ServiceLine:
    service: str
    status: str
    colour: str


@dataclass(frozen=True)
class TrackedEvent:
    reference: str
    what: str
    reported_at: datetime
    again: bool  # a repeat of an earlier report: nobody was told a second time
    lines: list[ServiceLine]


def track_event(reference: str, secret: str) -> TrackedEvent | None:
    event_id = parse_reference(reference)
    event = db.session.get(LifeEvent, event_id) if event_id else None
    if event is None or not _knows(event, secret):
        return None
    lines = [
        ServiceLine(line.notification.service.name, *PUBLIC_STATUS[line.status])
        for line in queries.lines(event.notifications)
    ]
    return TrackedEvent(
        reference=event.reference,
        what=WHAT[event.kind],
        reported_at=event.created_at,
        again=event.duplicate_of_id is not None,
        lines=lines,
    )


def _knows(event: LifeEvent, secret: str) -> bool:
    """The email or postcode the resident gave on the web; for a report taken by an adviser,
    the informant's email address."""
    secret = secret.strip()
    email = normalise.email_key(secret) if "@" in secret else ""
    postcode = normalise.normalise_postcode(secret)
    postcode = normalise.postcode_key(postcode) if postcode else ""
    if not email and not postcode:
        return False
    web = web_report(event.id)
    if web is not None:
        return bool(
            (email and email == web.email_key) or (postcode and postcode == web.postcode_key)
        )
    informant = event.informant
    return bool(
        email and informant and informant.email and normalise.email_key(informant.email) == email
    )
