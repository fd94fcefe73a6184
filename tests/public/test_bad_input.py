"""Hostile and malformed input on every field: a clear message by the field, GOV.UK style,
and nothing made or changed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from frontoffice.cases.models import Case
from frontoffice.customers.models import Customer
from frontoffice.extensions import db
from frontoffice.public.models import Draft
from tests.public.conftest import complete

SCRIPT = "<script>alert('x')</script>"
HTML = '<b onmouseover="alert(1)">bold</b>'
EMOJI = "🗑️🔥"
RTL = "\u202eevil\u202c"
ARABIC = "سلة المهملات"
OVERLONG = "x" * 6000


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _is_error_page(response, *messages):
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[:2000]
    assert "<title>Error:" in html
    assert "govuk-error-summary" in html
    for message in messages:
        assert message in html, html[:5000]
    assert "<script>alert" not in html and "<b onmouseover" not in html
    return html


@pytest.fixture
def started(resident, bins):
    resident.post(f"/request/service/{bins.code}")
    return resident


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Select an answer to ‘Which bin was missed?’"),
        ("purple", "Select one of the answers listed"),
        (SCRIPT, "Select one of the answers listed"),
        (OVERLONG, "Select one of the answers listed"),
    ],
)
def test_choice_question(started, value, message):
    _is_error_page(started.post("/request/question/1", {"q_bin": value}), message)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (OVERLONG, "must be 5,000 characters or fewer"),
        ("bad\x00byte", "must not contain special characters"),
    ],
)
def test_text_question(started, value, message):
    _is_error_page(started.post("/request/question/2", {"q_details": value}), message)


@pytest.mark.parametrize("value", [SCRIPT, HTML, EMOJI, ARABIC, RTL])
def test_text_question_keeps_what_people_type_and_escapes_it(resident, bins, value):
    html, tokens = complete(resident, bins, answers=({"q_bin": "grey"}, {"q_details": value}))
    assert "<script>alert" not in html and "<b onmouseover" not in html
    resident.client.post("/request/check", data=tokens)
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case.answers["details"] == value


@pytest.mark.parametrize("value", [SCRIPT, HTML, EMOJI, RTL, OVERLONG])
def test_the_search_box_finds_nothing_for_hostile_words_and_shows_them_escaped(
    resident, bins, value
):
    page = resident.get("/request/service", query_string={"q": value})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<script>alert" not in html and "<b onmouseover" not in html
    assert "We could not find a service for" in html and "missed bin" not in html


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("", "Enter a postcode"),
        ("NOT A CODE", "Enter a real postcode, like NV1 2AB"),
        (SCRIPT, "Postcode must be 16 characters or fewer"),
        ("<b>NV1</b>", "Enter a real postcode"),
        (EMOJI, "Enter a real postcode"),
        (OVERLONG, "Postcode must be 16 characters or fewer"),
    ],
)
def test_postcode(started, postcode, message):
    _is_error_page(started.post("/request/address", {"postcode": postcode}), message)


def test_an_address_from_another_postcode_is_refused(started):
    started.post("/request/address", {"postcode": "NV1 2AB"})
    _is_error_page(
        started.post("/request/address/choose", {"uprn": "999999999999"}), "Select the address"
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("line_1", "", "Enter address line 1"),
        ("line_1", OVERLONG, "Address line 1 must be 200 characters or fewer"),
        ("line_1", RTL, "Address line 1 must only include letters, numbers"),
        ("postcode", "ABC", "Enter a real postcode"),
    ],
)
def test_manual_address(started, field, value, message):
    data = {"line_1": "1 High Street", "town": "Northvale", "postcode": "NV1 2AB", field: value}
    _is_error_page(started.post("/request/address/manual", data), message)


GOOD_CONTACT = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.org",
    "phone": "07700 900982",
    "reply_by": "email",
    "language": "en",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "", "Enter your first name"),
        ("last_name", SCRIPT, "Last name must only include letters, spaces, hyphens"),
        ("first_name", EMOJI, "First name must only include letters"),
        ("last_name", OVERLONG, "Last name must be 100 characters or fewer"),
        ("email", "not-an-email", "Enter an email address in the correct format"),
        ("email", f"{SCRIPT}@example.org", "Enter an email address in the correct format"),
        ("email", "", "Enter your email address, or choose to hear back by phone"),
        ("phone", "12", "Enter a phone number, like"),
        ("phone", EMOJI, "Enter a phone number, like"),
        ("reply_by", "pigeon", "Select how you would like to hear back from us"),
        ("language", "fr", "Select English or Cymraeg"),
    ],
)
def test_contact(started, field, value, message):
    _is_error_page(started.post("/request/contact", {**GOOD_CONTACT, field: value}), message)


def test_phone_needed_to_hear_back_by_phone(started):
    data = {**GOOD_CONTACT, "reply_by": "phone", "phone": ""}
    _is_error_page(
        started.post("/request/contact", data), "Enter your phone number, or choose to hear back"
    )


def test_right_to_left_names_are_welcome(resident, bins):
    contact = {**GOOD_CONTACT, "first_name": "مريم", "last_name": "العلي"}
    html, tokens = complete(resident, bins, contact=contact)
    assert "مريم" in html
    resident.client.post("/request/check", data=tokens)
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case.customer.family_name == "العلي"


def test_a_ten_megabyte_body_is_refused_and_changes_nothing(resident, bins):
    _, tokens = complete(resident, bins)
    cases = _count(Case)
    response = resident.client.post(
        "/request/check", data={**tokens, "website": "", "padding": "x" * (10 * 1024 * 1024)}
    )
    assert response.status_code == 413
    assert _count(Case) == cases


def test_answers_too_big_for_the_draft_are_refused(started, bins, monkeypatch):
    from frontoffice.public import drafts

    monkeypatch.setattr(drafts, "MAX_BYTES", 200)
    html = _is_error_page(
        started.post("/request/question/2", {"q_details": "y" * 300}),
        "Your answers are too long to keep",
    )
    assert html


def test_posting_without_csrf_is_refused(resident, bins):
    _, tokens = complete(resident, bins)
    cases = _count(Case)
    response = resident.client.post("/request/check", data={"token": tokens["token"]})
    assert response.status_code == 400
    assert _count(Case) == cases


def test_the_honeypot_refuses_bots(resident, bins):
    _, tokens = complete(resident, bins)
    cases, customers = _count(Case), _count(Customer)
    response = resident.client.post("/request/check", data={**tokens, "website": "http://spam"})
    assert response.status_code == 400
    assert (_count(Case), _count(Customer)) == (cases, customers)
    assert db.session.get(Draft, tokens["token"]) is not None


def test_a_token_from_another_draft_is_refused(resident, bins):
    _, tokens = complete(resident, bins)
    cases = _count(Case)
    response = resident.client.post("/request/check", data={**tokens, "token": "guess"})
    assert response.status_code == 302 and "expired=1" in response.headers["Location"]
    assert _count(Case) == cases


def test_unknown_service_and_question(resident, bins):
    assert resident.get("/request/service/no-such-thing").status_code == 404
    resident.post(f"/request/service/{bins.code}")
    assert resident.get("/request/question/3").status_code == 404
    assert resident.get("/request/question/0").status_code == 404


def test_submissions_are_limited_per_address(app, resident, bins):
    app.config["PUBLIC_LIMIT_SUBMIT"] = "1 per minute"
    try:
        _, tokens = complete(resident, bins)
        assert resident.client.post("/request/check", data=tokens).status_code == 302
        cases = _count(Case)
        _, tokens = complete(resident, bins)
        assert resident.client.post("/request/check", data=tokens).status_code == 429
        assert _count(Case) == cases
    finally:
        del app.config["PUBLIC_LIMIT_SUBMIT"]
