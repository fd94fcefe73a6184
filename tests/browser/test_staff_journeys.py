"""Signing in and out, and finding your way round, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from frontoffice.access.policy import GRANTS, Permission
from frontoffice.accounts.models import Role
from frontoffice.staff.views import NAVIGATION
from tests.browser.conftest import PARTNERSHIP_NAME, assert_accessible, screenshot, sign_in

ERROR_HEADINGS = ("Sorry, there is a problem", "Page not found", "You cannot see this page")


def expected_navigation(live_app, role: Role) -> list[str]:
    return [
        item.text
        for item in NAVIGATION
        if item.permission in GRANTS[role] and item.endpoint in live_app.view_functions
    ]


def assert_partnership_branding(page) -> None:
    header = page.locator("header[role=banner]")
    expect(header).to_contain_text(PARTNERSHIP_NAME)
    # A council is not GOV.UK: no crown, no GOV.UK logotype, no GDS Transport.
    assert page.locator(".govuk-header__logotype, .govuk-logo, svg[class*=crown]").count() == 0
    assert "GOV.UK" not in page.locator("body").inner_text()
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "GDS Transport" not in font and "system-ui" in font


def test_wrong_password_then_right_one(page, live_server):
    adviser = live_server.users[Role.ADVISER]
    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Fstaff%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_partnership_branding(page)
    assert_accessible(page)

    page.get_by_label("Email address").fill(adviser.email)
    page.get_by_label("Password", exact=True).fill("not my password at all")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter a correct email address and password")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    assert_accessible(page)

    page.get_by_label("Password", exact=True).fill(live_server.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {adviser.name}")
    assert_partnership_branding(page)
    expect(page.locator("header[role=banner]")).to_contain_text("Adviser")
    assert_accessible(page)
    screenshot(page, "home")


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_navigation_per_role_then_sign_out(page, live_server, role):
    user = live_server.users[role]
    sign_in(page, user)
    if Permission.PARTNER_WORK in GRANTS[role]:  # partner staff start at their partner's queue
        expect(page).to_have_url(f"{live_server.url}/partner/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Your partner’s cases")
    else:
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {user.name}")
    assert_accessible(page)

    menu = page.get_by_role("navigation", name="Staff menu")
    links = menu.get_by_role("link")
    expected = expected_navigation(live_server.app, role)
    expect(links).to_have_text(expected)
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    for text, href in zip(expected, hrefs, strict=True):
        response = page.goto(href)
        assert response is not None and response.status == 200, (text, href)
        heading = page.get_by_role("heading", level=1).first.inner_text()
        assert heading not in ERROR_HEADINGS, (text, href, heading)
        current = menu.locator("[aria-current]")
        expect(current).to_have_text(text)
        assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/sign-in")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    assert_accessible(page)
    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))


def test_signing_in_and_out_works_without_javascript(new_context, live_server):
    page = new_context(java_script_enabled=False).new_page()
    supervisor = live_server.users[Role.SUPERVISOR]
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(supervisor.email)
    page.get_by_label("Password", exact=True).fill("wrong again, and again")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct email address and password"
    )
    page.get_by_label("Password", exact=True).fill(live_server.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {supervisor.name}")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/sign-in")


def test_pages_break_no_content_security_policy_and_raise_no_script_errors(
    new_context, live_server
):
    page = new_context(bypass_csp=False).new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/sign-in")
    sign_in(page, live_server.users[Role.ADMINISTRATOR])
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    page.get_by_role("link", name="Staff users").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff users")
    assert problems == []
