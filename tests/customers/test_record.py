"""GET /staff/customers/<id>: the single customer record."""

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from frontoffice import clock
from frontoffice.cases.status import CaseStatus
from frontoffice.customers.views import age_on
from frontoffice.extensions import db
from frontoffice.models import AuditEvent, Role
from tests.customers.conftest import make_person
from tests.factories import (
    CaseFactory,
    ContactFactory,
    CustomerAddressFactory,
    CustomerPhoneFactory,
    ExternalReferenceFactory,
    PartnerFactory,
    ServiceFactory,
    WarningMarkerFactory,
)
from tests.statements import counted


def url(customer) -> str:
    return f"/staff/customers/{customer.id}"


@pytest.fixture
def adviser(as_role):
    return as_role("adviser")


def test_identity_contact_details_and_addresses(adviser, person):
    customer = person(
        "Siân",
        "Evans",
        title="Ms",
        preferred_name="Sia",
        accessibility_needs="Uses a hearing loop",
        postcode="NV1 2AB",
        phone="07700 900123",
        email="sian@example.org",
    )
    CustomerAddressFactory(
        customer=customer, line_1="1 Old Road", postcode="NV9 9ZZ", valid_to=dt.date(2014, 12, 31)
    )
    db.session.commit()
    response = adviser.get(url(customer))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in (
        "Ms Siân Evans",
        "Sia",
        "31 December 1980",
        f"(age {age_on(dt.date(1980, 12, 31), clock.today())})",
        "Uses a hearing loop",
        "07700 900123",
        "sian@example.org",
        "NV1 2AB",
        "1 Old Road",
        "English",
        "No cases.",
    ):
        assert text in html, text


def test_warning_markers_come_first(adviser, person):
    customer = person("Will", "Warn")
    WarningMarkerFactory(
        customer=customer, category="Verbal abuse", review_date=dt.date(2020, 1, 1)
    )
    WarningMarkerFactory(
        customer=customer, category="Ended", ended_at=dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
    )
    db.session.commit()
    html = adviser.get(url(customer)).get_data(as_text=True)
    banner = html.index("fo-warning-banner")
    assert banner < html.index("<h1") < html.index('id="identity"')
    assert "Verbal abuse" in html
    assert "Review overdue" in html
    assert "Ended" not in html[banner : html.index("<h1")]


def test_deceased_banner(adviser, person):
    customer = person("Dee", "Parted", date_of_death=dt.date(2024, 2, 1))
    html = adviser.get(url(customer)).get_data(as_text=True)
    assert "This person has died. Date of death: 1 February 2024." in html
    assert "died aged 43" in html


def test_cases_across_partners_newest_first_with_status_and_overdue(adviser, person):
    customer = person("Cas", "Es")
    old = CaseFactory(
        customer=customer,
        created_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        due_date=dt.date(2024, 1, 10),
        status=CaseStatus.IN_PROGRESS,
    )
    new = CaseFactory(customer=customer, created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    db.session.commit()
    html = adviser.get(url(customer)).get_data(as_text=True)
    assert html.index(new.reference) < html.index(old.reference)
    assert old.owning_partner.name in html and new.owning_partner.name in html
    assert "In progress" in html
    assert "Overdue" in html
    assert f'href="/staff/cases/{new.id}"' in html or new.reference in html


def test_contacts_last_ten_with_a_count(adviser, person):
    customer = person("Con", "Tacts")
    for i in range(12):
        ContactFactory(
            customer=customer,
            reason=f"Reason number {i:02d}",
            started_at=dt.datetime(2025, 1, 1 + i, tzinfo=dt.UTC),
        )
    db.session.commit()
    html = adviser.get(url(customer)).get_data(as_text=True)
    assert "Showing the latest 10 of 12 contacts." in html
    assert "Reason number 11" in html
    assert "Reason number 01" not in html


def test_adviser_actions(as_role, person):
    customer = person("Act", "Ions")
    html = as_role("adviser").get(url(customer)).get_data(as_text=True)
    assert "Audit history" not in html
    assert "Change details" in html
    assert "Add a warning marker" in html
    for endpoint, text in (("contacts.new", "Log a contact"), ("cases.new", "Raise a case")):
        assert (text in html) == (endpoint in _endpoints())


def test_supervisor_sees_audit_history(as_role, person):
    customer = person("Act", "Ions")
    html = as_role("supervisor").get(url(customer)).get_data(as_text=True)
    assert ("Audit history" in html) == ("audit.customer_history" in _endpoints())


def _endpoints():
    from flask import current_app

    return current_app.view_functions


def test_every_view_is_audited(adviser, person):
    customer = person("Aud", "It")

    def views():
        return db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.customer_id == customer.id, AuditEvent.action == "view"
            )
        )

    adviser.get(url(customer))
    adviser.get(url(customer))
    assert views() == 2
    event_ = db.session.scalars(
        select(AuditEvent).where(AuditEvent.customer_id == customer.id)
    ).first()
    assert (event_.record_type, event_.record_id, event_.actor_id) == (
        "customer",
        str(customer.id),
        adviser.user.id,
    )


def test_unknown_customer_is_404(adviser):
    assert adviser.get("/staff/customers/999999").status_code == 404
    assert adviser.get("/staff/customers/99999999999999999999").status_code == 404


def test_partner_user_sees_only_their_cases_and_references_and_no_contacts(as_role, person):
    partner = PartnerFactory()
    customer = person("Part", "Ner")
    mine = CaseFactory(customer=customer, service=ServiceFactory(owning_partner=partner))
    theirs = CaseFactory(customer=customer)
    ExternalReferenceFactory(customer=customer, partner=partner, reference="MINE0001")
    ExternalReferenceFactory(customer=customer, reference="THEIRS0001")
    ContactFactory(customer=customer, reason="A private note of a call")
    db.session.commit()
    client = as_role(Role.PARTNER_USER, partner=partner)
    html = client.get(url(customer)).get_data(as_text=True)
    assert mine.reference in html
    assert theirs.reference not in html
    assert "MINE0001" in html and "THEIRS0001" not in html
    assert "A private note of a call" not in html
    assert "Change details" not in html


def test_partner_user_gets_404_for_a_customer_without_their_case(as_role, person):
    partner = PartnerFactory()
    customer = person("No", "Case")
    CaseFactory(customer=customer)
    db.session.commit()
    client = as_role(Role.PARTNER_USER, partner=partner)
    assert client.get(url(customer)).status_code == 404
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.customer_id == customer.id)
        )
        == 0
    )


def test_administrator_gets_403(as_role, person):
    customer = person("Ad", "Min")
    assert as_role(Role.ADMINISTRATOR).get(url(customer)).status_code == 403


def test_query_count_does_not_grow_with_history(adviser, app):
    customer = make_person("Busy", "Record", postcode="NV1 2AB")
    services = [ServiceFactory() for _ in range(3)]
    for i in range(60):
        CaseFactory(customer=customer, service=services[i % 3])
    for _ in range(30):
        CustomerPhoneFactory(customer=customer)
    cases = db.session.scalars(select(CaseFactory._meta.model).limit(3)).all()
    for _ in range(25):
        contact = ContactFactory(customer=customer)
        contact.cases = cases
    db.session.commit()

    with counted() as statements:
        response = adviser.get(url(customer))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Showing the latest 50 of 60 cases." in html
    assert "Showing the latest 10 of 25 contacts." in html
    record_queries = [s for s in statements if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK)", s)]
    assert 5 <= len(record_queries) <= 17, "\n".join(record_queries)
