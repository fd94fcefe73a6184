"""Writing what online matching decided: a possible match goes to the review queue."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.orm import Session

from frontoffice.identity import online
from frontoffice.identity.models import MatchReview
from frontoffice.identity.records import Person

MAX_REVIEWS = 3  # candidates queued for one incoming record


def match_incoming(session: Session, person: Person, source: str) -> online.Outcome:
    """Match an incoming record; when a person must decide, queue the best candidates with
    their explanations. Flushes, never commits."""
    outcome = online.match(session, person)
    if outcome.decision == online.Decision.REVIEW:
        incoming = {k: str(v or "") for k, v in asdict(person).items() if k != "id"}
        for candidate in outcome.candidates[:MAX_REVIEWS]:
            session.add(
                MatchReview(
                    customer_id=candidate.customer_id,
                    source=source,
                    incoming=incoming,
                    probability=round(candidate.score.probability, 4),
                    explanation=[asdict(item) for item in candidate.score.evidence],
                )
            )
        session.flush()
    return outcome
