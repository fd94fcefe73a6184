"""Raising a case from the customer record: /staff/customers/<id>/cases/new."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from frontoffice import models as m
from frontoffice.cases.status import CaseStatus
from frontoffice.extensions import db
from tests.cases.fixtures import audits, counts, page, post
from tests.factories import ContactFactory, CustomerFactory


def _url(world, **query):
    url = f"/staff/customers/{world.customer.id}/cases/new"
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def _valid(world, **changes):
    data = {
        "service": str(world.bins.id),
        "summary": "Green bin missed on Monday",
        "priority": "high",
        "channel": "walk_in",
    }
    data.update(changes)
    return data


def _cases(world):
    return list(
        db.session.scalars(
            select(m.Case).where(m.Case.customer_id == world.customer.id).order_by(m.Case.id)
        )
    )


def test_the_form_offers_only_active_services(as_role, world):
    adviser = as_role("adviser")
    response = adviser.get(_url(world))
    assert response.status_code == 200
    text = page(response)
    assert "Ada Lovelace" in text
    assert "Missed bin" in text
    assert "Council tax: moving home" in text
    assert "Retired service" not in text


def test_an_adviser_raises_a_case_and_its_due_date_skips_easter(as_role, world):
    with time_machine.travel(datetime(2026, 4, 2, 10, tzinfo=UTC), tick=False):
        adviser = as_role("adviser")
        response = post(adviser, _url(world), _valid(world))
        assert response.status_code == 302
        [case] = _cases(world)
        assert response.headers["Location"].endswith(f"/staff/cases/{case.id}")
        assert case.owning_partner_id == world.north.id
        assert case.status is CaseStatus.NEW
        assert case.channel.value == "walk_in"
        assert case.priority.value == "high"
        assert case.created_by_id == adviser.user.id
        assert case.due_date == date(2026, 4, 8)  # Good Friday and Easter Monday skipped
        [audit] = audits("create", "case", world.customer.id)
        assert audit.record_id == str(case.id)
        shown = page(adviser.get(response.headers["Location"]))
        assert f"Case {case.reference} raised for Ada Lovelace" in shown
        assert "8 April 2026" in shown


def test_a_case_raised_from_a_contact_is_linked_to_it(as_role, world):
    adviser = as_role("adviser")
    contact = ContactFactory(customer=world.customer)
    db.session.commit()
    url = _url(world, contact_id=contact.id)
    assert "linked to the phone contact" in page(adviser.get(url))
    assert post(adviser, url, _valid(world)).status_code == 302
    db.session.refresh(contact)
    assert [c.id for c in contact.cases] == [c.id for c in _cases(world)]


@pytest.mark.parametrize("contact_id", ["abc", "0", "-4", "99999999999999999999", ""])
def test_a_malformed_contact_id_is_404(as_role, world, contact_id):
    adviser = as_role("adviser")
    assert adviser.get(_url(world, contact_id=contact_id)).status_code == 404


def test_another_customers_contact_is_404(as_role, world):
    adviser = as_role("adviser")
    other = ContactFactory(customer=CustomerFactory())
    db.session.commit()
    before = counts()
    assert adviser.get(_url(world, contact_id=other.id)).status_code == 404
    assert post(adviser, _url(world, contact_id=other.id), _valid(world)).status_code == 404
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"service": ""}, "service", "Select a service from the list"),
        ({"service": "abc"}, "service", "Select a service from the list"),
        ({"service": "99999999"}, "service", "Select a service from the list"),
        ({"service": "1; DROP TABLE case"}, "service", "Select a service from the list"),
        ({"summary": ""}, "summary", "Enter a summary of the request"),
        ({"summary": "x" * 2001}, "summary", "Summary must be 2,000 characters or fewer"),
        ({"summary": "bad \x00 byte"}, "summary", "Summary must not contain special characters"),
        ({"priority": "panic"}, "priority", "Select a priority"),
        ({"channel": "pigeon"}, "channel", "Select how the customer got in touch"),
    ],
)
def test_bad_input_is_shown_by_its_field_and_nothing_is_saved(
    as_role, world, changes, field, message
):
    adviser = as_role("adviser")
    before = counts()
    response = post(adviser, _url(world), _valid(world, **changes))
    assert response.status_code == 422
    text = page(response)
    assert "There is a problem" in text
    assert f'href="#{field}"' in text
    assert message in text
    assert counts() == before


def test_an_inactive_service_cannot_be_chosen(as_role, world):
    adviser = as_role("adviser")
    before = counts()
    response = post(adviser, _url(world), _valid(world, service=str(world.retired.id)))
    assert response.status_code == 422
    assert "Select a service from the list" in page(response)
    assert counts() == before


def test_hostile_text_is_kept_as_text(as_role, world):
    adviser = as_role("adviser")
    summary = "<img src=x onerror=alert(1)> 'OR 1=1 -- שלום 🚮"
    assert post(adviser, _url(world), _valid(world, summary=summary)).status_code == 302
    [case] = _cases(world)
    assert case.summary == summary
    raw = adviser.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "<img src=x" not in raw
    assert "&lt;img src=x onerror=alert(1)&gt;" in raw


@pytest.mark.parametrize("role", ["partner_user", "administrator"])
def test_only_front_office_staff_raise_cases(as_role, world, role):
    user = as_role(role, partner=world.north)
    before = counts()
    assert user.get(_url(world)).status_code == 403
    assert post(user, _url(world), _valid(world)).status_code == 403
    assert counts() == before


def test_an_unknown_customer_is_404(as_role):
    adviser = as_role("adviser")
    assert adviser.get("/staff/customers/987654/cases/new").status_code == 404
    assert adviser.get("/staff/customers/99999999999999999/cases/new").status_code == 404
