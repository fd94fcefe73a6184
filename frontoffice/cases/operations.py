"""Writers for cases: raise, note, change status, reassign. Flush only; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.accounts.models import Role, StaffUser
from frontoffice.audit import operations as audit
from frontoffice.cases.models import Case, CaseEvent, CaseEventKind, Channel, Priority
from frontoffice.cases.status import CaseStatus, check_transition
from frontoffice.catalogue import sla
from frontoffice.catalogue.models import Service
from frontoffice.customers.models import Customer
from frontoffice.extensions import db
from frontoffice.working_days import add_working_days

if TYPE_CHECKING:
    from frontoffice.contacts.models import Contact


class CaseError(ValueError):
    """A change the domain refuses; the message is fit to show to staff."""


def raise_case(
    actor: Actor,
    customer: Customer,
    service: Service,
    channel: Channel,
    summary: str,
    answers: Mapping[str, Any] | None = None,
    priority: Priority = Priority.NORMAL,
    contact: Contact | None = None,
    *,
    location_uprn: str | None = None,
    location_text: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    case_id: int | None = None,
) -> Case:
    """Open a case for one service for one customer and route it (frontoffice.routing).

    The case starts owned by the service's partner; routing then hands it to the partner that
    delivers the service at the customer's address and writes its dispatches in the caller's
    transaction, or sends it to triage. `case_id`: one reserved by cases.ids.reserve_case_id.
    """
    if contact is not None and contact.customer_id != customer.id:
        raise CaseError("The contact belongs to another customer")
    case = _new_case(
        actor,
        customer,
        service,
        channel,
        summary,
        answers,
        priority,
        location_uprn=location_uprn,
        location_text=location_text,
        latitude=latitude,
        longitude=longitude,
    )
    if case_id is not None:
        case.id = case_id
    if contact is not None:
        contact.cases.append(case)
    _write_and_route(actor, [case], contact)
    return case


def raise_cases(
    actor: Actor,
    customer: Customer,
    services: list[Service],
    channel: Channel,
    summary: str,
    answers: Mapping[str, Any] | None = None,
    *,
    location_uprn: str | None = None,
) -> list[Case]:
    """One case for each of several services for one customer (a life event told to each
    service), written and routed together: a flush for the cases and one for their routing."""
    made = [
        _new_case(actor, customer, s, channel, summary, answers, location_uprn=location_uprn)
        for s in services
    ]
    _write_and_route(actor, made, None)
    return made


def _write_and_route(actor: Actor, made: list[Case], contact: Contact | None) -> None:
    """Two flushes whatever the number of cases: the cases with their first events (their ids
    are their references), then their audit rows, dispatches and routing events."""
    from frontoffice.routing.operations import place, route_cases  # routing builds on cases

    with db.session.no_autoflush:
        for case in made:
            place(case)  # before the INSERT, which then carries the district and ward
    db.session.flush()
    audit.record_many(actor, "create", "case", [_created(case, contact) for case in made])
    route_cases(made, actor)


def _new_case(
    actor: Actor,
    customer: Customer,
    service: Service,
    channel: Channel,
    summary: str,
    answers: Mapping[str, Any] | None,
    priority: Priority = Priority.NORMAL,
    *,
    location_uprn: str | None = None,
    location_text: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> Case:
    """A new case, added to the session but not flushed."""
    if not service.active:
        raise CaseError(f"{service.name} is not available at the moment")
    summary = summary.strip()
    if not summary:
        raise CaseError("Enter a summary of the request")
    now = clock.now()
    case = Case(
        customer=customer,
        service=service,
        owning_partner_id=service.owning_partner_id,
        status=CaseStatus.NEW,
        priority=priority,
        channel=channel,
        summary=summary,
        answers=dict(answers or {}),
        location_uprn=location_uprn,
        location_text=location_text[:300],
        latitude=latitude,
        longitude=longitude,
        due_date=_due_date(service, now),
        ack_due_date=_ack_due_date(service, now),
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(case)
    case.events.append(
        CaseEvent(
            kind=CaseEventKind.CREATED,
            at=now,
            actor_id=actor.user_id,
            to_status=CaseStatus.NEW.value,
            details={"channel": channel.value, "priority": priority.value},
        )
    )
    return case


def _created(case: Case, contact: Contact | None) -> tuple[int, int, dict[str, Any]]:
    """The audit record of a new case."""
    return (
        case.id,
        case.customer_id,
        {
            "reference": case.reference,
            "service": case.service.code,
            "owning_partner_id": case.owning_partner_id,
            "contact_id": contact.id if contact is not None else None,
        },
    )


def _ack_due_date(service: Service, raised_at: datetime) -> date | None:
    if service.ack_working_days is None:
        return None
    return add_working_days(raised_at.astimezone(sla.LONDON).date(), service.ack_working_days)


def _due_date(service: Service, raised_at: datetime) -> date | None:
    """The day a case is due: an hours target counts as due on the (UK) day it falls."""
    due = sla.due_at(service, raised_at)
    if isinstance(due, datetime):
        return due.astimezone(sla.LONDON).date()
    return due


def add_note(actor: Actor, case: Case, text: str) -> CaseEvent:
    text = text.strip()
    if not text:
        raise CaseError("Enter a note")
    now = clock.now()
    event = CaseEvent(kind=CaseEventKind.NOTE, at=now, actor_id=actor.user_id, note=text)
    case.events.append(event)
    case.updated_at = now
    db.session.flush()
    audit.record(
        actor,
        "add_note",
        "case",
        case.id,
        customer_id=case.customer_id,
        details={"event_id": event.id},
    )
    return event


def change_status(actor: Actor, case: Case, wanted: CaseStatus, note: str | None = "") -> CaseEvent:
    """Move a case along its life; raises status.IllegalTransition for a change not allowed.

    closed_at records when the case stopped being worked: set on resolving or cancelling
    (closing a resolved case keeps the time it was resolved), cleared on reopening.
    """
    current = case.status
    check_transition(current, wanted)
    note = (note or "").strip()
    now = clock.now()
    case.status = wanted
    case.updated_at = now
    if wanted.stops_the_clock:
        if case.closed_at is None:
            case.closed_at = now
    else:
        case.closed_at = None
    event = CaseEvent(
        kind=CaseEventKind.STATUS_CHANGED,
        at=now,
        actor_id=actor.user_id,
        from_status=current.value,
        to_status=wanted.value,
        note=note,
    )
    case.events.append(event)
    db.session.flush()
    audit.record(
        actor,
        "change_status",
        "case",
        case.id,
        customer_id=case.customer_id,
        reason=note,
        details={"from": current.value, "to": wanted.value},
    )
    return event


def _person(user: StaffUser | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.id, "name": user.name}


def reassign(
    actor: Actor, case: Case, assignee: StaffUser | None, reason: str | None = ""
) -> CaseEvent:
    """Give the case to someone (or to nobody, back to the team's queue).

    Who may be chosen is decided by access.policy.staff_scope_for_assignment in the query
    that offers the choice; here we refuse only what can never be right.
    """
    previous = case.assigned_to
    reason = (reason or "").strip()
    if (previous.id if previous else None) == (assignee.id if assignee else None):
        raise CaseError(
            f"The case is already assigned to {assignee.name}"
            if assignee is not None
            else "The case is already unassigned"
        )
    if assignee is not None:
        if not assignee.active:
            raise CaseError(f"{assignee.name} can no longer be assigned cases")
        if assignee.role == Role.ADMINISTRATOR:
            raise CaseError("Administrators cannot be assigned cases")
        if assignee.role == Role.PARTNER_USER and assignee.partner_id != case.owning_partner_id:
            raise CaseError(f"{assignee.name} works for a partner that does not own this case")
    now = clock.now()
    case.assigned_to = assignee
    case.updated_at = now
    details = {"from": _person(previous), "to": _person(assignee)}
    event = CaseEvent(
        kind=CaseEventKind.REASSIGNED,
        at=now,
        actor_id=actor.user_id,
        note=reason,
        details=details,
    )
    case.events.append(event)
    db.session.flush()
    audit.record(
        actor,
        "reassign",
        "case",
        case.id,
        customer_id=case.customer_id,
        reason=reason,
        details=details,
    )
    return event
