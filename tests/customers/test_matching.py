"""Which record a resident's own submission lands on: one decision for every channel."""

from __future__ import annotations

from frontoffice.customers import matching
from frontoffice.customers.matching import Decision, Given, Match
from tests import factories as f


def _with_email(address: str):
    customer = f.CustomerFactory()
    f.CustomerEmailFactory(customer=customer, address=address, address_key=address.lower())
    return customer


def test_one_record_with_the_email_is_linked():
    customer = _with_email("ada@example.org")
    found = matching.match(Given(email="ADA@example.org"))
    assert found.decision is Decision.LINK and found.customer.id == customer.id


def test_two_records_with_the_email_make_a_new_one():
    _with_email("shared@example.org")
    _with_email("shared@example.org")
    assert matching.match(Given(email="shared@example.org")).decision is Decision.NEW


def test_the_phone_decides_when_the_email_does_not():
    customer = f.CustomerFactory()
    f.CustomerPhoneFactory(customer=customer, number="+447700900123", number_key="+447700900123")
    found = matching.match(Given(email="new@example.org", phone="+447700900123"))
    assert found.decision is Decision.LINK and found.customer.id == customer.id


def test_nothing_known_makes_a_new_record():
    assert matching.match(Given(email="nobody@example.org")) == Match(Decision.NEW)
