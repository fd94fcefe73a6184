"""Bad input on every page of the life-event journey: a clear message by the field, GOV.UK
style, nothing kept or reported; CSRF, the honeypot, size and rate limits."""

from __future__ import annotations

import html as htmllib

import pytest
from sqlalchemy import func, select

from frontoffice.customers.models import Customer
from frontoffice.extensions import db
from frontoffice.life_events.models import LifeEvent, PersonRole
from frontoffice.public.models import Draft
from tests.life_events import partnership
from tests.public.life_events import DEATH, MOVE, expect_redirect, report

SCRIPT = "<script>alert('x')</script>"
OVERLONG = "x" * 6000

pytestmark = pytest.mark.usefixtures("frozen")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def error_page(response, *messages) -> str:
    raw = response.get_data(as_text=True)
    assert "<script>alert" not in raw and "<b onmouseover" not in raw
    html = htmllib.unescape(raw)
    assert response.status_code == 400, html[:3000]
    assert "<title>Error:" in html and "govuk-error-summary" in html
    for message in messages:
        assert message in html, html[:6000]
    return html


@pytest.fixture
def death(resident, p):
    """A resident part way through telling us of a death."""
    expect_redirect(resident.post("/life-event/what", {"kind": "death"}))
    expect_redirect(resident.post("/life-event/you", DEATH["informant"]))
    expect_redirect(resident.post("/life-event/authority", DEATH["authority"]))
    return resident


def test_pages_need_a_started_report(resident, p):
    for url in ("/life-event/you", "/life-event/details", "/life-event/services/1"):
        response = resident.get(url)
        assert "/life-event?expired=1" in response.headers["Location"]
    assert "did not keep your answers" in resident.get("/life-event?expired=1").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("kind", "message"),
    [("", "Select what you want to tell us about"), ("marriage", "Select what"), (SCRIPT, "")],
)
def test_which_event(resident, p, kind, message):
    error_page(resident.post("/life-event/what", {"kind": kind}), message)
    assert count(Draft) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "", "Enter your first name"),
        ("last_name", OVERLONG, "Last name must be 100 characters or fewer"),
        ("relationship", "", "Enter your relationship to the person"),
        ("email", "", "Enter your email address"),
        ("email", "not-an-email", "Enter an email address in the correct format"),
        ("email", SCRIPT, "Enter an email address in the correct format"),
        ("phone", "12", "Enter a phone number"),
        ("language", "fr", "Select English or Cymraeg"),
    ],
)
def test_about_you(resident, p, field, value, message):
    resident.post("/life-event/what", {"kind": "death"})
    error_page(resident.post("/life-event/you", {**DEATH["informant"], field: value}), message)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "", "Enter their first name"),
        ("last_name", OVERLONG, "must be 100 characters or fewer"),
        ("date_of_birth", ["", "", ""], "Enter their date of birth"),
        ("date_of_birth", ["31", "2", "1950"], "Date of birth must be a real date"),
        ("date_of_birth", ["1", "1", "50"], "Year must include 4 numbers"),
        ("date_of_birth", ["1", "", "1950"], "Date of birth must include a month"),
        ("date_of_birth", ["1", "1", "2090"], "Date of birth must be today or in the past"),
        ("date_of_birth", [SCRIPT, "1", "1950"], "Date of birth must be a real date"),
    ],
)
def test_the_person_who_died(death, field, value, message):
    error_page(death.post("/life-event/person", {**DEATH["person"], field: value}), message)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("event_date", ["", "", ""], "Enter the date of death"),
        ("event_date", ["21", "11", "2026"], "Date of death must be today or in the past"),
        ("event_date", ["30", "13", "2026"], "Date of death must be a real date"),
        ("inquest", "", "Select whether there is an inquest"),
        ("inquest", "maybe", "Select whether there is an inquest"),
        ("place", OVERLONG, "Place of death must be 200 characters or fewer"),
    ],
)
def test_the_death(death, field, value, message):
    error_page(death.post("/life-event/details", {**DEATH["details"], field: value}), message)


def test_a_death_before_the_birth_is_refused_at_sending(death):
    _, tokens = report(
        death,
        "death",
        {
            **DEATH,
            "person": {**DEATH["person"], "date_of_birth": ["1", "1", "2000"]},
            "details": {**DEATH["details"], "event_date": ["1", "1", "1999"]},
        },
    )
    response = death.client.post("/life-event/check", data={**tokens, "website": ""})
    expect_redirect(response, "/life-event/details")
    assert count(LifeEvent) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "nope", "Enter an email address in the correct format"),
        ("phone", "abc", "Enter a phone number"),
        ("name", "", "Enter their name, or leave every box empty"),
        ("address", OVERLONG, "Address must be 400 characters or fewer"),
        ("name", "Mary \u202eSomerville", "Name must only include letters"),
        ("address", "1 Mill\x00 Lane", "Address must only include letters"),
    ],
)
def test_next_of_kin(death, field, value, message):
    data = {**DEATH["next-of-kin"], field: value}
    if field == "name" and not value:
        data["phone"] = "07700 900123"
    error_page(death.post("/life-event/contacts/next-of-kin", data), message)


def test_contacts_are_only_asked_for_a_death_and_by_known_names(resident, p):
    resident.post("/life-event/what", {"kind": "move"})
    assert resident.get("/life-event/contacts/next-of-kin").status_code == 404
    assert resident.get("/life-event/contacts/solicitor").status_code == 404
    assert resident.get("/life-event/address/new").status_code == 200
    assert resident.get("/life-event/address/elsewhere").status_code == 404


@pytest.mark.parametrize(
    ("postcode", "message"),
    [("", "Enter a postcode"), ("NOT A CODE", "Enter a real postcode"), (SCRIPT, "16 characters")],
)
def test_postcode(death, postcode, message):
    error_page(death.post("/life-event/address/home", {"postcode": postcode}), message)


def test_an_address_not_at_the_postcode_is_refused(death):
    death.post("/life-event/address/home", {"postcode": "NV1 2AB"})
    response = death.post("/life-event/address/home/choose", {"uprn": partnership.SOUTH_UPRN})
    error_page(response, "Select the address")


def test_a_postcode_with_no_addresses_offers_to_type_it(death):
    death.post("/life-event/address/home", {"postcode": "NV9 9ZZ"})
    html = death.get("/life-event/address/home/choose").get_data(as_text=True)
    assert "We could not find an address for NV9 9ZZ" in html
    assert 'href="/life-event/address/home/manual"' in html


def test_the_move(resident, p):
    resident.post("/life-event/what", {"kind": "move"})
    response = resident.post(
        "/life-event/details", {"event_date": ["1", "1", "2027"], "move_scope": "sideways"}
    )
    error_page(response, "Date they moved must be today or in the past", "Select where they moved")


@pytest.mark.parametrize(("value", "message"), [("", "Select whether to tell"), ("maybe", "")])
def test_each_service_needs_a_yes_or_no(death, value, message):
    error_page(death.post("/life-event/services/1", {"tell": value}), message)
    assert death.get("/life-event/services/99").status_code == 404
    assert death.get("/life-event/services/0").status_code == 404


def test_hostile_text_is_kept_as_typed_and_shown_escaped(resident, p):
    hostile = {
        **DEATH,
        "details": {**DEATH["details"], "place": SCRIPT},
        "executor": {"name": "مريم العلي", "address": '<b onmouseover="x">🏠'},
    }
    html, tokens = report(resident, "death", hostile)
    assert "<script>alert" not in html and "<b onmouseover" not in html
    expect_redirect(
        resident.client.post("/life-event/check", data={**tokens, "website": ""}),
        "/life-event/done",
    )
    event = db.session.scalars(select(LifeEvent)).one()
    assert event.details["place"] == SCRIPT
    assert event.person(PersonRole.EXECUTOR).name == "مريم العلي"
    assert event.person(PersonRole.EXECUTOR).address == '<b onmouseover="x">🏠'


def test_a_ten_megabyte_body_is_refused_and_changes_nothing(resident, p):
    _, tokens = report(resident, "move", MOVE)
    response = resident.client.post(
        "/life-event/check", data={**tokens, "website": "", "padding": "x" * (10 * 1024 * 1024)}
    )
    assert response.status_code == 413
    assert count(LifeEvent) == 0


def test_posting_without_csrf_is_refused(resident, p):
    _, tokens = report(resident, "move", MOVE)
    response = resident.client.post("/life-event/check", data={"token": tokens["token"]})
    assert response.status_code == 400
    assert count(LifeEvent) == 0
    assert resident.client.post("/life-event/what", data={"kind": "death"}).status_code == 400


def test_the_honeypot_refuses_bots(resident, p):
    _, tokens = report(resident, "move", MOVE)
    customers = count(Customer)
    response = resident.client.post("/life-event/check", data={**tokens, "website": "http://spam"})
    assert response.status_code == 400
    assert (count(LifeEvent), count(Customer)) == (0, customers)
    assert db.session.get(Draft, tokens["token"]) is not None


def test_a_token_from_another_draft_is_refused(resident, p):
    _, tokens = report(resident, "move", MOVE)
    response = resident.client.post(
        "/life-event/check", data={**tokens, "token": "guess", "website": ""}
    )
    assert "expired=1" in response.headers["Location"]
    assert count(LifeEvent) == 0


def test_reports_are_limited_per_address(app, resident, p):
    app.config["PUBLIC_LIMIT_SUBMIT"] = "1 per minute"
    try:
        _, tokens = report(resident, "move", MOVE)
        expect_redirect(resident.client.post("/life-event/check", data=tokens))
        _, tokens = report(resident, "death", DEATH)
        assert resident.client.post("/life-event/check", data=tokens).status_code == 429
        assert count(LifeEvent) == 1
    finally:
        del app.config["PUBLIC_LIMIT_SUBMIT"]


def test_tracking_a_life_event_is_slowed_after_wrong_guesses(resident, p):
    _, tokens = report(resident, "move", MOVE)
    expect_redirect(resident.client.post("/life-event/check", data=tokens))
    reference = db.session.scalars(select(LifeEvent)).one().reference
    for _ in range(3):
        assert (
            resident.post("/track", {"reference": reference, "secret": "NV9 9ZZ"}).status_code
            == 404
        )
    slowed = resident.post("/track", {"reference": reference, "secret": "grace@example.org"})
    assert slowed.status_code == 429
