"""Create and change a customer: a clear message by each field, nothing half-saved."""

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from frontoffice import clock
from frontoffice.customers import normalise
from frontoffice.extensions import db
from frontoffice.models import (
    AuditEvent,
    Customer,
    CustomerAddress,
    CustomerEmail,
    CustomerPhone,
    Role,
)
from tests.factories import CustomerPhoneFactory

NEW = "/staff/customers/new"


def valid(**changes):
    data = {
        "title": "Ms",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "preferred_name": "",
        "date_of_birth": ["10", "12", "1985"],
        "phone": "07700 900456",
        "phone_2": "",
        "email": "ada@example.org",
        "address_line_1": "12 Analytical Way",
        "address_line_2": "",
        "town": "Newtown",
        "postcode": "nv1 2ab",
        "uprn": "",
        "preferred_language": "en",
        "preferred_channel": "phone",
        "accessibility_needs": "",
    }
    data.update(changes)
    return data


def counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Customer, CustomerPhone, CustomerEmail, CustomerAddress)
    )


@pytest.fixture
def adviser(as_role):
    return as_role("adviser")


def test_create_saves_everything_and_audits_field_names_only(adviser):
    response = adviser.post(NEW, valid(phone_2="+44 1632 960001", uprn="100012345678"))
    assert response.status_code == 302, response.get_data(as_text=True)
    customer = db.session.scalars(select(Customer).where(Customer.family_name == "Lovelace")).one()
    assert response.headers["Location"].endswith(f"/staff/customers/{customer.id}")
    assert (customer.family_key, customer.family_soundex) == (
        "lovelace",
        normalise.soundex("Lovelace"),
    )
    assert customer.date_of_birth == dt.date(1985, 12, 10)
    assert [p.number for p in customer.phones] == ["+447700900456", "+441632960001"]
    assert [p.kind for p in customer.phones] == ["mobile", "landline"]
    assert customer.emails[0].address_key == "ada@example.org"
    address = customer.current_address
    assert (address.postcode, address.postcode_key, address.uprn) == (
        "NV1 2AB",
        "NV12AB",
        "100012345678",
    )
    assert address.valid_from == clock.today()
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.customer_id == customer.id, AuditEvent.action == "create"
        )
    ).one()
    assert "date_of_birth" in event.details["fields"]
    assert "1985" not in str(event.details) and "07700" not in str(event.details)


def test_create_without_optional_details(adviser):
    data = valid(date_of_birth=["", "", ""], email="", address_line_1="", town="", postcode="")
    response = adviser.post(NEW, data)
    assert response.status_code == 302, response.get_data(as_text=True)


def test_form_page(adviser):
    html = adviser.get(NEW).get_data(as_text=True)
    for name in ("given_name", "family_name", "date_of_birth-day", "phone_2", "postcode", "uprn"):
        assert f'id="{name}"' in html
    assert "Welsh" in html


INVALID = [
    ({"given_name": ""}, "given_name", "Enter a first name"),
    ({"family_name": "   "}, "family_name", "Enter a last name"),
    ({"family_name": "x" * 101}, "family_name", "Last name must be 100 characters or fewer"),
    ({"given_name": "Ada2"}, "given_name", "First name must only include letters"),
    (
        {"given_name": "<script>alert(1)</script>"},
        "given_name",
        "First name must only include letters",
    ),
    ({"title": "Dr😀"}, "title", "Title must only include letters"),
    ({"family_name": "Love\u202elace"}, "family_name", "Last name must only include letters"),
    ({"date_of_birth": ["31", "2", "1985"]}, "date_of_birth", "Date of birth must be a real date"),
    ({"date_of_birth": ["10", "", "1985"]}, "date_of_birth", "Date of birth must include a month"),
    ({"date_of_birth": ["10", "12", "85"]}, "date_of_birth", "Year must include 4 numbers"),
    (
        {"date_of_birth": ["1", "1", "1899"]},
        "date_of_birth",
        "Date of birth must be on or after 1 January 1900",
    ),
    (
        {"date_of_birth": ["1", "1", "2999"]},
        "date_of_birth",
        "Date of birth must be today or in the past",
    ),
    ({"date_of_birth": ["a", "b", "c"]}, "date_of_birth", "Date of birth must be a real date"),
    ({"date_of_birth": ["1"]}, "date_of_birth", "Date of birth must include a month and a year"),
    ({"phone": "12345"}, "phone", "Enter a phone number, like"),
    ({"phone_2": "call me"}, "phone_2", "Enter a phone number, like"),
    ({"phone": "", "phone_2": ""}, "phone", "Enter a phone number, or choose another way"),
    ({"email": "not-an-email"}, "email", "Enter an email address in the correct format"),
    ({"email": "", "preferred_channel": "email"}, "email", "Enter an email address, or choose"),
    ({"postcode": "NOTAPOSTCODE"}, "postcode", "Enter a real postcode"),
    ({"postcode": ""}, "postcode", "Enter a postcode"),
    ({"address_line_1": ""}, "address_line_1", "Enter address line 1"),
    (
        {"address_line_1": "1 Road\x00"},
        "address_line_1",
        "Address line 1 must only include letters, numbers",
    ),
    ({"uprn": "12ab"}, "uprn", "UPRN must be a number"),
    ({"preferred_language": "fr"}, "preferred_language", "Select a language"),
    (
        {"preferred_channel": "pigeon"},
        "preferred_channel",
        "Select how they prefer to be contacted",
    ),
    (
        {"accessibility_needs": "x" * 2001},
        "accessibility_needs",
        "Accessibility needs must be 2000 characters or fewer",
    ),
]


@pytest.mark.parametrize(("changes", "field", "message"), INVALID)
def test_each_invalid_field_shows_its_message_and_saves_nothing(adviser, changes, field, message):
    before = counts()
    response = adviser.post(NEW, valid(**changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:500]
    assert counts() == before
    assert "There is a problem" in html
    assert f'href="#{field}"' in html  # the error summary links to the field
    by_field = re.search(rf'id="{field}-error"[^>]*>(.*?)</p>', html, re.S)
    assert by_field, f"no error message by {field}"
    assert message in by_field.group(1)


def test_hostile_text_is_stored_as_text_and_escaped(adviser):
    needs = "<script>alert('x')</script> ' OR 1=1; -- مرحبا 😀"
    response = adviser.post(NEW, valid(accessibility_needs=needs, address_line_2="Flat <b>2</b>"))
    assert response.status_code == 302
    customer = db.session.scalars(select(Customer).where(Customer.family_name == "Lovelace")).one()
    assert customer.accessibility_needs == needs
    html = adviser.get(f"/staff/customers/{customer.id}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "مرحبا 😀" in html


def test_ten_thousand_characters_everywhere_is_refused_cleanly(adviser):
    before = counts()
    long = "a" * 10_000
    data = valid(
        **{
            k: long
            for k in ("title", "given_name", "family_name", "email", "phone", "postcode", "town")
        }
    )
    data["date_of_birth"] = [long, long, long]
    response = adviser.post(NEW, data)
    assert response.status_code == 422
    assert counts() == before


def test_missing_csrf_token_saves_nothing(adviser):
    before = counts()
    response = adviser.client.post(NEW, data=valid())
    assert response.status_code in (400, 422)
    assert counts() == before


def test_possible_duplicate_needs_confirmation(adviser, person):
    existing = person("Ada", "Lovelace", dob=dt.date(1985, 12, 10))
    before = counts()
    response = adviser.post(NEW, valid(given_name="Adah", family_name="Loveless"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This person may already have a record" in html
    assert f'href="/staff/customers/{existing.id}"' in html
    assert "Similar surname and the same date of birth" in html
    assert counts() == before
    # the page carries every answer and the confirmation; posting it creates the record
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))
    assert hidden["confirm_duplicate"] == "yes"
    assert hidden["family_name"] == "Loveless"
    dob = re.findall(r'name="date_of_birth" value="(\d*)"', html)
    assert dob == ["10", "12", "1985"]
    confirmed = valid(given_name="Adah", family_name="Loveless", confirm_duplicate="yes")
    response = adviser.post(NEW, confirmed)
    assert response.status_code == 302
    assert counts()[0] == before[0] + 1
    created = db.session.scalars(select(Customer).where(Customer.family_name == "Loveless")).one()
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.customer_id == created.id, AuditEvent.action == "create"
        )
    ).one()
    assert event.details["created_despite_possible_duplicates"] == [existing.id]


@pytest.mark.parametrize(
    ("existing", "why"),
    [
        ({"phone": "07700 900456", "dob": None}, "Same phone number"),
        ({"email": "ADA@example.org", "dob": None}, "Same email address"),
        (
            {"postcode": "NV1 2AB", "dob": dt.date(1985, 12, 10), "family": "Byron"},
            "Same date of birth and postcode",
        ),
    ],
)
def test_other_kinds_of_duplicate(adviser, person, existing, why):
    family = existing.pop("family", "Other")
    person("Someone", family, **existing)
    html = adviser.post(NEW, valid()).get_data(as_text=True)
    assert "This person may already have a record" in html
    assert why in html


def test_prefilled_from_a_search(adviser):
    html = adviser.get(
        NEW, query_string={"q": "Ada O'Brien 10/12/1985 07700900456 nv12ab"}
    ).get_data(as_text=True)
    assert 'value="Ada"' in html
    assert 'value="O&#39;Brien"' in html
    assert 'value="07700 900456"' in html
    assert 'value="NV1 2AB"' in html
    assert 'value="1985"' in html


def test_partner_user_and_administrator_may_not_create(as_role):
    assert as_role(Role.PARTNER_USER).get(NEW).status_code == 403


def test_administrator_may_not_create(as_role):
    assert as_role(Role.ADMINISTRATOR).get(NEW).status_code == 403


# Edit ---------------------------------------------------------------------------------------


def edit_url(customer):
    return f"/staff/customers/{customer.id}/edit"


def test_edit_form_is_filled_in(adviser, person):
    customer = person(
        "Ada", "Lovelace", phone="07700 900456", email="ada@example.org", postcode="NV1 2AB"
    )
    html = adviser.get(edit_url(customer)).get_data(as_text=True)
    assert 'value="Lovelace"' in html
    assert 'value="07700 900456"' in html
    assert 'value="ada@example.org"' in html
    assert 'value="NV1 2AB"' in html
    assert 'value="1980"' in html


def test_edit_keeps_search_keys_right_and_audits_changed_fields(adviser, person):
    customer = person(
        "Ada", "Lovelace", phone="07700 900456", email="ada@example.org", postcode="NV1 2AB"
    )
    data = valid(
        given_name="Augusta",
        family_name="King",
        date_of_birth=["31", "12", "1980"],
        phone="07700 900456",
        email="ada@example.org",
        address_line_1=customer.current_address.line_1,
        town=customer.current_address.town,
        postcode="NV1 2AB",
        title="",
    )
    response = adviser.post(edit_url(customer), data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(customer)
    assert (customer.given_key, customer.family_key) == ("augusta", "king")
    assert customer.family_soundex == normalise.soundex("King")
    assert customer.family_metaphone == normalise.metaphone("King")
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.customer_id == customer.id, AuditEvent.action == "update"
        )
    ).one()
    assert sorted(event.details["changed"]) == ["family_name", "given_name"]
    found = adviser.get("/staff/customers/", query_string={"q": "augusta king"}).get_data(
        as_text=True
    )
    assert f'data-customer-id="{customer.id}"' in found
    gone = adviser.get("/staff/customers/", query_string={"q": "lovelace"}).get_data(as_text=True)
    assert f'data-customer-id="{customer.id}"' not in gone


def test_edit_changes_phones_email_and_corrects_the_address(adviser, person):
    customer = person(
        "Ada", "Lovelace", phone="07700 900456", email="ada@example.org", postcode="NV1 2AB"
    )
    CustomerPhoneFactory(customer=customer, number="+447700900111")
    CustomerPhoneFactory(customer=customer, number="+447700900222")  # a third, not on the form
    db.session.commit()
    data = valid(
        date_of_birth=["31", "12", "1980"],
        phone="07700 900999",
        phone_2="07700 900111",
        email="",
        preferred_channel="phone",
        address_line_1="12a Analytical Way",
        postcode="NV1 2AB",
        title="",
        given_name="Ada",
        family_name="Lovelace",
    )
    response = adviser.post(edit_url(customer), data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    customer = db.session.get(Customer, customer.id)
    # the two phones on the form are now these; the third, not on the form, is kept
    assert sorted(p.number for p in customer.phones) == [
        "+447700900111",
        "+447700900222",
        "+447700900999",
    ]
    assert customer.emails == []
    assert customer.current_address.line_1 == "12a Analytical Way"
    assert len(customer.addresses) == 1
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.customer_id == customer.id, AuditEvent.action == "update"
        )
    ).one()
    assert sorted(event.details["changed"]) == ["address", "email", "phone"]


def test_edit_cannot_blank_the_current_address(adviser, person):
    customer = person("Ada", "Lovelace", phone="07700 900456", postcode="NV1 2AB")
    data = valid(
        address_line_1="", town="", postcode="", email="", date_of_birth=["31", "12", "1980"]
    )
    response = adviser.post(edit_url(customer), data)
    assert response.status_code == 422
    assert "Enter address line 1" in response.get_data(as_text=True)


def test_edit_with_invalid_input_changes_nothing(adviser, person):
    customer = person("Ada", "Lovelace", phone="07700 900456")
    response = adviser.post(edit_url(customer), valid(family_name="", phone="nope"))
    assert response.status_code == 422
    db.session.refresh(customer)
    assert customer.family_name == "Lovelace"
    assert [p.number for p in customer.phones] == ["+447700900456"]


def test_no_change_writes_no_audit(adviser, person):
    customer = person(
        "Ada", "Lovelace", phone="07700 900456", email="ada@example.org", dob=dt.date(1985, 12, 10)
    )
    data = valid(address_line_1="", town="", postcode="", title="")
    response = adviser.post(edit_url(customer), data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert not db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.customer_id == customer.id, AuditEvent.action == "update"
        )
    ).all()


def test_edit_unknown_customer_is_404(adviser):
    assert adviser.get("/staff/customers/424242/edit").status_code == 404


def test_partner_user_may_not_edit(as_role, person):
    customer = person("Ada", "Lovelace")
    assert as_role(Role.PARTNER_USER).get(edit_url(customer)).status_code == 403
