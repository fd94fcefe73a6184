"""A service request arriving over Open311 becomes a case on the right customer record.

The customer is the one record whose email, or else phone, matches; otherwise a new record.
Every request is kept as an Open311Submission with the key that sent it and an unguessable
token: reads show a partner only what its own keys sent. A client's own id
(`attribute[client_request_id]`) makes a retried report find its first case.
Flush only; the view commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.cases import operations as cases
from frontoffice.cases.models import Channel
from frontoffice.catalogue.answers import clean_answers
from frontoffice.catalogue.models import Service
from frontoffice.customers import matching, normalise
from frontoffice.customers import operations as customers
from frontoffice.customers.models import Customer
from frontoffice.extensions import db
from frontoffice.formkit import CONTROL
from frontoffice.open311.models import Open311Submission
from frontoffice.partner_api.models import ApiKey

CLIENT_ID = "client_request_id"
TEXT_MAX = {"description": 5000, "address_string": 300, "first_name": 100, "last_name": 100}
MEDIA_URL_MAX = 500


class Refused(ValueError):
    """A request the spec says to refuse with 400 (or 404 for an unknown service)."""

    def __init__(self, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.description, self.status = description, status


@dataclass
class Submission:
    service_code: str
    attributes: dict[str, Any] = field(default_factory=dict)
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""
    description: str = ""
    media_url: str = ""


def submit(actor: Actor, key: ApiKey, sent: Submission) -> tuple[Open311Submission, bool]:
    """(the submission, with its case; whether it is new)."""
    client_id = str(sent.attributes.pop(CLIENT_ID, "") or "")[:100]
    if client_id:
        earlier = db.session.scalar(
            select(Open311Submission).where(
                Open311Submission.api_key_id == key.id,
                Open311Submission.client_request_id == client_id,
            )
        )
        if earlier is not None:
            return earlier, False
    service = db.session.scalar(
        select(Service).where(
            Service.code == sent.service_code.strip().lower()[:40], Service.active
        )
    )
    if not sent.service_code.strip():
        raise Refused("service_code is required")
    if service is None:
        raise Refused(f"service_code {sent.service_code[:40]!r} is not a service we offer", 404)
    for name, limit in TEXT_MAX.items():
        if len(getattr(sent, name)) > limit:
            raise Refused(f"{name} must be {limit} characters or fewer")
        if CONTROL.search(getattr(sent, name)):
            raise Refused(f"{name} must not contain control characters")
    media_url = check_media_url(sent.media_url)
    latitude, longitude = _position(sent)
    uprn = sent.address_id.strip()
    if uprn and not (uprn.isdigit() and len(uprn) <= 12):
        raise Refused("address_id must be a UPRN: up to 12 digits")
    if latitude is None and not sent.address_string.strip() and not uprn:
        raise Refused("Give lat and long, address_string or address_id")
    answers, problems = clean_answers(service.active_questions, sent.attributes)
    if problems:
        raise Refused(
            "; ".join(f"attribute[{code}]: {message}" for code, message in problems.items())
        )
    customer = _customer(actor, sent)
    case = cases.raise_case(
        actor,
        customer,
        service,
        Channel.WEB,
        sent.description.strip() or service.name,
        answers,
        location_uprn=uprn or None,
        location_text=sent.address_string.strip(),
        latitude=latitude,
        longitude=longitude,
    )
    submission = Open311Submission(
        api_key_id=key.id,
        client_request_id=client_id or None,
        case_id=case.id,
        token=secrets.token_urlsafe(24),
        media_url=media_url,
    )
    db.session.add(submission)
    db.session.flush()
    return submission, True


def check_media_url(text: str) -> str:
    """An http(s) address of a photo, or nothing; Refused otherwise."""
    url = text.strip()
    if not url:
        return ""
    if (
        len(url) > MEDIA_URL_MAX
        or not url.lower().startswith(("https://", "http://"))
        or any(c.isspace() or ord(c) < 32 or c in "<>\"'" for c in url)
    ):
        raise Refused(
            f"media_url must be an http or https address of {MEDIA_URL_MAX} characters or fewer"
        )
    return url


def _position(sent: Submission) -> tuple[float | None, float | None]:
    if not sent.lat and not sent.long:
        return None, None
    try:
        lat, long = float(sent.lat), float(sent.long)
    except ValueError:
        raise Refused("lat and long must both be decimal degrees") from None
    if not (-90 <= lat <= 90 and -180 <= long <= 180):
        raise Refused("lat must be within ±90 and long within ±180")
    return lat, long


def _customer(actor: Actor, sent: Submission) -> Customer:
    email = sent.email.strip()
    if email and ("@" not in email or len(email) > 254):
        raise Refused("email is not an email address")
    phone = normalise.normalise_phone(sent.phone) if sent.phone.strip() else None
    if sent.phone.strip() and phone is None:
        raise Refused("phone is not a UK phone number")
    # address_string and lat/long say where the problem is, not where the resident lives.
    found = matching.match(
        matching.Given(
            given_name=sent.first_name.strip(),
            family_name=sent.last_name.strip(),
            email=email,
            phone=phone or "",
        )
    )
    details = customers.CustomerDetails(
        given_name=sent.first_name.strip(),
        family_name=sent.last_name.strip() or "(not given)",
        phones=(phone,) if phone else (),
        email=email or None,
    )
    return matching.land(found, actor, details, source="open311")
