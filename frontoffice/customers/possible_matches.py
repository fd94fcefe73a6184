"""Before an adviser creates a customer: the records that may be the same person, each scored
by the identity matcher with its explanation, and what to queue if the adviser creates a new
record anyway.

Two sources, shown together: the matcher's candidates at review level or above (found
against every customer), and the records that share a detail the adviser would want to see
even when the matcher thinks them another person (a household's phone, email or home). Only
records the adviser may see are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.access.policy import customer_scope
from frontoffice.accounts.models import StaffUser
from frontoffice.customers import queries
from frontoffice.customers.models import Customer
from frontoffice.customers.operations import CustomerDetails
from frontoffice.extensions import db
from frontoffice.identity import online
from frontoffice.identity import operations as identity
from frontoffice.identity.model import Score
from frontoffice.identity.records import Person

SOURCE = "adviser"


@dataclass(frozen=True)
class PossibleMatch:
    customer: Customer
    reasons: tuple[str, ...]  # the details shared, in words
    score: Score

    @property
    def likelihood(self) -> str:
        if self.score.probability >= online.LINK_AT:
            return "Very likely the same person"
        if self.score.probability >= online.REVIEW_AT:
            return "Possibly the same person"
        return "Probably a different person"


def person_of(details: CustomerDetails) -> Person:
    address = details.address
    return Person(
        id="adviser",
        given_name=details.given_name,
        family_name=details.family_name,
        date_of_birth=details.date_of_birth,
        address_line_1=address.line_1 if address else "",
        address_line_2=address.line_2 if address else "",
        town=address.town if address else "",
        postcode=address.postcode if address else "",
        phone=details.phones[0] if details.phones else "",
        email=details.email or "",
    )


def find(user: StaffUser, details: CustomerDetails) -> tuple[list[PossibleMatch], online.Outcome]:
    """The records to show, most likely first, and the matcher's outcome (for `queue`)."""
    person = person_of(details)
    outcome = online.match(db.session, person)
    shared = queries.possible_duplicates(
        user,
        family_name=details.family_name,
        date_of_birth=details.date_of_birth,
        phones=details.phones,
        email=details.email,
        postcode=details.address.postcode if details.address else None,
    )
    reasons = {d.customer.id: d.reasons for d in shared}
    scores = {c.customer_id: c.score for c in outcome.candidates}
    others = [i for i in reasons if i not in scores]
    scores.update((c.customer_id, c.score) for c in online.explain(db.session, person, others))
    visible = set(
        db.session.scalars(
            select(Customer.id).where(Customer.id.in_(list(scores)), customer_scope(user))
        )
    )
    loaded = queries.customers_for_list([i for i in scores if i in visible])
    found = [
        PossibleMatch(loaded[i], reasons.get(i, ("Similar details",)), score)
        for i, score in scores.items()
        if i in loaded
    ]
    found.sort(key=lambda m: (-m.score.probability, m.customer.id))
    return found, outcome


def queue(customer: Customer, details: CustomerDetails, outcome: online.Outcome, actor: Actor):
    """The adviser created a new record despite candidates at review level or above: each
    goes to a supervisor's review queue against the new record, audited as the adviser's."""
    if outcome.candidates:
        identity.queue_for_review(
            db.session,
            person_of(details),
            outcome,
            SOURCE,
            actor,
            incoming_customer_id=customer.id,
        )
