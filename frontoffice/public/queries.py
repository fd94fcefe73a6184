"""Reads for the resident pages. The catalogue is public; a case is shown only to someone
who gives its reference and the email address or postcode given with it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, lazyload

from frontoffice import clock, config_cache
from frontoffice.access.policy import accepted_request_scope
from frontoffice.accounts.models import StaffUser
from frontoffice.cases.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    parse_reference,
)
from frontoffice.cases.status import CaseStatus
from frontoffice.catalogue.models import Service
from frontoffice.customers import normalise
from frontoffice.extensions import db
from frontoffice.gazetteer.models import GazetteerAddress
from frontoffice.public.models import AcceptedRequest, Draft, WebRequest

QUERY_MAX = 100
PUBLIC_STATUS = {
    CaseStatus.NEW: "Received",
    CaseStatus.IN_PROGRESS: "Being worked on",
    CaseStatus.WAITING_ON_CUSTOMER: "Waiting for you to reply",
    CaseStatus.WAITING_ON_PARTNER: "Being worked on",
    CaseStatus.RESOLVED: "Done",
    CaseStatus.CLOSED: "Closed",
    CaseStatus.CANCELLED: "Cancelled",
}


def _words(text: str) -> set[str]:
    folded = unicodedata.normalize("NFKD", text.lower())
    return {w for w in re.findall(r"[a-z0-9]+", folded) if len(w) > 1}


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def active_services() -> list[Service]:
    return list(
        db.session.scalars(select(Service).where(Service.active).order_by(Service.name)).all()
    )


def groups(services: list[Service]) -> list[str]:
    return sorted({s.group for s in services if s.group})


def search_services(services: list[Service], text: str) -> list[Service]:
    """Services whose name, keywords ("wheelie bin"), group or description share words with
    what the resident typed, the best first: a name or keyword counts more than a description."""
    wanted = {_stem(w) for w in _words(text[:QUERY_MAX])}
    if not wanted:
        return []
    scored = []
    for service in services:
        strong = {_stem(w) for w in _words(f"{service.name} {service.keywords}")}
        weak = {_stem(w) for w in _words(f"{service.group} {service.description}")}
        score = 3 * len(wanted & strong) + len(wanted & weak)
        if score:
            scored.append((-score, service.name, service))
    return [s for *_, s in sorted(scored, key=lambda t: (t[0], t[1]))]


def service_by_code(code: str) -> Service | None:
    """An offered service with its questions (every journey page asks for them): one query.
    Not its owning partner, which no resident page shows (loaded only if asked for)."""
    return (
        db.session.scalars(
            select(Service)
            .where(Service.code == code[:40], Service.active)
            .options(joinedload(Service.questions), lazyload(Service.owning_partner))
        )
        .unique()
        .one_or_none()
    )


def draft_with_service(token: str) -> tuple[Draft | None, Service | None]:
    """A request journey's draft and the offered service it names, in one query (every page
    of the journey reads both; service_by_code's loading)."""
    row = (
        db.session.execute(
            select(Draft, Service)
            .outerjoin(
                Service,
                and_(Service.code == Draft.data["service"].as_string(), Service.active),
            )
            .where(Draft.token == token)
            .options(joinedload(Service.questions), lazyload(Service.owning_partner))
        )
        .unique()
        .one_or_none()
    )
    return (None, None) if row is None else (row[0], row[1])


@dataclass(frozen=True)
class Sending:
    """What a resident's "Send request" post needs of their draft, read in one statement."""

    token: str
    journey: str
    data: dict
    updated_at: datetime
    address: GazetteerAddress | None  # the chosen address, if the draft names one that exists


def draft_to_send(token: str) -> Sending | None:
    """The draft, the gazetteer address it names and the set-up's stamp, in one statement
    (the service and its questions then come from what the process keeps:
    catalogue.offered)."""
    uprn = Draft.data[("address", "uprn")].as_string()
    row = db.session.execute(
        select(
            Draft.token,
            Draft.journey,
            Draft.data,
            Draft.updated_at,
            GazetteerAddress,
            config_cache.stamp_column(),
        )
        .outerjoin(GazetteerAddress, GazetteerAddress.uprn == uprn)
        .where(Draft.token == token)
    ).one_or_none()
    if row is None:
        return None
    config_cache.stamp_read(row[5])
    return Sending(row[0], row[1], row[2], row[3], row[4])


def web_request(case_id: int) -> WebRequest | None:
    return db.session.scalar(select(WebRequest).where(WebRequest.case_id == case_id))


def unraised_requests(user: StaffUser, *, waited: timedelta, limit: int = 200):
    """Accepted requests the worker could not raise, and ones it has not raised after
    `waited` (the worker or the broker is down): the oldest first."""
    since = clock.now() - waited
    return list(
        db.session.scalars(
            select(AcceptedRequest)
            .where(
                or_(AcceptedRequest.failure != "", AcceptedRequest.created_at <= since),
                AcceptedRequest.closed_at.is_(None),
                accepted_request_scope(user),
            )
            .order_by(AcceptedRequest.created_at)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Note:
    at: datetime
    text: str


@dataclass(frozen=True)
class Tracked:
    reference: str
    service: str
    status: str
    raised_at: datetime
    notes: list[Note]
    # Accepted on the web, not yet passed to the team (public.tasks raises it).
    waiting: bool = False


def track(reference: str, secret: str) -> Tracked | None:
    """The case, when `secret` is the email address or postcode given with it; else None.

    The web request's own details are checked, and for a case raised another way (a call)
    the customer record's email addresses and current postcode.
    """
    case_id = parse_reference(reference)
    case = db.session.get(Case, case_id) if case_id else None
    if case is None:
        return _accepted(case_id, secret) if case_id else None
    if not _knows(case, secret):
        return None
    notes = [
        Note(at=e.at, text=e.details["description"])
        for e in db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id, CaseEvent.kind == CaseEventKind.PARTNER_UPDATE)
            .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
        )
        if (e.details or {}).get("description")
    ]
    return Tracked(
        reference=case.reference,
        service=case.service.name,
        status=PUBLIC_STATUS[case.status],
        raised_at=case.created_at,
        notes=notes,
    )


def _accepted(case_id: int, secret: str) -> Tracked | None:
    accepted = db.session.scalar(select(AcceptedRequest).where(AcceptedRequest.case_id == case_id))
    if accepted is None:
        return None
    email, postcode = _secret(secret)
    if not _given(accepted, email, postcode):
        return None
    if accepted.closed_at is not None:  # by a supervisor, who told the resident why
        return Tracked(
            reference=accepted.reference,
            service=accepted.service.name,
            status=PUBLIC_STATUS[CaseStatus.CLOSED],
            raised_at=accepted.created_at,
            notes=[Note(at=accepted.closed_at, text=f"Closed — {accepted.close_reason}")],
        )
    return Tracked(
        reference=accepted.reference,
        service=accepted.service.name,
        status=PUBLIC_STATUS[CaseStatus.NEW],
        raised_at=accepted.created_at,
        notes=[],
        waiting=True,
    )


def _secret(secret: str) -> tuple[str, str]:
    """The email address key and the postcode key a resident may have typed."""
    secret = secret.strip()
    email = normalise.email_key(secret) if "@" in secret else ""
    postcode = normalise.normalise_postcode(secret)
    return email, normalise.postcode_key(postcode) if postcode else ""


def _given(web: WebRequest | AcceptedRequest, email: str, postcode: str) -> bool:
    return bool((email and email == web.email_key) or (postcode and postcode == web.postcode_key))


def _knows(case: Case, secret: str) -> bool:
    email, postcode = _secret(secret)
    if not email and not postcode:
        return False
    web = web_request(case.id)
    if web is not None:
        return _given(web, email, postcode)
    customer = case.customer
    if email and any(e.address_key == email for e in customer.emails):
        return True
    address = customer.current_address
    return bool(postcode and address is not None and address.postcode_key == postcode)
