"""An administrator creates a staff user and changes what they may do."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from frontoffice.accounts.models import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in


def test_create_then_edit_a_staff_user(page, live_server):
    sign_in(page, live_server.users[Role.ADMINISTRATOR])
    page.get_by_role("navigation", name="Staff menu").get_by_role(
        "link", name="Staff users"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff users")
    assert_accessible(page)
    screenshot(page, "admin-users")

    page.get_by_role("button", name="Create a staff user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a staff user")
    assert_accessible(page)
    page.get_by_role("button", name="Create staff user").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Enter an email address",
            "Enter a name",
            "Select a partner",
            "Select a role",
            "Enter an initial password",
        ]
    )
    assert_accessible(page)
    screenshot(page, "admin-new-user-errors")

    email = f"new-{uuid.uuid4().hex[:8]}@example.org"
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Full name").fill("Nia New")
    page.get_by_label("Partner", exact=True).select_option(label="Northvale District Council")
    page.get_by_role("radio", name="Partner user").check()
    page.get_by_label("Initial password").fill("a good long first password")
    page.get_by_role("button", name="Create staff user").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Staff user {email}")
    row = page.get_by_role("row").filter(has_text="Nia New")
    expect(row).to_contain_text("Partner user")
    expect(row).to_contain_text("Northvale District Council")
    expect(row).to_contain_text("Never")

    row.get_by_role("link", name="Nia New").click()
    expect(page).to_have_url(re.compile(r"/staff/admin/users/\d+$"))
    assert_accessible(page)
    page.get_by_role("radio", name="Adviser").check()
    page.get_by_label("Deactivated: cannot sign in").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Changes to {email}")
    row = page.get_by_role("row").filter(has_text="Nia New")
    expect(row).to_contain_text("Adviser")
    expect(row).to_contain_text("Deactivated")

    page.get_by_role("link", name="Partners", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partners")
    assert_accessible(page)


def test_make_copy_and_revoke_a_partner_api_key(page, live_server):
    sign_in(page, live_server.users[Role.ADMINISTRATOR])
    page.goto("/staff/admin/partners")
    page.get_by_role("link", name="API keys of Northvale District Council").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partner API keys")
    assert_accessible(page)

    name = f"CRM {uuid.uuid4().hex[:6]}"
    page.get_by_label("Name of the new key").fill(name)
    page.get_by_role("button", name="Make key").click()
    panel = page.locator("#new-key")
    expect(panel).to_contain_text("It will not be shown again")
    key = panel.locator("[data-key]").inner_text()
    assert re.fullmatch(r"fo_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", key)
    assert_accessible(page)
    screenshot(page, "admin-api-key-made")

    page.goto(page.url)  # the same page by GET: the key is gone for good
    expect(page.locator("#new-key")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(key)
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("Never")
    row.get_by_role("button", name=f"Revoke {name}").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is revoked")
    expect(page.get_by_role("row").filter(has_text=name)).to_contain_text("Revoked")


def test_offer_a_service_to_be_told_of_births_in_one_district_then_switch_it_off(page, live_server):
    from frontoffice.catalogue.models import Service
    from frontoffice.extensions import db
    from frontoffice.partners.models import Partner

    with live_server.app.app_context():
        partner = db.session.query(Partner).filter_by(code="NVD").one()
        db.session.add(
            Service(code="browser-tuo-births", name="Registrars (browser)", owning_partner=partner)
        )
        db.session.commit()
    sign_in(page, live_server.users[Role.ADMINISTRATOR])
    page.get_by_role("navigation", name="Staff menu").get_by_role(
        "link", name="Tell us once rules"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us once rules")
    assert_accessible(page)

    page.get_by_label("One district").check()
    page.get_by_role("button", name="Add rule").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        ["Select the life event", "Select a service", "Enter the district code, like E07000001"]
    )
    assert_accessible(page)

    page.get_by_label("A birth").check()
    page.get_by_label("Service to tell").select_option(label="Registrars (browser)")
    page.get_by_label("District or ward code").fill("E07000001")
    page.get_by_label("What the service does with the news (optional)").fill("To welcome them")
    page.get_by_role("button", name="Add rule").click()
    row = page.locator("tr", has_text="Registrars (browser)")
    expect(row).to_contain_text("District E07000001")
    expect(row).to_contain_text("In use")
    assert_accessible(page)
    row.get_by_role("button", name=re.compile("^Switch off")).click()
    expect(page.locator("tr", has_text="Registrars (browser)")).to_contain_text("Switched off")
    assert_accessible(page)
