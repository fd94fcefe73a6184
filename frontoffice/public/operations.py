"""A resident's request from the web becomes a routed case on the right customer record.

Flush only; the view commits. The draft was checked page by page; everything is checked
again here, since a draft may be older than a change to the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.cases import operations as cases
from frontoffice.cases.models import Case, Channel
from frontoffice.catalogue.answers import clean_answers
from frontoffice.customers import matching, normalise
from frontoffice.customers import operations as customers
from frontoffice.customers.models import Customer, Language, PreferredChannel
from frontoffice.extensions import db
from frontoffice.gazetteer import queries as gazetteer
from frontoffice.messages.operations import confirm_request
from frontoffice.public import queries
from frontoffice.public.models import WebRequest

JOURNEY = "request"


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


def already_made(token: str) -> Case | None:
    """The case a post with this idempotency token already made."""
    return db.session.scalar(select(Case).join(WebRequest).where(WebRequest.token == token))


def submit_request(actor: Actor, token: str, data: dict[str, Any], track_url: str) -> Case:
    service = queries.service_by_code(str(data.get("service", "")))
    if service is None:
        raise Incomplete("service", "That service is no longer available: choose another")
    answers, problems = clean_answers(service.active_questions, data.get("answers") or {})
    if problems:
        raise Incomplete("questions", "Check your answers to the questions")
    where = place(data.get("address") or {})
    contact = data.get("contact") or {}
    if not contact.get("last_name"):
        raise Incomplete("contact", "Enter your contact details")
    email = str(contact.get("email") or "")
    phone = normalise.normalise_phone(contact.get("phone") or "") or ""
    language = Language(contact.get("language") or Language.ENGLISH.value)
    customer = _customer(actor, contact, email, phone, language)
    case = cases.raise_case(
        actor,
        customer,
        service,
        Channel.WEB,
        f"{service.name} (requested on the web)",
        answers,
        location_uprn=where.uprn,
        location_text=where.text,
        latitude=where.latitude,
        longitude=where.longitude,
    )
    db.session.add(
        WebRequest(
            token=token,
            case_id=case.id,
            given_name=str(contact.get("first_name") or "")[:100],
            email=email,
            email_key=normalise.email_key(email),
            phone=phone,
            postcode_key=normalise.postcode_key(where.postcode),
            reply_by=str(contact.get("reply_by") or "email")[:10],
            language=language,
        )
    )
    db.session.flush()  # a second post with the same token fails here, before any email
    confirm_request(case, track_url)
    return case


def place(address: dict[str, Any]) -> Where:
    """Where the request is about: a gazetteer address, or one the resident typed."""
    if address.get("uprn"):
        found = gazetteer.by_uprn(str(address["uprn"]))
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


def _customer(
    actor: Actor, contact: dict[str, Any], email: str, phone: str, language: Language
) -> Customer:
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
