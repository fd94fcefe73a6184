"""An Open311 report lands on the record the identity matcher chooses, from the resident's
own name, email and phone (never from where the problem is)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from frontoffice.access.actor import Actor
from frontoffice.cases.models import Case
from frontoffice.customers.models import Customer
from frontoffice.extensions import db
from frontoffice.identity.models import MatchReview
from frontoffice.partner_api import keys
from tests.factories import (
    CustomerEmailFactory,
    CustomerFactory,
    CustomerPhoneFactory,
    PartnerFactory,
    ServiceFactory,
)

URL = "/open311/v2/requests.json"


@pytest.fixture
def key():
    partner = PartnerFactory(name="FixMyStreet reporting app")
    _, key = keys.create(Actor.system("test"), partner.id, "Reporting app")
    ServiceFactory(code="pothole", name="Pothole")
    for i in range(30):
        CustomerFactory(given_name=f"Margaret{chr(97 + i % 26)}", family_name=f"Stranger{i}")
    db.session.commit()
    return key


def _report(client, key, **fields) -> Case:
    data = {"api_key": key, "service_code": "pothole", "address_string": "Outside 4 Mill Lane"}
    response = client.post(URL, data={**data, **fields})
    assert response.status_code == 200, response.get_data(as_text=True)
    reference = response.get_json()[0]["service_request_id"]
    return db.session.get(Case, int(reference[3:]))


def _resident(given, family, email=None, phone=None):
    customer = CustomerFactory(given_name=given, family_name=family)
    if email:
        CustomerEmailFactory(customer=customer, address=email)
    if phone:
        CustomerPhoneFactory(customer=customer, number=phone)
    db.session.commit()
    return customer


def test_the_same_name_and_phone_link_the_report_to_the_record(client, key):
    grace = _resident("Grace", "Hopper", phone="+447700900123")
    case = _report(client, key, first_name="Grace", last_name="Hopper", phone="07700 900123")
    assert case.customer_id == grace.id
    assert db.session.scalars(select(MatchReview)).all() == []


def test_a_different_name_with_the_household_email_is_a_new_record(client, key):
    father = _resident("Oliver", "Hopper", email="hoppers@example.org")
    before = db.session.scalar(select(func.count(Customer.id)))
    case = _report(client, key, first_name="Grace", last_name="Hopper", email="hoppers@example.org")
    assert case.customer_id != father.id
    assert (case.customer.given_name, case.customer.family_name) == ("Grace", "Hopper")
    assert db.session.scalar(select(func.count(Customer.id))) == before + 1


def test_a_possible_match_is_a_new_record_queued_for_review(client, key):
    first = _resident("Grace", "Hopper", email="grace@example.org")
    second = _resident("Grace", "Hopper", email="grace@example.org")
    case = _report(client, key, first_name="Grace", last_name="Hopper", email="grace@example.org")
    assert case.customer_id not in (first.id, second.id)
    reviews = db.session.scalars(select(MatchReview)).all()
    assert {(r.customer_id, r.other_customer_id, r.source) for r in reviews} == {
        (first.id, case.customer_id, "open311"),
        (second.id, case.customer_id, "open311"),
    }


def test_a_retried_possible_match_queues_its_reviews_once(client, key):
    _resident("Grace", "Hopper", email="grace@example.org")
    _resident("Grace", "Hopper", email="grace@example.org")
    fields = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace@example.org",
        "attribute[client_request_id]": "app-9",
    }
    assert _report(client, key, **fields).id == _report(client, key, **fields).id
    assert db.session.scalar(select(func.count(MatchReview.id))) == 2


@pytest.mark.parametrize(
    "name",
    ["<script>alert(1)</script>", "Ünïcødé 🙂", "עברית", "x" * 100, "'; DROP TABLE customer;--"],
)
def test_hostile_names_are_matched_without_harm(client, key, name):
    case = _report(client, key, first_name=name, last_name=name, email="odd@example.org")
    assert case.customer.given_name == name
    assert db.session.scalars(select(MatchReview)).all() == []
