"""Reporting a life event once: record it, change the customer record, tell each chosen
service. Flush only; the caller (a view, a resident's form, a task) commits once.

Each notification is delivered as a case for that service on the customer's record, raised and
routed in this transaction, so its dispatch is the outbox row (sent after the commit, its id
the idempotency key) and partners see, acknowledge, action or reject it like any case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.audit import operations as audit
from frontoffice.cases import operations as cases
from frontoffice.cases.models import Case, CaseEvent, CaseEventKind, Channel
from frontoffice.cases.status import CaseStatus
from frontoffice.customers import normalise
from frontoffice.customers import operations as customers
from frontoffice.customers.models import Customer, Language
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.extensions import db
from frontoffice.life_events import rules, shares
from frontoffice.life_events.models import (
    PARENTS_MAX,
    Authority,
    EventKind,
    LifeEvent,
    LifeEventPerson,
    MoveScope,
    Notification,
    PersonRole,
)

# Who may tell us of each kind of event.
AUTHORITIES = {
    EventKind.DEATH: {Authority.NEXT_OF_KIN, Authority.EXECUTOR, Authority.ACTING_FOR},
    EventKind.BIRTH: {Authority.SELF, Authority.ACTING_FOR},
    EventKind.MOVE: {Authority.SELF, Authority.NEXT_OF_KIN, Authority.ACTING_FOR},
}
CONSENT_WORDING = (
    "I agree that the partnership may tell the services I have chosen about this {event}, "
    "using the details I have given, so that they can update their records and contact the "
    "people named."
)
OPEN_STATUSES = [s for s in CaseStatus if not s.stops_the_clock]


class LifeEventError(ValueError):
    """A report the domain refuses; `field` names the answer to correct, when there is one."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PersonDetails:
    name: str
    relationship: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class Report:
    kind: EventKind
    event_date: date
    channel: Channel
    informant: PersonDetails
    authority: Authority
    service_ids: tuple[int, ...]
    consent_wording: str
    next_of_kin: PersonDetails | None = None
    executor: PersonDetails | None = None
    inquest: bool = False
    move_scope: MoveScope | None = None
    new_address: customers.AddressDetails | None = None
    child_name: str = ""
    parents: str = ""
    language: Language = Language.ENGLISH  # the informant's, for the emails they are sent
    details: dict[str, Any] = field(default_factory=dict)


def consent_wording(kind: EventKind) -> str:
    return CONSENT_WORDING.format(event={"death": "death", "birth": "birth", "move": "move"}[kind])


def where(customer: Customer, report: Report) -> rules.Place:
    return place_for(
        customer,
        report.kind,
        report.move_scope,
        report.new_address.uprn if report.new_address else None,
    )


def place_for(
    customer: Customer, kind: EventKind, move_scope: MoveScope | None, new_uprn: str | None
) -> rules.Place:
    """Whose services are told: the new home's, unless the customer is leaving the area."""
    if kind is EventKind.MOVE and move_scope is not MoveScope.OUT_OF:
        return rules.place_of(new_uprn)
    current = customer.current_address
    return rules.place_of(current.uprn if current is not None else None)


def dedupe_key(customer: Customer, report: Report) -> str:
    """The same event reported twice has the same key: the same person and date of death, the
    same move to the same address, the same child born on the same day."""
    base = f"{report.kind.value}:{customer.id}:{report.event_date.isoformat()}"
    if report.kind is EventKind.MOVE:
        to = report.new_address
        if to is None:
            return base
        return f"{base}:" + (
            to.uprn or f"{normalise.postcode_key(to.postcode)}:{normalise.name_key(to.line_1)}"
        )
    if report.kind is EventKind.BIRTH:
        return f"{base}:{normalise.name_key(report.child_name)}"
    return base


def check(customer: Customer, report: Report, offered_ids: set[int]) -> None:
    """Raises LifeEventError for the first thing wrong with the report."""
    if report.authority not in AUTHORITIES[report.kind]:
        raise LifeEventError(
            "The person telling us must be the next of kin, the executor or acting for them"
            if report.kind is EventKind.DEATH
            else "The person telling us must be the person it is about or acting for them",
            "authority",
        )
    if not report.informant.name.strip():
        raise LifeEventError("Enter the name of the person telling us", "informant_name")
    if report.event_date > clock.today():
        raise LifeEventError("The date must be today or in the past", "event_date")
    born = customer.date_of_birth
    if report.kind is EventKind.DEATH and born is not None and report.event_date < born:
        raise LifeEventError("The date of death must be after the date of birth", "event_date")
    if report.kind is EventKind.DEATH and customer.date_of_death not in (None, report.event_date):
        raise LifeEventError(
            f"The record already says this person died on {customer.date_of_death:%d %B %Y}",
            "event_date",
        )
    if report.kind is EventKind.MOVE and (report.new_address is None or report.move_scope is None):
        raise LifeEventError("Enter the new address", "new_address")
    if report.kind is EventKind.BIRTH and not report.child_name.strip():
        raise LifeEventError("Enter the child's name", "child_name")
    if len(report.parents.strip()) > PARENTS_MAX:
        raise LifeEventError(
            f"The parents' names must be {PARENTS_MAX} characters or fewer", "parents"
        )
    if not report.service_ids:
        raise LifeEventError("Choose at least one service to tell", "services")
    if not set(report.service_ids) <= offered_ids:
        raise LifeEventError("Choose only from the services listed", "services")
    if not report.consent_wording.strip():
        raise LifeEventError("The informant must agree to the wording", "consent")


def report(actor: Actor, customer: Customer, report: Report) -> LifeEvent:
    """Records the event and, for a first report, changes the record and tells each chosen
    service; a report of an event already reported is linked to the first and tells nobody."""
    place = where(customer, report)
    offered = {o.service.id: o for o in rules.offered(report.kind, place)}
    check(customer, report, set(offered))
    key = dedupe_key(customer, report)
    # A first report is the rule: written at once, its key unique, rather than looked for
    # first; a report already made (or made at the same moment) is found when it clashes.
    event = _event(actor, customer, report, key, None)
    first = None
    try:
        with db.session.begin_nested():
            db.session.add(event)
            db.session.flush()
    except IntegrityError:
        first = _first_report(key)
        if first is None:  # not the key that clashed
            raise
        event = _event(actor, customer, report, None, first)
    if first is not None:
        db.session.add(event)
        db.session.flush()
        _audit(actor, event, "report_life_event_again", {"first": first.reference})
        return event
    with audit.together():  # the record's, the cases' and the report's audit rows
        _change_record(actor, customer, event, report)
        _tell(
            actor,
            customer,
            event,
            report,
            place,
            [offered[i] for i in sorted(set(report.service_ids))],
        )
        _audit(actor, event, "report_life_event", {"services": list(report.service_ids)})
    db.session.flush()  # the notifications and the audit rows together
    return event


def _first_report(key: str) -> LifeEvent | None:
    return db.session.scalar(select(LifeEvent).where(LifeEvent.dedupe_key == key))


def _event(
    actor: Actor, customer: Customer, report: Report, key: str | None, first: LifeEvent | None
) -> LifeEvent:
    event = LifeEvent(
        kind=report.kind,
        customer_id=customer.id,
        event_date=report.event_date,
        channel=report.channel,
        dedupe_key=key,
        duplicate_of_id=first.id if first is not None else None,
        inquest=report.inquest,
        move_scope=report.move_scope,
        old_address=(customer.current_address.one_line if customer.current_address else "")[:400],
        new_address=_one_line(report.new_address)[:400],
        new_uprn=report.new_address.uprn if report.new_address else None,
        child_name=report.child_name.strip()[:200],
        parents=report.parents.strip(),
        details=dict(report.details),
        reported_by_id=actor.user_id,
        created_at=clock.now(),
        notifications=[],  # known to be empty: adding to it later need not read it
    )
    informant = _person(PersonRole.INFORMANT, report.informant, report.authority)
    informant.language = report.language
    event.people.append(informant)
    for role, person in (
        (PersonRole.NEXT_OF_KIN, report.next_of_kin),
        (PersonRole.EXECUTOR, report.executor),
    ):
        if person is not None and person.name.strip():
            event.people.append(_person(role, person, None))
    return event


def _person(role: PersonRole, p: PersonDetails, authority: Authority | None) -> LifeEventPerson:
    return LifeEventPerson(
        role=role,
        name=p.name.strip()[:200],
        relationship_=p.relationship.strip()[:100],
        authority=authority,
        phone=p.phone.strip()[:40],
        email=p.email.strip()[:254],
        address=p.address.strip()[:400],
    )


def _one_line(address: customers.AddressDetails | None) -> str:
    if address is None:
        return ""
    parts = (address.line_1, address.line_2, address.town, address.postcode)
    return ", ".join(p for p in parts if p)


def _change_record(actor: Actor, customer: Customer, event: LifeEvent, report: Report) -> None:
    if report.kind is EventKind.DEATH:
        from frontoffice.messages.operations import suppress_for

        suppress_for(customer.id)  # its autoflush writes messages not yet written, to stop them
        _flag_open_cases(actor, customer, event)
        customer.date_of_death = report.event_date  # written with the cases, not on its own
        details = {"life_event": event.reference}
        audit.record_many(actor, "record_death", "customer", [(customer.id, customer.id, details)])
    elif report.kind is EventKind.MOVE and report.new_address is not None:
        customers.move_home(actor, customer, report.new_address, report.event_date)


def _flag_open_cases(actor: Actor, customer: Customer, event: LifeEvent) -> None:
    open_cases = db.session.scalars(
        select(Case.id).where(Case.customer_id == customer.id, Case.status.in_(OPEN_STATUSES))
    ).all()
    for case_id in open_cases:
        db.session.add(
            CaseEvent(
                case_id=case_id,
                kind=CaseEventKind.NOTE,
                actor_id=actor.user_id,
                note=(
                    f"Review this case: the customer died on {event.event_date:%d %B %Y} "
                    f"({event.reference})."
                ),
                details={"review": "deceased", "life_event_id": event.id},
            )
        )


def _tell(
    actor: Actor,
    customer: Customer,
    event: LifeEvent,
    report: Report,
    place: rules.Place,
    offers: list[rules.Offer],
) -> None:
    """One case per chosen service (`offers`, in id order), raised and routed together,
    and its notification, in one INSERT. Each case's answers are what its rule shares."""
    services = [o.service for o in offers]
    made = cases.raise_cases(
        actor,
        customer,
        services,
        report.channel,
        summary_by_service={
            o.service.id: shares.summary(customer.full_name, event, o.shares) for o in offers
        },
        answers_by_service={o.service.id: shares.answers(event, o.shares) for o in offers},
        location_uprn=place.uprn,
    )
    now = clock.now()
    rows = [
        {
            "life_event_id": event.id,
            "service_id": service.id,
            "case_id": case.id,
            "partner_id": None if case.triage_reason else case.owning_partner_id,
            "consent_given_by": report.informant.name.strip()[:200],
            "consent_wording": report.consent_wording.strip(),
            "consent_given_at": now,
            "withdrawn_at": None,
            "withdrawn_reason": "",
            "created_at": now,
        }
        for service, case in zip(services, made, strict=True)
    ]
    db.session.execute(insert(Notification.__table__), rows)
    db.session.expire(event, ["notifications"])  # read back only by a caller that shows them


def _audit(actor: Actor, event: LifeEvent, action: str, details: dict[str, Any]) -> None:
    details = {"reference": event.reference, "kind": event.kind.value, **details}
    audit.record_many(actor, action, "life_event", [(event.id, event.customer_id, details)])


class NotSendable(LifeEventError):
    """Consent can no longer be withdrawn: the service has already been told."""


def withdraw(actor: Actor, notification: Notification, reason: str) -> None:
    """The informant takes back consent for one service before it is told: its undelivered
    dispatches are cancelled in one conditional statement, so a worker cannot have taken one
    meanwhile, and its case is cancelled."""
    reason = reason.strip()
    if not reason:
        raise LifeEventError("Give a reason for withdrawing consent", "reason")
    if notification.withdrawn_at is not None:
        raise LifeEventError("Consent was already withdrawn")
    case = notification.case
    if case is not None:
        # Cancel first, then look: a dispatch a worker claimed meanwhile is not cancelled, and
        # the caller rolls the whole withdrawal back.
        db.session.execute(
            update(Dispatch)
            .where(
                Dispatch.case_id == case.id,
                Dispatch.status.in_(
                    [DispatchStatus.PENDING, DispatchStatus.RETRYING, DispatchStatus.DEAD]
                ),
            )
            .values(
                status=DispatchStatus.CANCELLED,
                next_attempt_at=None,
                last_error=f"consent withdrawn: {reason}"[:500],
            )
            .execution_options(synchronize_session=False)
        )
        told = db.session.scalar(
            select(Dispatch.id).where(
                Dispatch.case_id == case.id,
                Dispatch.status.in_([DispatchStatus.DELIVERING, DispatchStatus.DELIVERED]),
            )
        )
        if told is not None:
            raise NotSendable(f"{notification.service.name} has already been told")
        if not case.status.stops_the_clock:
            cases.change_status(
                actor, case, CaseStatus.CANCELLED, note=f"Consent withdrawn: {reason}"
            )
    notification.withdrawn_at = clock.now()
    notification.withdrawn_reason = reason[:500]
    db.session.flush()
    _audit(
        actor,
        notification.life_event,
        "withdraw_consent",
        {"service": notification.service.code, "reason": reason[:200]},
    )
