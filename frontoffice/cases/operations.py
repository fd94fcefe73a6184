"""Writers for cases: raise, note, change status, reassign. Flush only; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlalchemy.orm.attributes import set_committed_value

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.accounts.models import Role, StaffUser
from frontoffice.audit import operations as audit
from frontoffice.cases import ids
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

    The case goes to the partner that delivers the service at the customer's address, its
    dispatches written in the caller's transaction, or to triage (owned by the service's
    partner). `case_id`: a reference reserved earlier (a web submission), else a new one.
    """
    if contact is not None and contact.customer_id != customer.id:
        raise CaseError("The contact belongs to another customer")
    row = _case_row(
        actor,
        customer,
        service,
        channel,
        summary,
        answers,
        priority,
        clock.now(),
        location_uprn=location_uprn,
        location_text=location_text,
        latitude=latitude,
        longitude=longitude,
        case_id=case_id,
    )
    (case,) = _write_and_route(actor, customer, {service.id: service}, [row], channel, contact)
    if contact is not None:
        contact.cases.append(case)
    return case


def raise_cases(
    actor: Actor,
    customer: Customer,
    services: list[Service],
    channel: Channel,
    summary: str = "",
    answers: Mapping[str, Any] | None = None,
    *,
    location_uprn: str | None = None,
    case_ids: Sequence[int | None] | None = None,
    summary_by_service: Mapping[int, str] | None = None,
    answers_by_service: Mapping[int, Mapping[str, Any]] | None = None,
) -> list[Case]:
    """One case for each of several services for one customer (a life event told to each
    service), routed and written together. `case_ids`: reserved ids, one per service or None.
    `summary_by_service` and `answers_by_service`: each service's own, instead of `summary`
    and `answers` for all."""
    now = clock.now()
    ids = list(case_ids) if case_ids is not None else [None] * len(services)
    if len(ids) != len(services):
        raise ValueError("Give one case id (or None) per service")
    rows = [
        _case_row(
            actor,
            customer,
            s,
            channel,
            summary_by_service[s.id] if summary_by_service is not None else summary,
            answers_by_service[s.id] if answers_by_service is not None else answers,
            Priority.NORMAL,
            now,
            location_uprn=location_uprn,
            case_id=i,
        )
        for s, i in zip(services, ids, strict=True)
    ]
    return _write_and_route(actor, customer, {s.id: s for s in services}, rows, channel, None)


def _write_and_route(
    actor: Actor,
    customer: Customer,
    services: dict[int, Service],
    rows: list[dict[str, Any]],
    channel: Channel,
    contact: Contact | None,
) -> list[Case]:
    """Routed before they are written, so each case is written once, owned by its partner;
    then the cases in one INSERT, and their first timeline entries, audit rows, dispatches and
    partners' webhook events each in one more, whatever the number of cases. Nothing read
    back: these rows are not kept in the session (the cases are)."""
    from frontoffice.routing import operations as routing  # routing builds on cases

    owners = [row["owning_partner_id"] for row in rows]  # the service's, as the audit says
    routes = routing.plan(rows, customer)
    ids.number_rows(rows)
    made = list(
        db.session.scalars(
            insert(Case).returning(Case, sort_by_parameter_order=True),
            rows,
        )
    )
    for case in made:
        set_committed_value(case, "customer", customer)
        set_committed_value(case, "service", services[case.service_id])
    events = [_created_event(actor, case, channel) for case in made]
    events += routing.write_routes(made, routes, actor).events
    db.session.execute(insert(CaseEvent.__table__), events)
    audit.record_many(
        actor,
        "create",
        "case",
        [_created(case, owner, contact) for case, owner in zip(made, owners, strict=True)],
    )
    return made


def _case_row(
    actor: Actor,
    customer: Customer,
    service: Service,
    channel: Channel,
    summary: str,
    answers: Mapping[str, Any] | None,
    priority: Priority,
    now: datetime,
    *,
    location_uprn: str | None = None,
    location_text: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    case_id: int | None = None,
) -> dict[str, Any]:
    """The columns of a new case, not yet placed or routed."""
    if not service.active:
        raise CaseError(f"{service.name} is not available at the moment")
    summary = summary.strip()
    if not summary:
        raise CaseError("Enter a summary of the request")
    row: dict[str, Any] = {
        "customer_id": customer.id,
        "service_id": service.id,
        "owning_partner_id": service.owning_partner_id,
        "status": CaseStatus.NEW,
        "priority": priority,
        "channel": channel,
        "summary": summary,
        "answers": dict(answers or {}),
        "location_uprn": location_uprn,
        "location_text": location_text[:300],
        "latitude": latitude,
        "longitude": longitude,
        "district_code": None,
        "ward_code": None,
        "triage_reason": "",
        "due_date": _due_date(service, now),
        "ack_due_date": _ack_due_date(service, now),
        "created_by_id": actor.user_id,
        "created_at": now,
        "updated_at": now,
    }
    if case_id is not None:
        row["id"] = case_id
    return row


def _created_event(actor: Actor, case: Case, channel: Channel) -> dict[str, Any]:
    return {
        "case_id": case.id,
        "kind": CaseEventKind.CREATED,
        "at": case.created_at,
        "actor_id": actor.user_id,
        "from_status": None,
        "to_status": CaseStatus.NEW.value,
        "note": "",
        "details": {"channel": channel.value, "priority": case.priority.value},
    }


def _created(case: Case, owner: int, contact: Contact | None) -> tuple[int, int, dict[str, Any]]:
    """The audit record of a new case."""
    return (
        case.id,
        case.customer_id,
        {
            "reference": case.reference,
            "service": case.service.code,
            "owning_partner_id": owner,
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
