"""Which customer record a resident's own submission (the web, Open311) belongs to.

One decision for every self-service channel, made by the identity matcher
(frontoffice.identity.online) against every customer: LINK when it is confident, REVIEW when
it is possible but not confident, NEW otherwise. An email or phone number that exactly one
record holds still links a submission that says nothing else, or nothing that disagrees (a
resident who gave only an email on Open311); a household's shared email does not link a
different person, because the scorer sees the given names differ.

`land` puts a submission on its record: the linked one, else a new record, and on REVIEW the
candidates are queued for a supervisor with the new record as the other customer.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from frontoffice.access.actor import Actor
from frontoffice.customers import normalise
from frontoffice.customers import operations as customers
from frontoffice.customers.models import Customer, CustomerEmail, CustomerPhone
from frontoffice.extensions import db
from frontoffice.identity import online
from frontoffice.identity import operations as identity
from frontoffice.identity.records import Person


class Decision(enum.StrEnum):
    LINK = "link"
    REVIEW = "review"
    NEW = "new"


@dataclass(frozen=True)
class Given:
    """What the resident told us about themselves, already validated. Only their own
    details: the place a request is about is not where the resident lives."""

    given_name: str = ""
    family_name: str = ""
    email: str = ""
    phone: str = ""  # E.164
    postcode: str = ""
    date_of_birth: date | None = None
    address_line_1: str = ""
    address_line_2: str = ""
    town: str = ""

    def person(self) -> Person:
        return Person(
            id="incoming",
            given_name=self.given_name,
            family_name=self.family_name,
            date_of_birth=self.date_of_birth,
            address_line_1=self.address_line_1,
            address_line_2=self.address_line_2,
            town=self.town,
            postcode=self.postcode,
            phone=self.phone,
            email=self.email,
        )


@dataclass(frozen=True)
class Match:
    decision: Decision
    customer: Customer | None = None
    candidates: tuple[int, ...] = field(default_factory=tuple)  # best first
    outcome: online.Outcome | None = field(default=None, compare=False, repr=False)
    given: Given | None = field(default=None, compare=False, repr=False)


def match(given: Given) -> Match:
    outcome = online.match(db.session, given.person())
    best = outcome.best
    if outcome.decision is online.Decision.LINK and best is not None:
        return Match(
            Decision.LINK, db.session.get(Customer, best.customer_id), (best.customer_id,), outcome
        )
    holder = _sole_holder(given)
    if holder is not None and _nothing_disagrees(given, holder):
        return Match(Decision.LINK, db.session.get(Customer, holder), (holder,), outcome, given)
    if outcome.decision is online.Decision.REVIEW:
        ids = tuple(c.customer_id for c in outcome.candidates)
        return Match(Decision.REVIEW, None, ids, outcome, given)
    return Match(Decision.NEW, outcome=outcome, given=given)


def land(found: Match, actor: Actor, details: customers.CustomerDetails, source: str) -> Customer:
    """The record a submission lands on: the linked one, else a new one made from `details`;
    on REVIEW the candidates are queued against the new record (audited)."""
    if found.decision is Decision.LINK and found.customer is not None:
        return found.customer
    customer = customers.create_customer(actor, details, possible_duplicates=found.candidates)
    if found.decision is Decision.REVIEW and found.outcome is not None and found.given:
        identity.queue_for_review(
            db.session,
            found.given.person(),
            found.outcome,
            source,
            actor,
            incoming_customer_id=customer.id,
        )
    return customer


def _sole_holder(given: Given) -> int | None:
    """The one customer with the email, else the one with the phone number. A record merged
    into another counts as its survivor (a phone both had stays on the merged record too)."""
    keyed = (
        (given.email, CustomerEmail.customer_id, CustomerEmail.address_key, normalise.email_key),
        (given.phone, CustomerPhone.customer_id, CustomerPhone.number_key, normalise.phone_key),
    )
    for value, customer_id, key_column, key in keyed:
        if not value:
            continue
        holders = select(customer_id).where(key_column == key(value)).limit(10).subquery()
        ids = set(
            db.session.scalars(
                select(func.coalesce(Customer.merged_into_id, Customer.id)).where(
                    Customer.id.in_(select(holders.c[0]))
                )
            )
        )
        if len(ids) == 1:
            return ids.pop()
    return None


def _nothing_disagrees(given: Given, customer_id: int) -> bool:
    scored = online.explain(db.session, given.person(), [customer_id])
    return bool(scored) and all(item.weight >= 0 for item in scored[0].score.evidence)
