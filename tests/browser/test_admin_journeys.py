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
