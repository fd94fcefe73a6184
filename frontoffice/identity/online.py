"""Online matching: one incoming person against every customer, in a few queries.

Candidates come from the customer search's own indexed keys (date of birth either way round,
family-name sound, postcode, phone, email), at most PER_KEY from each. Each candidate is
scored with the shipped model (learnt by training.py on synthetic people with known
households; default_model.json) with two things taken from this database: the prior (one
resident among all customers) and how common the incoming surname is.

LINK_AT and above links to the best candidate, REVIEW_AT and above asks a person, else new.
"""

from __future__ import annotations

import enum
import json
import time
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session, selectinload

from frontoffice.customers.models import Customer, CustomerAddress, CustomerEmail, CustomerPhone
from frontoffice.identity.model import UNSEEN, Model, Score
from frontoffice.identity.records import Person, Prepared, prepare

LINK_AT = 0.95
REVIEW_AT = 0.5
PER_KEY = 50


class Decision(enum.StrEnum):
    LINK = "link"
    REVIEW = "review"
    NEW = "new"


@dataclass(frozen=True)
class Candidate:
    customer_id: int
    score: Score


@dataclass(frozen=True)
class Outcome:
    decision: Decision
    candidates: tuple[Candidate, ...]  # best first, those at REVIEW_AT or above

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@cache
def shipped_parameters() -> dict:
    text = resources.files("frontoffice.identity").joinpath("default_model.json").read_text()
    return json.loads(text)


def match(session: Session, person: Person) -> Outcome:
    incoming = prepare(person)
    ids = candidate_ids(session, incoming)
    if not ids:
        return Outcome(Decision.NEW, ())
    model = _model(session, incoming)
    customers = session.scalars(
        select(Customer)
        .where(Customer.id.in_(ids), Customer.merged_into_id.is_(None))
        .options(
            selectinload(Customer.phones),
            selectinload(Customer.emails),
            selectinload(Customer.addresses),
        )
    )
    scored = [
        Candidate(c.id, model.score(incoming, prepare(as_person(c, incoming)))) for c in customers
    ]
    kept = sorted(
        (c for c in scored if c.score.probability >= REVIEW_AT),
        key=lambda c: (-c.score.probability, c.customer_id),
    )
    if not kept:
        return Outcome(Decision.NEW, ())
    sure = kept[0].score.probability >= LINK_AT and (
        len(kept) == 1 or kept[1].score.probability < LINK_AT
    )
    return Outcome(Decision.LINK if sure else Decision.REVIEW, tuple(kept))


def candidate_ids(session: Session, p: Prepared) -> set[int]:
    queries = []
    if p.dob is not None:
        dates = [p.dob]
        if p.dob.day <= 12 and p.dob.day != p.dob.month:
            dates.append(date(p.dob.year, p.dob.day, p.dob.month))
        queries.append(select(Customer.id).where(Customer.date_of_birth.in_(dates)))
    if p.family.metaphone:
        queries.append(
            select(Customer.id).where(
                Customer.family_metaphone == p.family.metaphone,
                Customer.given_key.startswith(p.given.key[:1], autoescape=True),
            )
        )
    if p.postcode:
        queries.append(
            select(CustomerAddress.customer_id).where(CustomerAddress.postcode_key == p.postcode)
        )
    if p.phone:
        queries.append(select(CustomerPhone.customer_id).where(CustomerPhone.number_key == p.phone))
    if p.email:
        queries.append(
            select(CustomerEmail.customer_id).where(CustomerEmail.address_key == p.email)
        )
    if not queries:
        return set()
    # One round trip: each key's first PER_KEY customers, together.
    limited = [select(q.limit(PER_KEY).subquery().c[0]) for q in queries]
    return set(session.scalars(union_all(*limited)))


def as_person(customer: Customer, incoming: Prepared) -> Person:
    """The customer as one record: of several phones, emails or addresses, the one closest
    to the incoming record (the one it shares, else the current one)."""
    phone = _pick([p.number for p in customer.phones], lambda v: v == incoming.phone)
    email = _pick([e.address for e in customer.emails], lambda v: v.lower() == incoming.email)
    addresses = sorted(customer.addresses, key=lambda a: a.valid_to is not None)
    address = _pick(addresses, lambda a: a.postcode.replace(" ", "").upper() == incoming.postcode)
    return Person(
        id=str(customer.id),
        given_name=customer.given_name,
        family_name=customer.family_name,
        date_of_birth=customer.date_of_birth,
        address_line_1=address.line_1 if address else "",
        address_line_2=address.line_2 if address else "",
        town=address.town if address else "",
        postcode=address.postcode if address else "",
        phone=phone or "",
        email=email or "",
    )


def _pick(values, shared):
    for value in values:
        if shared(value):
            return value
    return values[0] if values else None


_counted: dict[str, tuple[float, int]] = {}
COUNT_FOR = 600.0  # seconds: the prior needs the size of the database, not its last row


def _customer_count(session: Session) -> int:
    """How many customers there are, counted at most every COUNT_FOR seconds per database
    (counting a million rows would cost more than the rest of a match)."""
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    counted = _counted.get(key)
    if counted is None or now - counted[0] > COUNT_FOR:
        counted = (now, session.scalar(select(func.count(Customer.id))) or 1)
        _counted[key] = counted
    return counted[1]


def _model(session: Session, incoming: Prepared) -> Model:
    model = Model.from_parameters(shipped_parameters())
    total = _customer_count(session)
    # Each incoming person is at most one of the customers already here.
    model.prior = min(0.5, 1 / total)
    if incoming.family.key:
        same = session.scalar(
            select(func.count(Customer.id)).where(Customer.family_key == incoming.family.key)
        )
        model.frequencies[1] = {incoming.family.key: max(same or 0, 1) / total, UNSEEN: 1 / total}
    model.refresh()
    return model
