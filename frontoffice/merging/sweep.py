"""The duplicate sweep: likely duplicates already in the database, queued for a supervisor.

Each run walks the next `limit` customers by id after where the last run stopped (kept in
duplicate_sweep, so a run cut short loses nothing and the next carries on), matches each one
against the whole database the way an incoming record is matched (identity.online: the
indexed blocking keys, then the shipped model), and queues each pair above the review
threshold as MatchReview(source="sweep"): customer_id the candidate found, other_customer_id
the record swept. Never a merged record, never a pair already queued or decided (in either
order), never a pair merged before. At the end of the customers it starts again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.audit import operations as audit
from frontoffice.customers.models import Customer
from frontoffice.identity import online
from frontoffice.identity.models import MatchReview
from frontoffice.identity.records import Person
from frontoffice.merging.models import CustomerMerge, DuplicateSweep

SOURCE = "sweep"
NAME = "duplicates"
DEFAULT_LIMIT = 500


@dataclass
class SweepResult:
    looked_at: int = 0
    queued: int = 0
    last_customer_id: int = 0
    round_finished: bool = False

    def line(self) -> str:
        where = (
            "reached the last customer; the next run starts again"
            if self.round_finished
            else f"the next run carries on after customer {self.last_customer_id}"
        )
        return f"Looked at {self.looked_at} customers, queued {self.queued} for review; {where}."


def person_of(customer: Customer) -> Person:
    """The customer as one record: current address, first phone and email."""
    address = customer.current_address or (customer.addresses[0] if customer.addresses else None)
    return Person(
        id=str(customer.id),
        given_name=customer.given_name,
        family_name=customer.family_name,
        date_of_birth=customer.date_of_birth,
        address_line_1=address.line_1 if address else "",
        address_line_2=address.line_2 if address else "",
        town=address.town if address else "",
        postcode=address.postcode if address else "",
        phone=customer.phones[0].number if customer.phones else "",
        email=customer.emails[0].address if customer.emails else "",
    )


def known(session: Session, a: int, b: int) -> bool:
    """The pair is already queued or decided, or was merged once."""
    pair = or_(
        and_(MatchReview.customer_id == a, MatchReview.other_customer_id == b),
        and_(MatchReview.customer_id == b, MatchReview.other_customer_id == a),
    )
    if session.scalar(select(MatchReview.id).where(pair).limit(1)) is not None:
        return True
    merged = or_(
        and_(CustomerMerge.survivor_id == a, CustomerMerge.merged_id == b),
        and_(CustomerMerge.survivor_id == b, CustomerMerge.merged_id == a),
    )
    return session.scalar(select(CustomerMerge.id).where(merged).limit(1)) is not None


def _cursor(session: Session) -> DuplicateSweep:
    cursor = session.get(DuplicateSweep, NAME, with_for_update=True)
    if cursor is None:
        cursor = DuplicateSweep(name=NAME, last_customer_id=0, rounds=0)
        session.add(cursor)
        session.flush()
    return cursor


def sweep(session: Session, limit: int = DEFAULT_LIMIT) -> SweepResult:
    """One bounded run: at most `limit` customers looked at. Flushes, never commits."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    cursor = _cursor(session)
    customers = session.scalars(
        select(Customer)
        .where(Customer.id > cursor.last_customer_id, Customer.merged_into_id.is_(None))
        .order_by(Customer.id)
        .limit(limit)
        .options(
            selectinload(Customer.phones),
            selectinload(Customer.emails),
            selectinload(Customer.addresses),
        )
    ).all()
    result = SweepResult(looked_at=len(customers))
    actor = Actor.system("duplicate sweep")
    for customer in customers:
        person = person_of(customer)
        outcome = online.match(session, person)
        for candidate in outcome.candidates:
            if candidate.customer_id == customer.id or known(
                session, candidate.customer_id, customer.id
            ):
                continue
            review = MatchReview(
                customer_id=candidate.customer_id,
                other_customer_id=customer.id,
                source=SOURCE,
                incoming={k: str(v or "") for k, v in asdict(person).items() if k != "id"},
                probability=round(candidate.score.probability, 4),
                explanation=[asdict(item) for item in candidate.score.evidence],
            )
            session.add(review)
            session.flush()
            audit.record(
                actor,
                "queue for review",
                "match_review",
                review.id,
                customer_id=candidate.customer_id,
                details={"source": SOURCE, "probability": review.probability},
            )
            result.queued += 1
    if len(customers) < limit:
        cursor.last_customer_id = 0
        cursor.rounds += 1
        result.round_finished = True
    else:
        cursor.last_customer_id = customers[-1].id
    result.last_customer_id = cursor.last_customer_id
    cursor.updated_at = clock.now()
    session.flush()
    return result
