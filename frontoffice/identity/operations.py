"""Writing what online matching decided: a possible match goes to the review queue."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.orm import Session

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.audit import operations as audit
from frontoffice.identity import online
from frontoffice.identity.models import MatchReview, ReviewStatus
from frontoffice.identity.records import Person


class ReviewError(Exception):
    """A review decision that cannot be made (already decided, no reason, not a decision)."""


MAX_REVIEWS = 3  # candidates queued for one incoming record


def match_incoming(
    session: Session,
    person: Person,
    source: str,
    actor: Actor | None = None,
    incoming_customer_id: int | None = None,
) -> online.Outcome:
    """Match an incoming record; when a person must decide, queue the best candidates with
    their explanations. Flushes, never commits."""
    outcome = online.match(session, person)
    if outcome.decision == online.Decision.REVIEW:
        queue_for_review(session, person, outcome, source, actor, incoming_customer_id)
    return outcome


def queue_for_review(
    session: Session,
    person: Person,
    outcome: online.Outcome,
    source: str,
    actor: Actor | None = None,
    incoming_customer_id: int | None = None,
) -> list[MatchReview]:
    """Queue an incoming record's best candidates for a person to decide. When the incoming
    record was given a customer record of its own meanwhile (a web form's case must land
    somewhere), that record is the review's other customer, so "the same person" can merge
    the two."""
    incoming = {k: str(v or "") for k, v in asdict(person).items() if k != "id"}
    reviews = []
    for candidate in outcome.candidates[:MAX_REVIEWS]:
        if candidate.customer_id == incoming_customer_id:
            continue
        review = MatchReview(
            customer_id=candidate.customer_id,
            other_customer_id=incoming_customer_id,
            source=source,
            incoming=incoming,
            probability=round(candidate.score.probability, 4),
            explanation=[asdict(item) for item in candidate.score.evidence],
        )
        session.add(review)
        session.flush()
        audit.record(
            actor or Actor.system("identity matching"),
            "queue for review",
            "match_review",
            review.id,
            customer_id=candidate.customer_id,
            details={"source": source, "probability": review.probability},
        )
        reviews.append(review)
    session.flush()
    return reviews


def decide(
    session: Session, review: MatchReview, status: ReviewStatus, actor: Actor, reason: str
) -> None:
    """A supervisor's decision on a queued match: the same person, or not. Audited with who
    and why; a decided review stays decided."""
    if status == ReviewStatus.OPEN:
        raise ReviewError("Choose whether the records are the same person or not")
    if review.status != ReviewStatus.OPEN:
        raise ReviewError(f"This match was already decided: {review.status.value}")
    if not reason.strip():
        raise ReviewError("Give a reason for the decision")
    review.status = status
    review.decided_at = clock.now()
    review.decided_by_id = actor.user_id
    audit.record(
        actor,
        f"match review: {status.value}",
        "match_review",
        review.id,
        customer_id=review.customer_id,
        reason=reason.strip()[:500],
        details={"probability": review.probability, "source": review.source},
    )
    session.flush()
