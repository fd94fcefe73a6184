"""`flask demo`: a believable partnership to click around in, the same every time for a seed.

Only flushes; the command commits. Everything random comes from one random.Random(seed) and
every time from one reading of frontoffice.clock, so a seed and a frozen clock give the same
data (and, in an empty database, the same ids and case references).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from sqlalchemy import func, select

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.accounts.models import Role
from frontoffice.audit import operations as audit
from frontoffice.cases.models import Case, CaseEvent
from frontoffice.cases.status import CaseStatus
from frontoffice.catalogue.models import Service
from frontoffice.contacts.models import Contact
from frontoffice.customers.models import (
    Customer,
    CustomerAddress,
    CustomerEmail,
    CustomerPhone,
    ExternalReference,
    WarningMarker,
)
from frontoffice.demo import deliveries, life_events
from frontoffice.demo.casework import CaseworkMaker
from frontoffice.demo.catalogue import (
    DEMO_PASSWORD,
    SIGN_IN_EMAILS,
    build_organisation,
)
from frontoffice.demo.people import PeopleMaker
from frontoffice.extensions import db
from frontoffice.gazetteer.operations import import_demo
from frontoffice.partners.models import Partner
from frontoffice.routing.models import RoutingRule

FLUSH_EVERY = 2000  # objects per flush: big enough for multi-row INSERTs, small enough to hold
HOUSEHOLD_SIZES = ((1, 2, 3, 4), (34, 38, 16, 12))


def has_data() -> bool:
    return db.session.scalar(select(Partner.id).limit(1)) is not None


@dataclass
class Summary:
    seed: int
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    overdue: int = 0

    def lines(self) -> list[str]:
        c = self.counts
        statuses = ", ".join(
            f"{status.label.lower()} {self.statuses.get(status, 0)}" for status in CaseStatus
        )
        return [
            f"Demo data built in {self.seconds:.1f}s (seed {self.seed}):",
            f"  {c['partners']} partners, {c['services']} services, {c['rules']} routing rules, "
            f"{c['staff']} staff users, {c['gazetteer']} gazetteer addresses",
            f"  {c['customers']} customers ({c['deceased']} deceased, {c['warnings']} with warning "
            f"markers), {c['addresses']} addresses, {c['phones']} phones, {c['emails']} emails, "
            f"{c['references']} partner references",
            f"  {c['cases']} cases ({self.overdue} overdue): {statuses}",
            f"  {c['events']} case events, {c['contacts']} contacts",
            f"Sign in with any of these (password {DEMO_PASSWORD}):",
            *(f"  {email}" for email in SIGN_IN_EMAILS),
        ]


def build(*, customers: int, seed: int) -> Summary:
    """Builds the partnership and `customers` customers with their contacts and cases."""
    started = time.monotonic()
    rng = random.Random(seed)
    now = clock.now()
    gazetteer = import_demo()  # the demo districts' addresses, where customers will live
    org = build_organisation()
    life_events.build(org)
    supervisor = next(u for u in org.staff if u.role is Role.SUPERVISOR)
    people = PeopleMaker(rng, org, now)
    casework = CaseworkMaker(rng, org, now)

    made = deceased = warned = 0
    pending: list[object] = []
    all_cases: list[Case] = []
    while made < customers:
        size = min(rng.choices(*HOUSEHOLD_SIZES)[0], customers - made)
        household = people.household(size)
        for customer in household.members:
            age = (now.date() - customer.date_of_birth).days // 365
            if age >= 70 and (deceased == 0 or rng.random() < 0.05):
                people.mark_deceased(customer)
                deceased += 1
            elif warned == 0 or rng.random() < 0.015:
                people.add_warning(customer, supervisor.id, may_have_ended=warned > 0)
                warned += 1
        cases, contacts = casework.for_household(household)
        pending.extend(household.members)
        pending.extend(cases)
        all_cases.extend(cases)
        pending.extend(contacts)
        made += size
        if len(pending) >= FLUSH_EVERY:
            _flush(pending)
    _flush(pending)
    deliveries.build(org, all_cases, rng)

    audit.record(
        Actor.system("demo"),
        "demo_data_built",
        "database",
        "demo",
        details={"customers": customers, "seed": seed},
    )
    db.session.flush()
    summary = _summarise(seed)
    summary.counts["gazetteer"] = gazetteer.inserted + gazetteer.updated
    summary.seconds = time.monotonic() - started
    return summary


def _flush(pending: list[object]) -> None:
    db.session.add_all(pending)
    db.session.flush()
    pending.clear()


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _summarise(seed: int) -> Summary:
    from frontoffice.accounts.models import StaffUser

    summary = Summary(seed=seed)
    summary.counts = {
        "partners": _count(Partner),
        "services": _count(Service),
        "rules": _count(RoutingRule),
        "staff": _count(StaffUser),
        "customers": _count(Customer),
        "deceased": db.session.scalar(
            select(func.count()).where(Customer.date_of_death.is_not(None))
        )
        or 0,
        "warnings": db.session.scalar(select(func.count(func.distinct(WarningMarker.customer_id))))
        or 0,
        "addresses": _count(CustomerAddress),
        "phones": _count(CustomerPhone),
        "emails": _count(CustomerEmail),
        "references": _count(ExternalReference),
        "cases": _count(Case),
        "events": _count(CaseEvent),
        "contacts": _count(Contact),
    }
    rows = db.session.execute(select(Case.status, func.count()).group_by(Case.status))
    summary.statuses = {status: n for status, n in rows}
    summary.overdue = (
        db.session.scalar(
            select(func.count()).where(
                Case.status.in_([s for s in CaseStatus if not s.stops_the_clock]),
                Case.due_date < clock.today(),
            )
        )
        or 0
    )
    return summary
