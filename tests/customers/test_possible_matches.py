"""An adviser creating a customer first sees the records that may be the same person, each
scored with how every detail counted; creating anyway queues the possible ones for review."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from frontoffice.audit.models import AuditEvent
from frontoffice.customers.models import Customer
from frontoffice.extensions import db
from frontoffice.identity.models import MatchReview, ReviewStatus
from tests.customers.test_create_edit import NEW, valid
from tests.factories import (
    CustomerAddressFactory,
    CustomerEmailFactory,
    CustomerFactory,
    CustomerPhoneFactory,
)


@pytest.fixture
def adviser(as_role):
    return as_role("adviser")


@pytest.fixture(autouse=True)
def crowd():
    for i in range(30):
        CustomerFactory(
            given_name=f"Margaret{chr(97 + i % 26)}",
            family_name=f"Stranger{i}",
            date_of_birth=dt.date(1950, 1, 1 + i % 28),
        )
    db.session.commit()


def resident(given="Ada", family="Lovelace", born=dt.date(1985, 12, 10), **extra):
    customer = CustomerFactory(given_name=given, family_name=family, date_of_birth=born)
    CustomerAddressFactory(
        customer=customer, line_1=extra.get("line_1", "12 Analytical Way"), postcode="NV1 2AB"
    )
    if "phone" in extra:
        CustomerPhoneFactory(customer=customer, number=extra["phone"])
    if "email" in extra:
        CustomerEmailFactory(customer=customer, address=extra["email"])
    db.session.commit()
    return customer


def cards(html: str) -> dict[int, str]:
    """Each candidate's card on the page, by customer id."""
    found = re.findall(r'data-customer-id="(\d+)">(.*?)</li>', html, re.S)
    return {int(i): card for i, card in found}


def customers() -> int:
    return db.session.scalar(select(func.count(Customer.id)))


def test_the_same_person_is_shown_very_likely_with_how_each_detail_counted(adviser):
    ada = resident(phone="+447700900456")
    before = customers()
    response = adviser.post(NEW, valid(given_name="Ada", phone="07700900456"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "This person may already have a record" in html
    card = cards(html)[ada.id]
    assert "Very likely the same person" in card
    assert f'href="/staff/customers/{ada.id}"' in card
    rows = re.findall(
        r'<th scope="row" class="govuk-table__header">(.*?)</th>.*?'
        r'<td class="govuk-table__cell">(.*?)</td>\s*<td class="govuk-table__cell">(.*?)</td>'
        r'\s*<td class="govuk-table__cell">(.*?)</td>\s*<td[^>]*>(.*?)</td>',
        card,
        re.S,
    )
    explained = {row[0]: (row[3], row[4]) for row in rows}
    assert explained["Date of birth"][0] == "agrees: exact"
    assert explained["Phone"][0] == "agrees: exact"
    assert float(explained["Date of birth"][1]) > 5
    assert explained["Email"] == ("missing", "nothing")
    assert customers() == before


def test_creating_anyway_queues_a_possible_match_with_who_chose_to_create(adviser):
    ada = resident(phone="+447700900456")
    confirmed = valid(phone="07700900456", confirm_duplicate="yes")
    response = adviser.post(NEW, confirmed)
    assert response.status_code == 302
    created = db.session.scalars(select(Customer).order_by(Customer.id.desc())).first()
    assert created.id != ada.id
    review = db.session.scalars(select(MatchReview)).one()
    assert (review.customer_id, review.other_customer_id) == (ada.id, created.id)
    assert (review.source, review.status) == ("adviser", ReviewStatus.OPEN)
    assert review.incoming["given_name"] == "Ada" and review.probability >= 0.5
    queued = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "queue for review")
    ).one()
    assert queued.actor_id == adviser.user.id and queued.customer_id == ada.id


def test_a_household_member_is_shown_as_probably_someone_else_and_never_queued(adviser):
    mother = resident(given="Susan", born=dt.date(1960, 4, 2), phone="+447700900456")
    html = adviser.post(NEW, valid(phone="07700900456")).get_data(as_text=True)
    card = cards(html)[mother.id]
    assert "Probably a different person" in card and "Same phone number" in card
    assert "disagrees: different" in card
    assert adviser.post(NEW, valid(phone="07700900456", confirm_duplicate="yes")).status_code == 302
    assert db.session.scalars(select(MatchReview)).all() == []


def test_a_twin_is_never_queued(adviser):
    twin = resident(given="Augusta")  # same surname, date of birth and home
    html = adviser.post(NEW, valid(phone="", preferred_channel="email")).get_data(as_text=True)
    assert "Probably a different person" in cards(html)[twin.id]
    assert "capped" in cards(html)[twin.id]
    adviser.post(NEW, valid(phone="", preferred_channel="email", confirm_duplicate="yes"))
    assert db.session.scalars(select(MatchReview)).all() == []


def test_someone_new_is_created_at_once(adviser):
    before = customers()
    response = adviser.post(NEW, valid(given_name="Zainab", family_name="Okafor"))
    assert response.status_code == 302
    assert customers() == before + 1
    assert db.session.scalars(select(MatchReview)).all() == []


def test_a_hostile_name_on_a_candidate_is_shown_as_text(adviser):
    """A record imported with markup in its name, found by the same email."""
    resident(given="<b>Ada</b>", email="ada@example.org")
    html = adviser.post(NEW, valid()).get_data(as_text=True)
    assert "This person may already have a record" in html
    assert "<b>Ada</b>" not in html and "&lt;b&gt;Ada&lt;/b&gt;" in html


def test_a_tampered_confirmation_is_refused_and_creates_nothing(adviser):
    resident(phone="+447700900456")
    before = customers()
    bad = valid(date_of_birth=["31", "02", "1985"], confirm_duplicate="yes")
    response = adviser.post(NEW, bad)
    assert response.status_code == 422
    assert customers() == before
    assert db.session.scalars(select(MatchReview)).all() == []
