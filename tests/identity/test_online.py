"""Online matching against the customer table: link, review or new, with the explanation."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.audit.models import AuditEvent
from frontoffice.extensions import db
from frontoffice.identity import online
from frontoffice.identity.models import MatchReview, ReviewStatus
from frontoffice.identity.operations import ReviewError, decide, match_incoming
from frontoffice.identity.records import Person
from tests.factories import (
    CustomerAddressFactory,
    CustomerEmailFactory,
    CustomerFactory,
    CustomerPhoneFactory,
    StaffUserFactory,
)


@pytest.fixture(autouse=True)
def _count_afresh():
    """Each test has its own customers; the cached count would be another test's."""
    online._counted.clear()


def resident(given="William", family="Ashworth", born=date(1980, 3, 7), **extra):
    customer = CustomerFactory(given_name=given, family_name=family, date_of_birth=born)
    CustomerAddressFactory(
        customer=customer,
        line_1=extra.get("line_1", "12 Mill Road"),
        postcode=extra.get("postcode", "NV1 2AB"),
        postcode_key=extra.get("postcode", "NV1 2AB").replace(" ", ""),
    )
    if "phone" in extra:
        CustomerPhoneFactory(customer=customer, number=extra["phone"])
    if "email" in extra:
        CustomerEmailFactory(customer=customer, address=extra["email"])
    return customer


def crowd(count=30):
    for i in range(count):
        resident(
            given="Margaret",
            family=f"Stranger{chr(97 + i % 26)}",
            born=date(1950, 1, 1 + i % 28),
            postcode=f"EM3 {i % 9}QT",
            line_1=f"{i} Elm Close",
        )


def test_the_same_person_by_another_channel_links_with_the_explanation():
    crowd()
    customer = resident(phone="+447700900123", email="w.ashworth@example.org")
    incoming = Person(
        "web-1",
        given_name="Bill",
        family_name="Ashworth",
        date_of_birth=date(1980, 7, 3),
        address_line_1="12 Mill Rd",
        postcode="nv12ab",
        phone="07700 900123",
    )
    outcome = match_incoming(db.session, incoming, "web")
    assert outcome.decision == online.Decision.LINK
    assert outcome.best.customer_id == customer.id
    levels = {item.field: item.level for item in outcome.best.score.evidence}
    assert levels["given_name"] == "nickname"
    assert levels["date_of_birth"] == "day and month swapped"
    assert levels["phone"] == "exact"
    assert db.session.scalars(select(MatchReview)).all() == []


def test_a_twin_is_a_new_record():
    crowd()
    resident(phone="+447700900123")
    twin = Person(
        "adviser-1",
        given_name="Oliver",
        family_name="Ashworth",
        date_of_birth=date(1980, 3, 7),
        address_line_1="12 Mill Road",
        postcode="NV1 2AB",
    )
    outcome = match_incoming(db.session, twin, "adviser")
    assert outcome.decision == online.Decision.NEW
    assert outcome.candidates == ()


def test_a_possible_match_goes_to_the_review_queue_with_its_explanation():
    crowd()
    customer = resident()
    # An initial and the surname, at another address, with no date of birth.
    moved = Person(
        "open311-7",
        given_name="W",
        family_name="Ashworth",
        address_line_1="4 Station Lane",
        postcode="EM3 4QT",
    )
    outcome = match_incoming(db.session, moved, "open311")
    assert outcome.decision == online.Decision.REVIEW, outcome.best.score.explain()
    review = db.session.scalars(select(MatchReview)).one()
    assert review.customer_id == customer.id
    assert review.source == "open311"
    assert review.status == ReviewStatus.OPEN
    assert review.incoming["postcode"] == "EM3 4QT"
    assert 0.5 <= review.probability < 0.95
    levels = {e["field"]: e["level"] for e in review.explanation}
    assert levels["given_name"] == "initial agrees"
    assert levels["date_of_birth"] == "missing"
    assert levels["address"] == "different"


def test_a_stranger_is_new_and_nothing_is_queued():
    crowd()
    stranger = Person(
        "web-2",
        given_name="Zainab",
        family_name="Okafor",
        date_of_birth=date(2001, 5, 5),
        postcode="SD1 1AA",
    )
    assert match_incoming(db.session, stranger, "web").decision == online.Decision.NEW
    assert db.session.scalars(select(MatchReview)).all() == []


def test_an_empty_record_finds_no_candidates():
    crowd(3)
    assert online.match(db.session, Person("x")).decision == online.Decision.NEW


def _queued():
    crowd()
    customer = resident()
    moved = Person("o-1", given_name="W", family_name="Ashworth", postcode="EM3 4QT")
    assert match_incoming(db.session, moved, "open311").decision == online.Decision.REVIEW
    return customer, db.session.scalars(select(MatchReview)).one()


def test_queueing_and_deciding_a_review_are_audited_with_who_and_why():
    customer, review = _queued()
    supervisor = StaffUserFactory()
    actor = Actor(user_id=supervisor.id, label=supervisor.email, ip_address="127.0.0.1")
    decide(db.session, review, ReviewStatus.SEPARATE, actor, "  Different person: father  ")
    assert review.status == ReviewStatus.SEPARATE
    assert review.decided_by_id == supervisor.id and review.decided_at is not None
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.customer_id == customer.id).order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events][-2:] == ["queue for review", "match review: separate"]
    assert events[-1].reason == "Different person: father"
    assert events[-1].actor_id == supervisor.id


@pytest.mark.parametrize(
    ("status", "reason", "message"),
    [
        (ReviewStatus.OPEN, "why", "Choose whether"),
        (ReviewStatus.LINKED, "   ", "Give a reason"),
    ],
)
def test_a_decision_without_a_choice_or_reason_changes_nothing(status, reason, message):
    _, review = _queued()
    with pytest.raises(ReviewError, match=message):
        decide(db.session, review, status, Actor.system("t"), reason)
    assert review.status == ReviewStatus.OPEN and review.decided_at is None


def test_a_decided_review_cannot_be_decided_again():
    _, review = _queued()
    decide(db.session, review, ReviewStatus.LINKED, Actor.system("t"), "Same phone number")
    with pytest.raises(ReviewError, match="already decided: linked"):
        decide(db.session, review, ReviewStatus.SEPARATE, Actor.system("t"), "Changed my mind")
    assert review.status == ReviewStatus.LINKED
