"""A partner's member of staff works a case routed to their partner, in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from frontoffice.accounts.models import Role
from frontoffice.extensions import db
from frontoffice.messages.models import ResidentMessage
from frontoffice.partners.models import Partner
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.dispatch.test_outbox import routed_case
from tests.factories import CustomerEmailFactory


def test_partner_acknowledges_updates_with_a_public_note_and_closes(page, live_server):
    partner_user = live_server.users[Role.PARTNER_USER]
    with live_server.app.app_context():
        district = db.session.get(Partner, partner_user.partner_id)
        case, _ = routed_case(district)
        case.summary = "Missed green bin on Mill Lane"
        CustomerEmailFactory(customer=case.customer, address="resident@browser.test")
        db.session.commit()
        reference, case_id = case.reference, case.id

    sign_in(page, partner_user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your partner’s cases")
    row = page.locator(f'tr[data-case="{reference}"]')
    expect(row).to_contain_text("Not yet acknowledged")
    assert_accessible(page)
    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {reference}")
    expect(page.locator("#customer")).to_contain_text("resident@browser.test")
    assert_accessible(page)
    screenshot(page, "partner-case")

    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Case acknowledged")
    your_status = page.locator("#case-summary .govuk-summary-list__row", has_text="Your status")
    expect(your_status).to_contain_text("Acknowledged")

    page.get_by_role("button", name="Send update").click()  # no status chosen
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select a status")
    expect(summary).to_be_focused()
    assert_accessible(page)

    page.get_by_label("In progress").check()
    page.get_by_label("Note for the resident (optional)").fill("A crew will come on Tuesday")
    page.get_by_label("Your reference (optional)").fill("NV-2026-77")
    page.get_by_role("button", name="Send update").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Update sent")
    timeline = page.locator("#timeline + ol")
    expect(timeline).to_contain_text("A crew will come on Tuesday")
    expect(page.locator("#case-summary")).to_contain_text("NV-2026-77")
    expect(your_status).to_contain_text("In progress")

    page.get_by_label("What was done").fill("The bin was emptied on Tuesday")
    page.get_by_role("button", name="Close case").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Case closed")
    expect(page.locator("#no-actions")).to_contain_text("resolved")
    expect(timeline).to_contain_text("The bin was emptied on Tuesday")
    assert_accessible(page)
    screenshot(page, "partner-case-closed")

    with live_server.app.app_context():
        bodies = db.session.scalars(
            select(ResidentMessage.body).where(ResidentMessage.case_id == case_id)
        ).all()
    assert len(bodies) == 2
    assert "A crew will come on Tuesday" in bodies[0]
    assert "The bin was emptied on Tuesday" in bodies[1]
