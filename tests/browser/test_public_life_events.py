"""A resident tells us once of a death (with JavaScript) and of a move (without), in a real
browser, then sees each service's status; axe-core checks every page, errors included."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.test_public_journeys import assert_accessible, without_javascript
from tests.browser.test_staff_journeys import assert_partnership_branding

DEATH_SERVICES = ("Council Tax (browser)", "Libraries (browser)")
MOVE_SERVICES = ("Council Tax (browser)", "Electoral register (browser)")


@pytest.fixture(scope="module")
def tell_rules(live_server):
    """Three services told of deaths or moves, and two homes in the gazetteer."""
    from frontoffice.catalogue.models import Service
    from frontoffice.extensions import db
    from frontoffice.gazetteer.models import GazetteerAddress
    from frontoffice.life_events.models import EventKind, TellRule
    from frontoffice.partners.models import Partner

    with live_server.app.app_context():
        partner = db.session.query(Partner).filter_by(code="NVD").one()
        for code, name in (
            ("browser-tuo-tax", DEATH_SERVICES[0]),
            ("browser-tuo-libraries", DEATH_SERVICES[1]),
            ("browser-tuo-electoral", MOVE_SERVICES[1]),
        ):
            service = Service(code=code, name=name, owning_partner_id=partner.id)
            db.session.add(service)
            db.session.flush()
            kinds = [EventKind.DEATH] if name in DEATH_SERVICES else []
            kinds += [EventKind.MOVE] if name in MOVE_SERVICES else []
            for kind in kinds:
                db.session.add(
                    TellRule(event_kind=kind, service_id=service.id, purpose=f"So {name} knows.")
                )
        for number in (1, 2):
            db.session.add(
                GazetteerAddress(
                    uprn=f"30000000000{number}",
                    line_1=f"{number} Lantern Row",
                    town="Northvale",
                    postcode="NV5 6GH",
                    postcode_key="NV56GH",
                    district_code="E07000001",
                )
            )
        db.session.commit()


def _continue(page, name="Continue"):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def _heading(page, text: str):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)
    assert_accessible(page)


def _error(page, message: str):
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(message)
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)


def _date(page, legend: str, day: date | tuple[str, str, str]):
    parts = (str(day.day), str(day.month), str(day.year)) if isinstance(day, date) else day
    group = page.get_by_role("group", name=legend)
    for label, value in zip(("Day", "Month", "Year"), parts, strict=True):
        group.get_by_label(label).fill(value)


def _start(page, kind_label: str):
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Tell us once").click()
    _heading(page, "Tell us once about a death, a birth or a move")
    assert_partnership_branding(page)
    page.get_by_role("button", name="Start now").click()
    _heading(page, "What do you want to tell us about?")
    _continue(page)
    _error(page, "Select what you want to tell us about")
    page.get_by_label(kind_label).check()
    _continue(page)


def _about_you(page, first: str, relationship: str, email: str):
    _heading(page, "About you")
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill("Browser")
    page.get_by_label("Your relationship to the person").fill(relationship)
    page.get_by_label("Email address").fill("not an email")
    _continue(page)
    _error(page, "Enter an email address in the correct format")
    page.get_by_label("Email address").fill(email)
    _continue(page)


def _services(page, answers: dict[str, bool]) -> None:
    for _ in answers:
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_contain_text("Do you want us to tell")
        assert_accessible(page)
        name = next(n for n in answers if n in heading.inner_text())
        expect(page.locator(".govuk-inset-text")).to_contain_text("I agree that the partnership")
        choice = f"Yes, tell {name}" if answers[name] else f"No, do not tell {name}"
        page.get_by_label(choice).check()
        _continue(page)


def _send(page) -> str:
    _heading(page, "Check your answers before telling us")
    _continue(page, "Send")
    panel = page.locator(".govuk-panel")
    expect(panel).to_contain_text("Thank you for telling us")
    expect(panel.locator("strong")).to_have_text(re.compile(r"^LE-\d{6}$"))
    assert_accessible(page)
    return re.search(r"LE-\d+", panel.inner_text()).group(0)


def _track(page, reference: str, secret: str, told: tuple[str, ...]) -> None:
    page.goto("/track")
    assert_accessible(page)
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Email address or postcode").fill("NV9 9ZZ")
    _continue(page, "Track request")
    _error(page, "We could not find a request with that reference")
    page.get_by_label("Email address or postcode").fill(secret)
    _continue(page, "Track request")
    _heading(page, "A death" if "Libraries (browser)" in told else "A move")
    table = page.locator(".govuk-table")
    for name in told:
        expect(table).to_contain_text(name)
    expect(table.locator(".govuk-tag").first).to_have_text(re.compile("Being told|Told"))


def test_a_death_told_once_with_javascript(page, tell_rules):
    _start(page, "Someone has died")
    _about_you(page, "Jess", "Daughter", "jess.tuo@example.org")

    _heading(page, "Who are you?")
    page.get_by_label("None of these").check()
    _continue(page)
    _heading(page, "You cannot tell us using this service")
    page.get_by_role("link", name="go back and change it").click()
    page.get_by_label("I am their next of kin").check()
    _continue(page)

    _heading(page, "About the person who died")
    page.get_by_label("First name").fill("Edith")
    page.get_by_label("Last name").fill("Browser")
    _continue(page)
    _error(page, "Enter their date of birth")
    _date(page, "Date of birth", date(1938, 4, 2))
    _continue(page)

    _heading(page, "What was the postcode of their home?")
    page.get_by_label("What was the postcode of their home?").fill("nv5 6gh")
    _continue(page, "Find address")
    _heading(page, "Select the address")
    page.get_by_label("1 Lantern Row, Northvale, NV5 6GH").check()
    _continue(page)

    _heading(page, "About the death")
    _date(page, "Date of death", ("1", "1", "2099"))
    page.get_by_label("No", exact=True).check()
    _continue(page)
    _error(page, "Date of death must be today or in the past")
    _date(page, "Date of death", date(2026, 11, 1))
    _continue(page)

    _heading(page, "Their next of kin")
    page.get_by_label("Full name (optional)").fill("Jess Browser")
    page.get_by_label("Phone number (optional)").fill("07700 900321")
    _continue(page)
    _heading(page, "The executor of their estate")
    _continue(page)

    _services(page, {name: True for name in DEATH_SERVICES})
    summary = page.locator(".govuk-summary-list")
    expect(summary).to_contain_text("Edith Browser")
    expect(summary).to_contain_text("1 November 2026")
    page.get_by_role("link", name="Change date of death").click()
    _heading(page, "About the death")
    _date(page, "Date of death", date(2026, 11, 2))
    _continue(page)
    expect(page).to_have_url(re.compile(r"/life-event/check$"))
    expect(summary).to_contain_text("2 November 2026")
    reference = _send(page)
    for name in DEATH_SERVICES:
        expect(page.locator("main")).to_contain_text(name)

    _track(page, reference, "jess.tuo@example.org", DEATH_SERVICES)


def test_a_move_told_once_without_javascript(new_context, tell_rules):
    page = without_javascript(new_context)
    _start(page, "Someone has moved home")
    _about_you(page, "Nojs", "Myself", "nojs.tuo@example.org")

    _heading(page, "Who are you?")
    page.get_by_label("I am the person it is about").check()
    _continue(page)

    _heading(page, "About the person who moved")
    expect(page.get_by_label("First name")).to_have_value("Nojs")
    _continue(page)

    _heading(page, "What was the postcode of the home they moved from?")
    page.get_by_label("What was the postcode of the home they moved from?").fill("NV5 6GH")
    _continue(page, "Find address")
    page.get_by_label("2 Lantern Row, Northvale, NV5 6GH").check()
    _continue(page)

    _heading(page, "About the move")
    _date(page, "Date they moved", date(2026, 10, 31))
    _continue(page)
    _error(page, "Select where they moved")
    page.get_by_label("Within the area").check()
    _continue(page)

    _heading(page, "What is the postcode of their new home?")
    page.get_by_role("link", name="Enter the address yourself").click()
    _heading(page, "What is the address?")
    page.get_by_label("Address line 1").fill("Flat 3, Mill House")
    page.get_by_label("Postcode").fill("NV9 8AB")
    _continue(page)

    _services(page, {MOVE_SERVICES[0]: True, MOVE_SERVICES[1]: False})
    expect(page.locator(".govuk-summary-list")).to_contain_text("Flat 3, Mill House")
    reference = _send(page)
    expect(page.locator("main")).to_contain_text(MOVE_SERVICES[0])
    expect(page.locator("main")).not_to_contain_text(MOVE_SERVICES[1])

    _track(page, reference, "NV9 8AB", MOVE_SERVICES[:1])


@pytest.fixture(scope="module")
def birth_rule(live_server, tell_rules):
    """Libraries are told of births too."""
    from frontoffice.catalogue.models import Service
    from frontoffice.extensions import db
    from frontoffice.life_events.models import EventKind, TellRule

    with live_server.app.app_context():
        libraries = db.session.query(Service).filter_by(code="browser-tuo-libraries").one()
        db.session.add(TellRule(event_kind=EventKind.BIRTH, service_id=libraries.id))
        db.session.commit()


def test_a_birth_told_once_with_javascript(page, birth_rule):
    _start(page, "A baby has been born")
    _about_you(page, "Mina", "Mother", "mina.tuo@example.org")

    _heading(page, "Who are you?")
    page.get_by_label("I am the person it is about, or the child’s parent").check()
    _continue(page)

    _heading(page, "About the child’s parent")
    expect(page.get_by_label("First name")).to_have_value("Mina")
    _continue(page)

    _heading(page, "What is the postcode of the family’s home?")
    page.get_by_label("What is the postcode of the family’s home?").fill("NV5 6GH")
    _continue(page, "Find address")
    _heading(page, "Select the address")
    page.get_by_label("1 Lantern Row, Northvale, NV5 6GH").check()
    _continue(page)

    _heading(page, "About the child")
    page.get_by_label("Child’s full name").fill("<b>Baby</b>")
    _date(page, "Child’s date of birth", date(2026, 11, 3))
    _continue(page)
    _error(page, "Child’s name must only include letters")
    page.get_by_label("Child’s full name").fill("Noor Browser")
    page.get_by_label("Other parent’s full name (optional)").fill("Sami Browser")
    _continue(page)

    _services(page, {DEATH_SERVICES[1]: True})
    summary = page.locator(".govuk-summary-list")
    expect(summary).to_contain_text("Noor Browser")
    expect(summary).to_contain_text("3 November 2026")
    reference = _send(page)
    expect(page.locator("main")).to_contain_text(DEATH_SERVICES[1])

    page.goto("/track")
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Email address or postcode").fill("mina.tuo@example.org")
    _continue(page, "Track request")
    _heading(page, "A birth")
    expect(page.locator(".govuk-table")).to_contain_text(DEATH_SERVICES[1])
