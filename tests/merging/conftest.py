"""Two records of one resident, with everything a record can have."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from frontoffice.access.actor import Actor
from frontoffice.customers.models import Customer
from frontoffice.extensions import db
from frontoffice.merging import snapshot
from tests import factories as f


@dataclass
class Pair:
    survivor: Customer
    merged: Customer
    survivor_case: object
    merged_case: object
    merged_contact: object
    partner: object


def make_pair() -> Pair:
    partner = f.PartnerFactory()
    survivor = f.CustomerFactory(
        given_name="William",
        family_name="Ashworth",
        date_of_birth=date(1980, 3, 7),
        updated_at=datetime(2024, 1, 1, tzinfo=UTC),
    )
    merged = f.CustomerFactory(
        given_name="Bill",
        family_name="Ashworth",
        date_of_birth=None,
        preferred_name="Billy",
        accessibility_needs="Large print",
        updated_at=datetime(2025, 6, 1, tzinfo=UTC),
    )
    f.CustomerAddressFactory(
        customer=survivor, line_1="12 Mill Road", postcode="NV1 2AB", valid_from=date(2010, 1, 1)
    )
    f.CustomerAddressFactory(
        customer=merged, line_1="4 Elm Close", postcode="NV3 9QT", valid_from=date(2023, 5, 1)
    )
    f.CustomerAddressFactory(
        customer=merged,
        line_1="12 Mill Road",
        postcode="NV1 2AB",
        valid_from=date(2010, 1, 1),
        valid_to=date(2023, 5, 1),
    )
    f.CustomerPhoneFactory(customer=survivor, number="+447700900111")
    f.CustomerPhoneFactory(customer=merged, number="+447700900222")
    f.CustomerPhoneFactory(customer=merged, number="+447700900111")  # the same phone, twice
    f.CustomerEmailFactory(customer=merged, address="bill@example.org")
    f.WarningMarkerFactory(customer=merged)
    f.ExternalReferenceFactory(customer=merged, partner=partner, system="Council tax")
    f.ExternalReferenceFactory(customer=survivor, partner=partner, system="Housing benefit")
    survivor_case = f.CaseFactory(customer=survivor)
    merged_case = f.CaseFactory(customer=merged)
    merged_contact = f.ContactFactory(customer=merged)
    f.ContactFactory(customer=survivor)
    db.session.flush()
    return Pair(survivor, merged, survivor_case, merged_case, merged_contact, partner)


@pytest.fixture
def pair() -> Pair:
    return make_pair()


@pytest.fixture
def supervisor():
    user = f.StaffUserFactory(role="supervisor")
    return user, Actor(user_id=user.id, label=user.email)


def full(customer_id: int) -> dict:
    """Everything stored about one customer: its row, its details and what it owns."""
    db.session.flush()
    return {**snapshot.record(db.session, customer_id), **snapshot.owned(db.session, customer_id)}
