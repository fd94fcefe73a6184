"""Which record a resident's own submission lands on: the identity matcher, one decision for
every self-service channel."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from frontoffice.access.actor import Actor
from frontoffice.audit.models import AuditEvent
from frontoffice.customers import matching
from frontoffice.customers.matching import Decision, Given
from frontoffice.customers.models import Customer
from frontoffice.customers.operations import CustomerDetails
from frontoffice.extensions import db
from frontoffice.identity.models import MatchReview
from tests import factories as f


@pytest.fixture(autouse=True)
def crowd():
    """Strangers enough that one shared detail is not taken for a person."""
    for i in range(40):
        stranger(f"Margaret{chr(97 + i % 26)}", f"Stranger{chr(97 + i % 26)}{i}")


def stranger(given, family, email=None, phone=None):
    customer = f.CustomerFactory(given_name=given, family_name=family)
    if email:
        f.CustomerEmailFactory(customer=customer, address=email, address_key=email.lower())
    if phone:
        f.CustomerPhoneFactory(customer=customer, number=phone, number_key=phone)
    db.session.flush()
    return customer


def test_one_record_with_the_email_and_nothing_else_said_is_linked():
    customer = stranger("Ada", "Lovelace", email="ada@example.org")
    found = matching.match(Given(email="ADA@example.org"))
    assert found.decision is Decision.LINK and found.customer.id == customer.id


def test_the_same_name_and_email_links_the_record():
    customer = stranger("Ada", "Lovelace", email="ada@example.org")
    found = matching.match(Given("Ada", "Lovelace", email="ada@example.org"))
    assert found.decision is Decision.LINK and found.customer.id == customer.id


def test_the_phone_decides_when_the_email_is_new():
    customer = stranger("Ada", "Lovelace", phone="+447700900123")
    found = matching.match(Given("Ada", "Lovelace", "new@example.org", "+447700900123"))
    assert found.decision is Decision.LINK and found.customer.id == customer.id


def test_a_household_email_does_not_link_another_member_of_the_household():
    mother = stranger("Susan", "Ashworth", email="ashworths@example.org")
    found = matching.match(Given("Emily", "Ashworth", email="ashworths@example.org"))
    assert found.decision is Decision.NEW and found.customer is None
    assert mother.id not in found.candidates


def test_each_member_of_a_household_lands_on_their_own_record():
    mother = stranger("Susan", "Ashworth", email="ashworths@example.org")
    daughter = stranger("Emily", "Ashworth", email="ashworths@example.org")
    for person, given in ((mother, "Susan"), (daughter, "Emily")):
        found = matching.match(Given(given, "Ashworth", email="ashworths@example.org"))
        assert found.decision is Decision.LINK and found.customer.id == person.id


def test_a_twin_sharing_the_home_phone_is_never_linked_to_the_other():
    stranger("Oliver", "Ashworth", phone="+441632960001")
    found = matching.match(Given("Harry", "Ashworth", phone="+441632960001"))
    assert found.decision is Decision.NEW


def test_two_records_with_the_email_and_no_name_are_not_linked_but_reviewed():
    first = stranger("Ada", "Lovelace", email="shared@example.org")
    second = stranger("Grace", "Hopper", email="shared@example.org")
    found = matching.match(Given(email="shared@example.org"))
    assert found.decision is Decision.REVIEW and found.customer is None
    assert set(found.candidates) == {first.id, second.id}


def test_nothing_known_makes_a_new_record():
    found = matching.match(Given("Zainab", "Okafor", email="nobody@example.org"))
    assert found.decision is Decision.NEW and found.candidates == ()


def test_nothing_given_makes_a_new_record():
    assert matching.match(Given()).decision is Decision.NEW


def _land(given: Given) -> Customer:
    details = CustomerDetails(given_name=given.given_name, family_name=given.family_name or "X")
    return matching.land(matching.match(given), Actor.system("web form"), details, "web")


def test_landing_a_link_makes_no_record_and_queues_nothing():
    customer = stranger("Ada", "Lovelace", email="ada@example.org")
    before = db.session.scalar(select(func.count(Customer.id)))
    assert _land(Given("Ada", "Lovelace", email="ada@example.org")).id == customer.id
    assert db.session.scalar(select(func.count(Customer.id))) == before
    assert db.session.scalars(select(MatchReview)).all() == []


def test_landing_a_review_makes_a_new_record_and_queues_it_against_the_candidates():
    first = stranger("Ada", "Lovelace", email="shared@example.org")
    second = stranger("Ada", "Lovelace", email="shared@example.org")  # already a duplicate
    landed = _land(Given("Ada", "Lovelace", email="shared@example.org"))
    assert landed.id not in (first.id, second.id)
    reviews = db.session.scalars(select(MatchReview).order_by(MatchReview.id)).all()
    assert {r.customer_id for r in reviews} == {first.id, second.id}
    assert {r.other_customer_id for r in reviews} == {landed.id}
    assert {r.source for r in reviews} == {"web"}
    assert reviews[0].incoming["email"] == "shared@example.org"
    assert {e["field"] for e in reviews[0].explanation} >= {"given_name", "email"}
    queued = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "queue for review")
    ).all()
    assert {e.customer_id for e in queued} == {first.id, second.id}
    assert {e.actor_label for e in queued} == {"web form"}


def test_landing_a_new_person_makes_a_record_and_queues_nothing():
    landed = _land(Given("Zainab", "Okafor", email="z@example.org"))
    assert landed.family_name == "Okafor"
    assert db.session.scalars(select(MatchReview)).all() == []
