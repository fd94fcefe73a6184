"""Helpers for customer tests: people with the details search looks at."""

from __future__ import annotations

import datetime as dt

import pytest

from frontoffice.customers import normalise
from frontoffice.extensions import db
from tests.factories import (
    CaseFactory,
    CustomerAddressFactory,
    CustomerEmailFactory,
    CustomerFactory,
    CustomerPhoneFactory,
)


def make_person(
    given: str = "John",
    family: str = "Smith",
    *,
    dob: dt.date | None = dt.date(1980, 12, 31),
    postcode: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    **kwargs,
):
    customer = CustomerFactory(given_name=given, family_name=family, date_of_birth=dob, **kwargs)
    if postcode:
        CustomerAddressFactory(customer=customer, postcode=normalise.normalise_postcode(postcode))
    if phone:
        CustomerPhoneFactory(customer=customer, number=normalise.normalise_phone(phone))
    if email:
        CustomerEmailFactory(customer=customer, address=email)
    return customer


@pytest.fixture
def person():
    """make_person(...), committed so the signed-in client sees it."""

    def make(*args, **kwargs):
        customer = make_person(*args, **kwargs)
        db.session.commit()
        return customer

    return make


@pytest.fixture
def case_at():
    def make(customer, partner, **kwargs):
        case = CaseFactory(customer=customer, service__owning_partner=partner, **kwargs)
        db.session.commit()
        return case

    return make
