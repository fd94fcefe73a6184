"""An adviser about to create a record for someone who already has one: the candidates with
how each detail counted, open the existing record or create anyway; without JavaScript too."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from frontoffice.accounts.models import Role
from frontoffice.extensions import db
from frontoffice.identity.models import MatchReview
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import CustomerAddressFactory, CustomerFactory, CustomerPhoneFactory


def _existing(live_server, given: str, family: str) -> int:
    with live_server.app.app_context():
        customer = CustomerFactory(
            given_name=given, family_name=family, date_of_birth=dt.date(1979, 6, 21)
        )
        CustomerAddressFactory(customer=customer, line_1="3 Quill Lane", postcode="NV1 2AB")
        CustomerPhoneFactory(customer=customer, number="+447700900321")
        db.session.commit()
        return customer.id


def _fill_new_customer(page, given: str, family: str) -> None:
    page.goto("/staff/customers/new")
    page.fill("input[name=given_name]", given)
    page.fill("input[name=family_name]", family)
    page.fill("input[name=date_of_birth]", "21")
    page.locator("input[name=date_of_birth]").nth(1).fill("6")
    page.locator("input[name=date_of_birth]").nth(2).fill("1979")
    page.fill("input[name=phone]", "07700 900321")
    page.fill("input[name=address_line_1]", "3 Quill Lane")
    page.fill("input[name=postcode]", "NV1 2AB")
    page.locator("form button[type=submit]").last.click()


def test_the_candidate_page_explains_and_the_adviser_opens_the_record(page, live_server):
    existing = _existing(live_server, "Perpetua", "Quillfeather")
    sign_in(page, live_server.users[Role.ADVISER])
    _fill_new_customer(page, "Perpetua", "Quillfeather")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This person may already have a record"
    )
    card = page.locator(f'[data-customer-id="{existing}"]')
    expect(card).to_contain_text("Very likely the same person")
    card.get_by_text("How each detail counted").click()
    table = card.locator("table.explanation")
    expect(table).to_be_visible()
    expect(table.locator("tr", has_text="Date of birth")).to_contain_text("agrees: exact")
    assert_accessible(page)
    screenshot(page, "possible-matches")
    card.get_by_role("link", name="Open the record of Perpetua Quillfeather").click()
    expect(page).to_have_url(re.compile(rf"/staff/customers/{existing}$"))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_creating_anyway_queues_the_possible_match(new_context, live_server, javascript):
    family = "Inkwell" if javascript else "Parchment"
    existing = _existing(live_server, "Octavia", family)
    page = new_context(java_script_enabled=javascript).new_page()
    sign_in(page, live_server.users[Role.ADVISER])
    _fill_new_customer(page, "Octavia", family)
    expect(page.locator(f'[data-customer-id="{existing}"]')).to_be_visible()
    page.get_by_role("button", name="Create a new record anyway").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Record created")
    created = int(page.url.rsplit("/", 1)[1])
    assert created != existing
    with live_server.app.app_context():
        review = db.session.scalars(
            select(MatchReview).where(
                MatchReview.other_customer_id == created, MatchReview.customer_id == existing
            )
        ).one()
        assert review.source == "adviser"
