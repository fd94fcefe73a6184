"""A possible but not confident match (a scoring matcher's REVIEW) is never linked."""

from __future__ import annotations

from sqlalchemy import select

from frontoffice.audit.models import AuditEvent
from frontoffice.cases.models import Case
from frontoffice.customers import matching
from frontoffice.customers.matching import Decision, Match
from frontoffice.extensions import db
from tests import factories as f
from tests.public.conftest import complete


def _with_email(address: str):
    customer = f.CustomerFactory()
    f.CustomerEmailFactory(customer=customer, address=address, address_key=address.lower())
    return customer


def test_review_makes_a_new_record_and_audits_the_candidates(resident, bins, monkeypatch):
    """A scoring matcher's 'possible but not confident' answer: never linked, never shown."""
    candidate = _with_email("someone@example.org")
    db.session.commit()
    monkeypatch.setattr(
        matching, "match", lambda given: Match(Decision.REVIEW, candidates=(candidate.id,))
    )
    _, tokens = complete(resident, bins)
    resident.client.post("/request/check", data=tokens)
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case.customer_id != candidate.id
    created = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.record_type == "customer", AuditEvent.record_id == str(case.customer_id)
        )
    )
    assert created.details["created_despite_possible_duplicates"] == [candidate.id]
