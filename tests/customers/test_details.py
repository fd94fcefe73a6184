"""Moves, warning markers and partner references on a customer record."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from frontoffice import clock
from frontoffice.extensions import db
from frontoffice.models import AuditEvent, CustomerAddress, ExternalReference, Role, WarningMarker
from tests.factories import ExternalReferenceFactory, PartnerFactory, WarningMarkerFactory


@pytest.fixture
def adviser(as_role):
    return as_role("adviser")


def base(customer) -> str:
    return f"/staff/customers/{customer.id}"


def audit_actions(customer) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.customer_id == customer.id)
            .order_by(AuditEvent.id)
        )
    )


def test_move_home_keeps_the_old_address(adviser, person):
    customer = person("Mo", "Ver", postcode="NV9 9ZZ")
    old = customer.current_address
    moved = clock.today() - dt.timedelta(days=3)
    response = adviser.post(
        f"{base(customer)}/addresses/new",
        {
            "address_line_1": "2 New Street",
            "town": "Newtown",
            "postcode": "nv1 2ab",
            "moved_on": [str(moved.day), str(moved.month), str(moved.year)],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    addresses = db.session.scalars(
        select(CustomerAddress).where(CustomerAddress.customer_id == customer.id)
    ).all()
    current = [a for a in addresses if a.valid_to is None]
    assert [a.postcode for a in current] == ["NV1 2AB"]
    assert current[0].valid_from == moved
    assert db.session.get(CustomerAddress, old.id).valid_to == moved
    assert "move_address" in audit_actions(customer)
    html = adviser.get(base(customer)).get_data(as_text=True)
    assert "Previous addresses (1)" in html
    by_old_postcode = adviser.get("/staff/customers/", query_string={"q": "NV9 9ZZ"})
    assert f'data-customer-id="{customer.id}"' in by_old_postcode.get_data(as_text=True)


@pytest.mark.parametrize(
    ("moved_on", "message"),
    [
        (["", "", ""], "Enter the date they moved in"),
        (["1", "1", "2999"], "Date they moved in must be today or in the past"),
        (["1", "1", "2010"], "Date they moved in must be on or after 1 January 2015"),
    ],
)
def test_move_home_date_rules(adviser, person, moved_on, message):
    customer = person("Mo", "Ver", postcode="NV9 9ZZ")  # lives there from 1 January 2015
    response = adviser.post(
        f"{base(customer)}/addresses/new",
        {"address_line_1": "2 New Street", "postcode": "NV1 2AB", "moved_on": moved_on},
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(func.count(CustomerAddress.id)).where(CustomerAddress.customer_id == customer.id)
        )
        == 1
    )


def test_add_a_warning_marker(adviser, person):
    customer = person("Wa", "Rning")
    review = clock.today() + dt.timedelta(days=90)
    response = adviser.post(
        f"{base(customer)}/warnings/new",
        {
            "category": "Verbal abuse",
            "reason": "Swore at staff\non 1 May",
            "review_date": [str(review.day), str(review.month), str(review.year)],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    marker = db.session.scalars(
        select(WarningMarker).where(WarningMarker.customer_id == customer.id)
    ).one()
    assert (marker.category, marker.created_by_id) == ("Verbal abuse", adviser.user.id)
    assert "add_warning" in audit_actions(customer)
    html = adviser.get(base(customer)).get_data(as_text=True)
    assert html.index("Swore at staff") < html.index("<h1")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"category": "", "reason": "x", "review_date": ["1", "1", "2099"]},
            "Select a type of risk",
        ),
        (
            {"category": "Made up", "reason": "x", "review_date": ["1", "1", "2099"]},
            "Select a type of risk",
        ),
        (
            {"category": "Verbal abuse", "reason": " ", "review_date": ["1", "1", "2099"]},
            "Enter what staff need to know",
        ),
        (
            {"category": "Verbal abuse", "reason": "x", "review_date": ["1", "1", "2000"]},
            "Review date must be in the future",
        ),
        ({"category": "Verbal abuse", "reason": "x"}, "Enter a review date"),
    ],
)
def test_warning_marker_validation(adviser, person, data, message):
    customer = person("Wa", "Rning")
    response = adviser.post(f"{base(customer)}/warnings/new", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert not db.session.scalars(
        select(WarningMarker).where(WarningMarker.customer_id == customer.id)
    ).all()


def test_end_a_warning_marker_with_a_reason(adviser, person):
    customer = person("Wa", "Rning")
    marker = WarningMarkerFactory(customer=customer)
    db.session.commit()
    url = f"{base(customer)}/warnings/{marker.id}/end"
    assert adviser.post(url, {"reason": ""}).status_code == 422
    response = adviser.post(url, {"reason": "Reviewed with the housing team"})
    assert response.status_code == 302
    db.session.refresh(marker)
    assert marker.ended_at is not None
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.customer_id == customer.id, AuditEvent.action == "end_warning"
        )
    ).one()
    assert event.reason == "Reviewed with the housing team"
    assert "fo-warning-banner" not in adviser.get(base(customer)).get_data(as_text=True)
    assert adviser.get(url).status_code == 404  # already ended


def test_cannot_end_another_customers_marker(adviser, person):
    one, two = person("A", "One"), person("B", "Two")
    marker = WarningMarkerFactory(customer=two)
    db.session.commit()
    assert adviser.get(f"{base(one)}/warnings/{marker.id}/end").status_code == 404


def test_add_a_partner_reference(adviser, person):
    customer = person("Re", "Ference")
    partner = PartnerFactory(name="Northvale District Council")
    db.session.commit()
    url = f"{base(customer)}/references/new"
    assert "Northvale District Council" in adviser.get(url).get_data(as_text=True)
    response = adviser.post(
        url,
        {
            "partner": str(partner.id),
            "system": "Council tax",
            "reference": "ct-555 123",
            "verified": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    ref = db.session.scalars(
        select(ExternalReference).where(ExternalReference.customer_id == customer.id)
    ).one()
    assert (ref.reference_key, ref.verified) == ("CT555123", True)
    assert "add_reference" in audit_actions(customer)
    found = adviser.get("/staff/customers/", query_string={"q": "CT555123"}).get_data(as_text=True)
    assert f'data-customer-id="{customer.id}"' in found


def test_reference_already_on_another_record(adviser, person):
    customer, other = person("Re", "Ference"), person("Ot", "Her")
    existing = ExternalReferenceFactory(customer=other, system="Council tax", reference="CT555123")
    db.session.commit()
    response = adviser.post(
        f"{base(customer)}/references/new",
        {"partner": str(existing.partner_id), "system": "Council tax", "reference": "ct 555123"},
    )
    assert response.status_code == 422
    assert "already on another customer’s record" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"partner": "", "system": "CT", "reference": "1"}, "Select a partner"),
        ({"partner": "999999", "system": "CT", "reference": "12"}, "Select a partner"),
        ({"partner": "abc", "system": "CT", "reference": "12"}, "Select a partner"),
        ({"system": "", "reference": "12"}, "Enter the name of the partner’s system"),
        ({"system": "CT", "reference": "--"}, "Reference must include letters or numbers"),
    ],
)
def test_reference_validation(adviser, person, data, message):
    customer = person("Re", "Ference")
    partner = PartnerFactory()
    db.session.commit()
    data = {"partner": str(partner.id), **data}
    response = adviser.post(f"{base(customer)}/references/new", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["addresses/new", "warnings/new", "references/new", "edit"])
def test_partner_users_cannot_change_records(as_role, person, path):
    customer = person("Pa", "Rtner")
    assert as_role(Role.PARTNER_USER).get(f"{base(customer)}/{path}").status_code == 403


@pytest.mark.parametrize(
    "path", ["addresses/new", "warnings/new", "references/new", "warnings/1/end"]
)
def test_unknown_customer_is_404(adviser, path):
    assert adviser.get(f"/staff/customers/987654/{path}").status_code == 404
