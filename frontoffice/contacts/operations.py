"""Writers for contacts: log one interaction and raise the cases it asked for, all or nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from frontoffice.access.actor import Actor
from frontoffice.audit import operations as audit
from frontoffice.cases import operations as case_operations
from frontoffice.cases.models import Channel, Priority
from frontoffice.catalogue.models import Service
from frontoffice.contacts.models import Contact, Direction
from frontoffice.customers.models import Customer
from frontoffice.extensions import db

MAX_CASES_PER_CONTACT = 5


class ContactError(ValueError):
    """A contact the domain refuses; the message is fit to show to staff."""


@dataclass(frozen=True)
class CaseRequest:
    """One case to raise from a contact."""

    service: Service
    summary: str
    priority: Priority = Priority.NORMAL
    answers: Mapping[str, Any] = field(default_factory=dict)


def log_contact(
    actor: Actor,
    customer: Customer,
    *,
    channel: Channel,
    direction: Direction,
    reason: str,
    started_at: datetime,
    ended_at: datetime,
    outcome: str = "",
    resolved_first_contact: bool = False,
    location: str = "",
    cases: Sequence[CaseRequest] = (),
) -> Contact:
    """Record a contact and raise its cases; any refusal raises before the caller commits."""
    reason = reason.strip()
    if not reason:
        raise ContactError("Enter the reason for the contact")
    if ended_at < started_at:
        raise ContactError("The contact cannot end before it started")
    location = location.strip() if channel is Channel.WALK_IN else ""
    if channel is Channel.WALK_IN and not location:
        raise ContactError("Enter the one-stop shop the customer visited")
    if len(cases) > MAX_CASES_PER_CONTACT:
        raise ContactError(f"Raise no more than {MAX_CASES_PER_CONTACT} cases from one contact")
    contact = Contact(
        customer=customer,
        channel=channel,
        direction=direction,
        location=location,
        adviser_id=actor.user_id,
        started_at=started_at,
        ended_at=ended_at,
        reason=reason,
        outcome=outcome.strip(),
        resolved_first_contact=resolved_first_contact,
    )
    db.session.add(contact)
    db.session.flush()
    audit.record(
        actor,
        "create",
        "contact",
        contact.id,
        customer_id=customer.id,
        details={"channel": channel.value, "direction": direction.value},
    )
    for request in cases:
        case_operations.raise_case(
            actor,
            customer,
            request.service,
            channel,
            request.summary,
            request.answers,
            request.priority,
            contact=contact,
        )
    return contact
