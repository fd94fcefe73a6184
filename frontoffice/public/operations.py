"""A resident's request from the web: accepted at once (checked, kept in one row, the case's
id reserved), then raised by the worker as a routed case on the right customer record.

Flush only; the view and the task commit. The draft was checked page by page; everything is
checked again on accepting, since a draft may be older than a change to the catalogue.
"""

from __future__ import annotations

import functools
import os
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Insert, bindparam, delete, insert, select

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.cases import operations as cases
from frontoffice.cases.ids import reserved_case_id
from frontoffice.cases.models import Case, Channel, format_reference
from frontoffice.catalogue.answers import clean_answers
from frontoffice.catalogue.offered import OfferedService
from frontoffice.customers import matching, normalise
from frontoffice.customers import operations as customers
from frontoffice.customers.models import Customer, Language, PreferredChannel
from frontoffice.database import transaction_scoped
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.extensions import db
from frontoffice.gazetteer import queries as gazetteer
from frontoffice.gazetteer.models import GazetteerAddress
from frontoffice.messages.operations import confirm_request
from frontoffice.public import drafts
from frontoffice.public.models import AcceptedRequest, Draft, WebRequest

JOURNEY = "request"
# Accepted requests to send to the worker once the transaction commits (public.tasks).
TO_RAISE_KEY = "frontoffice.public.to_raise"
transaction_scoped(TO_RAISE_KEY)


class Incomplete(ValueError):
    """The draft lacks something, or something in it is no longer right: `step` says where."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(message)
        self.step = step


@dataclass(frozen=True)
class Where:
    uprn: str | None
    text: str
    postcode: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Made:
    """What the confirmation page shows for a request accepted (or already raised)."""

    reference: str
    service: str
    email: str


def already_made(token: str) -> Made | None:
    """The request a post with this idempotency token already made, raised or not."""
    accepted = db.session.scalar(select(AcceptedRequest).where(AcceptedRequest.token == token))
    if accepted is not None:
        return _made(accepted)
    found = db.session.execute(
        select(Case, WebRequest.email).join(WebRequest).where(WebRequest.token == token)
    ).first()
    if found is None:
        return None
    case, email = found
    return Made(case.reference, case.service.name, email)


def _made(accepted: AcceptedRequest) -> Made:
    email = str(accepted.data["contact"].get("email") or "")
    return Made(accepted.reference, accepted.service.name, email)


def accept_request(
    actor: Actor,
    token: str,
    service: OfferedService,
    data: dict[str, Any],
    track_url: str,
    *,
    retry_after: timedelta,
    address: GazetteerAddress | None = None,
) -> tuple[int, Made]:
    """Checks the draft (its `token` and `data`) and keeps it, in one row, to be raised by the
    worker (raise_accepted) with the case id reserved here; the draft goes. `service`: the
    draft's, as offered now (catalogue.offered). `retry_after`: when the sweeper may try
    again if the worker has not raised it by then. `address`: the gazetteer address the
    draft names, if the caller read it already. Sent to the worker once the transaction
    commits."""
    if not service.active or service.code != data.get("service"):
        raise Incomplete("service", "That service is no longer available: choose another")
    answers, problems = clean_answers(service.active_questions, data.get("answers") or {})
    if problems:
        raise Incomplete("questions", "Check your answers to the questions")
    where = place(data.get("address") or {}, address)
    contact = data.get("contact") or {}
    if not contact.get("last_name"):
        raise Incomplete("contact", "Enter your contact details")
    email = str(contact.get("email") or "")
    now = clock.now()
    # One INSERT that reserves the case's id too, and returns it. The token is unique: a
    # second post with it fails here.
    connection = db.session.connection()
    dialect = connection.dialect.name
    accepted_id, case_id = connection.execute(
        _accept_statement(dialect),
        {
            "token": token,
            "service_id": service.id,
            "data": {
                "answers": answers,
                "place": asdict(where),
                "contact": {
                    "first_name": str(contact.get("first_name") or ""),
                    "last_name": str(contact["last_name"]),
                    "email": email,
                    "phone": normalise.normalise_phone(contact.get("phone") or "") or "",
                    "reply_by": str(contact.get("reply_by") or "email")[:10],
                    "language": Language(contact.get("language") or Language.ENGLISH.value).value,
                },
            },
            "track_url": track_url[:500],
            "email_key": normalise.email_key(email),
            "postcode_key": normalise.postcode_key(where.postcode),
            "ip_address": actor.ip_address,
            "created_at": now,
            "next_attempt_at": now + retry_after,
            "attempts": 0,
            "failure": "",
            # given, not left to the column's default: with the WITH below, SQLAlchemy would
            # send NULL for it
            "close_reason": "",
            **({"draft_token": token} if dialect == "postgresql" else {}),
        },
    ).one()
    if dialect != "postgresql":
        drafts.discard(token)
    to_raise(accepted_id)
    return accepted_id, Made(format_reference(case_id), service.name, email)


@functools.cache
def _accept_statement(dialect: str) -> Insert:
    """The INSERT of accept_request, built once per database kind (`dialect`: the name that
    reserved_case_id's expression depends on). Core, not the ORM's bulk insert, and the values
    as parameters: the same SQL for less work on every resident's post. On PostgreSQL the
    draft's DELETE rides in the same statement (a data-modifying WITH, run whether or not
    the INSERT reads it): one round trip less."""
    table = AcceptedRequest.__table__
    statement = (
        insert(table).values(case_id=reserved_case_id()).returning(table.c.id, table.c.case_id)
    )
    if dialect == "postgresql":
        draft = Draft.__table__
        gone = delete(draft).where(draft.c.token == bindparam("draft_token"))
        statement = statement.add_cte(gone.cte("draft_gone"))
    return statement


class CannotRaise(ValueError):
    """The worker cannot raise an accepted request: the message says why, for staff."""


def raise_accepted(accepted: AcceptedRequest) -> Case:
    """What the resident asked for becomes a routed case on the right customer record, with
    the reserved id; the accepted request goes. Flush only; the task commits."""
    service = accepted.service
    if not service.active:
        raise CannotRaise(f"{service.name} was withdrawn before the request could be raised")
    actor = Actor(None, "anonymous", accepted.ip_address)
    contact = accepted.data["contact"]
    where = Where(**accepted.data["place"])
    email, phone = contact["email"], contact["phone"]
    language = Language(contact["language"])
    customer = land_customer(actor, contact, email, phone, language)
    case = cases.raise_case(
        actor,
        customer,
        service,
        Channel.WEB,
        f"{service.name} (requested on the web)",
        accepted.data["answers"],
        location_uprn=where.uprn,
        location_text=where.text,
        latitude=where.latitude,
        longitude=where.longitude,
        case_id=accepted.case_id,
    )
    web = WebRequest(
        token=accepted.token,
        case_id=case.id,
        given_name=contact["first_name"][:100],
        email=email,
        email_key=accepted.email_key,
        phone=phone,
        postcode_key=accepted.postcode_key,
        reply_by=contact["reply_by"],
        language=language,
        created_at=accepted.created_at,
    )
    db.session.add(web)
    confirm_request(case, accepted.track_url, web)
    db.session.delete(accepted)
    return case


def place(address: dict[str, Any], known: GazetteerAddress | None = None) -> Where:
    """Where the request is about: a gazetteer address (`known`, if already read), or one
    the resident typed."""
    if address.get("uprn"):
        found = known if known is not None else gazetteer.by_uprn(str(address["uprn"]))
        if found is None:
            raise Incomplete("address", "Find the address again")
        text = ", ".join(
            p for p in (found.line_1, found.line_2, found.line_3, found.town, found.postcode) if p
        )
        return Where(found.uprn, text, found.postcode, found.latitude, found.longitude)
    postcode = normalise.normalise_postcode(address.get("postcode") or "")
    if not address.get("line_1") or postcode is None:
        raise Incomplete("address", "Enter the address")
    parts = (address.get("line_1"), address.get("line_2"), address.get("town"), postcode)
    return Where(None, ", ".join(str(p) for p in parts if p), postcode)


def land_customer(
    actor: Actor, contact: dict[str, Any], email: str, phone: str, language: Language
) -> Customer:
    """The record a web request's contact details land on, whether it is raised or closed:
    a confident match, else a new record (matching.land)."""
    # The address a request is about is not asked as the resident's own, so it is not matched.
    found = matching.match(
        matching.Given(
            given_name=str(contact.get("first_name") or ""),
            family_name=str(contact.get("last_name") or ""),
            email=email,
            phone=phone,
        )
    )
    channel = (
        PreferredChannel.PHONE if contact.get("reply_by") == "phone" else PreferredChannel.EMAIL
    )
    details = customers.CustomerDetails(
        given_name=str(contact.get("first_name") or ""),
        family_name=str(contact["last_name"]),
        phones=(phone,) if phone else (),
        email=email or None,
        preferred_language=language,
        preferred_channel=channel,
    )
    return matching.land(found, actor, details, source="web")


def retry_after() -> timedelta:
    """How long an accepted request may wait for its task before the sweeper sends another."""
    return timedelta(seconds=float(os.environ.get("FRONTOFFICE_INTAKE_RETRY_SECONDS", "60")))


def retry_policy() -> RetryPolicy:
    """Raising that crashed is tried again after about retry_after(), twice as long each
    time, never longer than dispatch's longest wait (FRONTOFFICE_DISPATCH_RETRY_MAX_SECONDS)."""
    return replace(RetryPolicy.from_env(), base_seconds=retry_after().total_seconds())


def raisable() -> ColumnElement[bool]:
    """Neither given up on (its failure is for staff to see to) nor closed by a supervisor."""
    return (AcceptedRequest.failure == "") & AcceptedRequest.closed_at.is_(None)


def to_raise(accepted_id: int) -> None:
    """Sent to the worker once the transaction commits (public.tasks); not if it rolls back."""
    db.session.info.setdefault(TO_RAISE_KEY, set()).add(accepted_id)


def record_failure(accepted_id: int, failure: str, policy: RetryPolicy) -> None:
    """The worker could not raise it. `failure`: why it never can (staff see it); empty to
    try again later, after longer each time (`policy`, capped)."""
    accepted = db.session.get(AcceptedRequest, accepted_id)
    if accepted is None:
        return
    accepted.attempts += 1
    accepted.failure = failure
    accepted.next_attempt_at = clock.now() + timedelta(seconds=policy.delay(accepted.attempts))
    db.session.flush()


def take_due(*, now: datetime, wait: timedelta, limit: int = 500) -> list[int]:
    """Accepted requests whose task may have been lost, sent to the worker again once the
    transaction commits; each put off for another `wait`, so the next sweep does not send it
    again at once."""
    rows = db.session.scalars(
        select(AcceptedRequest)
        .where(raisable(), AcceptedRequest.next_attempt_at <= now)
        .order_by(AcceptedRequest.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=AcceptedRequest)
    ).all()
    for accepted in rows:
        accepted.next_attempt_at = now + wait
        to_raise(accepted.id)
    return [a.id for a in rows]
