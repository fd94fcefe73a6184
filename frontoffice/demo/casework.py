"""Demo cases with timelines that agree with their status, and the contacts around them."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from frontoffice.accounts.models import StaffUser
from frontoffice.cases.models import Case, CaseEvent, CaseEventKind, Channel, Priority
from frontoffice.cases.status import CaseStatus, check_transition
from frontoffice.contacts.models import Contact, Direction
from frontoffice.customers.models import Customer
from frontoffice.demo.catalogue import DISTRICT_CODES, ONE_STOP_SHOPS, Organisation
from frontoffice.demo.people import Household
from frontoffice.demo.services import QUESTIONS, ServiceSpec, value_key
from frontoffice.demo.wording import ENQUIRIES, NOTES, REOPENED, RESOLUTIONS, WHY
from frontoffice.working_days import add_working_days

S = CaseStatus

# Ways a case can have reached each status from NEW; each step is an allowed transition.
PATHS: dict[CaseStatus, tuple[tuple[CaseStatus, ...], ...]] = {
    S.NEW: ((),),
    S.IN_PROGRESS: ((S.IN_PROGRESS,), (S.WAITING_ON_CUSTOMER, S.IN_PROGRESS)),
    S.WAITING_ON_CUSTOMER: ((S.IN_PROGRESS, S.WAITING_ON_CUSTOMER), (S.WAITING_ON_CUSTOMER,)),
    S.WAITING_ON_PARTNER: ((S.WAITING_ON_PARTNER,), (S.IN_PROGRESS, S.WAITING_ON_PARTNER)),
    S.RESOLVED: (
        (S.IN_PROGRESS, S.RESOLVED),
        (S.RESOLVED,),
        (S.WAITING_ON_PARTNER, S.IN_PROGRESS, S.RESOLVED),
    ),
    S.CLOSED: (
        (S.IN_PROGRESS, S.RESOLVED, S.CLOSED),
        (S.RESOLVED, S.CLOSED),
        (S.IN_PROGRESS, S.RESOLVED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED),
        (S.WAITING_ON_CUSTOMER, S.IN_PROGRESS, S.RESOLVED, S.CLOSED),
    ),
    S.CANCELLED: ((S.CANCELLED,), (S.IN_PROGRESS, S.CANCELLED)),
}
STATUS_WEIGHTS = {
    S.NEW: 9,
    S.IN_PROGRESS: 14,
    S.WAITING_ON_CUSTOMER: 6,
    S.WAITING_ON_PARTNER: 8,
    S.RESOLVED: 8,
    S.CLOSED: 47,
    S.CANCELLED: 8,
}
CHANNEL_WEIGHTS = {
    Channel.PHONE: 45,
    Channel.WEB: 30,
    Channel.WALK_IN: 10,
    Channel.EMAIL: 10,
    Channel.LETTER: 5,
}


class CaseworkMaker:
    def __init__(self, rng: random.Random, org: Organisation, now: datetime) -> None:
        self.rng = rng
        self.org = org
        self.now = now
        self.advisers = org.advisers()
        self.weights = [10 if spec.district_tier else 6 for spec, _ in org.services]
        self.weights[0] = 30  # missed bins are the most common report by far
        self.forced = list(CaseStatus)  # the first cases cover every status

    def for_household(self, household: Household) -> tuple[list[Case], list[Contact]]:
        cases: list[Case] = []
        contacts: list[Contact] = []
        for customer in household.members:
            count = self.rng.choices((0, 1, 2, 3, 4), weights=(28, 37, 20, 10, 5))[0]
            for _ in range(count):
                case, case_contacts = self._case(customer, household)
                cases.append(case)
                contacts.extend(case_contacts)
            for _ in range(self.rng.choices((0, 1, 2), weights=(60, 30, 10))[0]):
                contacts.append(self._enquiry(customer, household))
        return cases, contacts

    # -- cases ----------------------------------------------------------------------------------

    def _status(self, customer: Customer) -> tuple[CaseStatus, bool]:
        """The status to end in and whether the case should be overdue."""
        if customer.is_deceased:
            return self.rng.choice((S.CLOSED, S.CLOSED, S.CANCELLED)), False
        if self.forced:
            status = self.forced.pop(0)
            return status, status in (S.IN_PROGRESS, S.WAITING_ON_PARTNER)
        status = self.rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        return status, not status.stops_the_clock and self.rng.random() < 0.15

    def _created_at(self, customer: Customer, status: CaseStatus, overdue: bool) -> datetime:
        rng = self.rng
        if status.is_open and status is not S.RESOLVED:
            days = rng.randint(30, 120) if overdue else rng.randint(0, 6)
        elif status is S.RESOLVED:
            days = rng.randint(0, 8)
        else:
            days = rng.randint(45, 700)
        created = self.now - timedelta(
            days=days, hours=rng.randint(0, 9), minutes=rng.randint(0, 59)
        )
        if customer.date_of_death is not None:
            death = datetime.combine(customer.date_of_death, self.now.timetz())
            created = min(created, death - timedelta(days=rng.randint(20, 300)))
        return max(created, customer.created_at + timedelta(hours=1))

    def _case(self, customer: Customer, household: Household) -> tuple[Case, list[Contact]]:
        rng = self.rng
        spec, service = rng.choices(self.org.services, weights=self.weights)[0]
        status, overdue = self._status(customer)
        created = self._created_at(customer, status, overdue)
        owner = self.org.partners[household.district if spec.district_tier else spec.owner]
        rule = self.org.rules[spec.code, household.district if spec.district_tier else ""]
        channel = rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        adviser = None if channel is Channel.WEB else rng.choice(self.advisers)
        workers = self.org.partner_users(owner) or self.advisers
        assignee = rng.choice(workers) if status is not S.NEW and rng.random() < 0.8 else None
        case = Case(
            customer=customer,
            service_id=service.id,
            status=status,
            priority=self._priority(spec),
            owning_partner_id=owner.id,
            assigned_to_id=assignee.id if assignee else None,
            created_by_id=adviser.id if adviser else None,
            channel=channel,
            summary=rng.choice(spec.summaries),
            answers=answers(spec, rng),
            location_text=self._location(spec, household),
            location_uprn=household.home.uprn if spec.at_home else None,
            latitude=household.home.latitude if spec.at_home else None,
            longitude=household.home.longitude if spec.at_home else None,
            district_code=DISTRICT_CODES[household.district],
            due_date=add_working_days(created.date(), spec.sla_working_days),
            created_at=created,
        )
        path = self._timeline(
            case,
            status,
            created,
            adviser,
            assignee,
            workers,
            spec.group,
            f"Routed to {owner.name}",
            rule.id,
        )
        raised = self._contact(customer, household, channel, adviser, created, spec.name, case)
        raised.resolved_first_contact = path[:1] == (S.RESOLVED,)
        contacts = [raised]
        if not status.stops_the_clock and status is not S.NEW and rng.random() < 0.4:
            chased = created + (case.updated_at - created) / 2
            chaser = self._contact(
                customer, household, Channel.PHONE, rng.choice(self.advisers), chased, "", case
            )
            chaser.reason = f"Chasing {spec.name.lower()}"
            chaser.outcome = "Gave an update from the case timeline"
            contacts.append(chaser)
        return case, contacts

    def _priority(self, spec: ServiceSpec) -> Priority:
        if spec.code == "adult-social-care":
            return self.rng.choice((Priority.HIGH, Priority.URGENT, Priority.NORMAL))
        roll = self.rng.random()
        return Priority.HIGH if roll < 0.07 else Priority.LOW if roll < 0.12 else Priority.NORMAL

    def _location(self, spec: ServiceSpec, household: Household) -> str:
        """Where a street problem is: near home, as most people report what they walk past."""
        if not spec.on_street:
            return ""
        street = household.street
        where = self.rng.choice(("Outside", "Opposite", "Near"))
        number = self.rng.randint(1, street.houses)
        return f"{where} {number} {street.name}, {street.town.name}"

    def _timeline(
        self,
        case: Case,
        status: CaseStatus,
        created: datetime,
        adviser: StaffUser | None,
        assignee: StaffUser | None,
        workers: list[StaffUser],
        group: str,
        routed: str,
        rule_id: int,
    ) -> tuple[CaseStatus, ...]:
        rng = self.rng
        path = rng.choice(PATHS[status])
        times = self._step_times(status, path, created, case.due_date)
        ends = [*times[1:], max(times[-1], self.now - timedelta(minutes=5))] if times else []
        events = [
            CaseEvent(
                kind=CaseEventKind.CREATED,
                at=created,
                actor_id=adviser.id if adviser else None,
                to_status=S.NEW.value,
                note="",
                details={"channel": case.channel.value, "priority": case.priority.value},
            ),
            CaseEvent(
                kind=CaseEventKind.ROUTED,
                at=created,
                actor_id=adviser.id if adviser else None,
                note=routed,
                details={"rule_id": rule_id},
            ),
        ]
        current = S.NEW
        closed_at = None
        for step, (wanted, at, next_at) in enumerate(zip(path, times, ends, strict=True)):
            check_transition(current, wanted)
            if step == 0 and assignee is not None:
                triage = adviser or rng.choice(self.advisers)
                events.append(
                    CaseEvent(
                        kind=CaseEventKind.REASSIGNED,
                        at=at,
                        actor_id=triage.id,
                        note="",
                        details={"from": None, "to": {"id": assignee.id, "name": assignee.name}},
                    )
                )
            actor = assignee or rng.choice(workers)
            events.append(
                CaseEvent(
                    kind=CaseEventKind.STATUS_CHANGED,
                    at=at,
                    actor_id=None if wanted is S.CLOSED else actor.id,
                    from_status=current.value,
                    to_status=wanted.value,
                    note=self._why(current, wanted, group),
                    details={},
                )
            )
            current = wanted
            if not wanted.stops_the_clock:
                closed_at = None
            elif closed_at is None:
                closed_at = at
            if wanted is not S.CLOSED and rng.random() < 0.25:
                events.append(
                    CaseEvent(
                        kind=CaseEventKind.NOTE,
                        at=at + (next_at - at) / 2,
                        actor_id=actor.id,
                        note=rng.choice(NOTES),
                        details={},
                    )
                )
        case.events = events
        case.updated_at = events[-1].at
        case.closed_at = closed_at
        return path

    def _why(self, current: CaseStatus, wanted: CaseStatus, group: str) -> str:
        if current is S.RESOLVED and wanted is S.IN_PROGRESS:
            return REOPENED
        if wanted is S.RESOLVED:
            return self.rng.choice(RESOLUTIONS[group])
        return self.rng.choice(WHY[wanted])

    def _step_times(
        self, status: CaseStatus, path: tuple[CaseStatus, ...], created: datetime, due: date
    ) -> list[datetime]:
        """When each status change happened: open cases up to now, finished ones around the
        SLA (some late), and closing a week after the resolution when nobody objected."""
        rng = self.rng
        horizon = self.now - timedelta(minutes=5)
        if status.is_open:
            end = horizon
        else:
            sla = max(datetime.combine(due, created.timetz()) - created, timedelta(hours=4))
            end = min(created + sla * rng.uniform(0.3, 1.5), horizon)
        steps = path[:-1] if status is S.CLOSED else path
        span = (end - created).total_seconds()
        times = sorted(
            max(
                created,
                min(_daytime(created + timedelta(seconds=span * rng.uniform(0.05, 1))), end),
            )
            for _ in steps
        )
        if status is S.CLOSED:
            times.append(min(times[-1] + timedelta(days=7), horizon))
        return times

    # -- contacts -------------------------------------------------------------------------------

    def _contact(
        self,
        customer: Customer,
        household: Household,
        channel: Channel,
        adviser: StaffUser | None,
        at: datetime,
        service_name: str,
        case: Case | None,
    ) -> Contact:
        rng = self.rng
        location = ""
        if channel is Channel.PHONE:
            location = "Contact centre"
        elif channel is Channel.WALK_IN:
            location = rng.choice(ONE_STOP_SHOPS[household.district])
        minutes = {Channel.PHONE: (3, 18), Channel.WALK_IN: (5, 30)}.get(channel)
        return Contact(
            customer=customer,
            channel=channel,
            location=location,
            direction=Direction.INBOUND,
            adviser_id=adviser.id if adviser else None,
            started_at=at,
            ended_at=at + timedelta(minutes=rng.randint(*minutes)) if minutes else None,
            reason=service_name,
            outcome="Case raised" if case is not None else "",
            resolved_first_contact=False,
            cases=[case] if case is not None else [],
        )

    def _enquiry(self, customer: Customer, household: Household) -> Contact:
        rng = self.rng
        channel = rng.choices((Channel.PHONE, Channel.WALK_IN, Channel.EMAIL), weights=(7, 2, 1))[0]
        at = self.now - timedelta(days=rng.randint(0, 500), hours=rng.randint(0, 8))
        if customer.date_of_death is not None:
            at = min(at, datetime.combine(customer.date_of_death, self.now.timetz()))
        at = max(at, customer.created_at + timedelta(hours=1))
        contact = self._contact(
            customer, household, channel, rng.choice(self.advisers), at, "", None
        )
        contact.reason, contact.outcome = rng.choice(ENQUIRIES)
        contact.resolved_first_contact = True
        return contact


def _daytime(at: datetime) -> datetime:
    """Moves a time of night into office hours (08:00 to 17:59) on the same day."""
    return at if 8 <= at.hour < 18 else at.replace(hour=8 + at.hour % 10)


def answers(spec: ServiceSpec, rng: random.Random) -> dict[str, object]:
    """Answers to the service's questions as stored: a list answer's key, or a number."""
    given: dict[str, object] = {}
    for code, options in spec.answers.items():
        option = rng.choice(options)
        given[code] = int(option) if QUESTIONS[code][1] == "number" else value_key(option)
    return given
