"""A supervisor closes a web request whose service was withdrawn, in a real browser: from
triage to the request's page and back, the reason's character count, the error summary, and
axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from frontoffice.accounts.models import Role
from tests.browser.conftest import assert_accessible, screenshot, sign_in


@pytest.fixture(scope="module")
def withdrawn(live_server) -> str:
    """A request accepted on the web for a service withdrawn before the worker raised it."""
    from frontoffice.cases.ids import reserve_case_id
    from frontoffice.extensions import db
    from frontoffice.partners.models import Partner
    from frontoffice.public.models import AcceptedRequest
    from tests.service_builder import missed_bin

    with live_server.app.app_context():
        partner = db.session.query(Partner).filter_by(code="NVD").one()
        service = missed_bin(
            partner, code="withdrawn-bin", name="Withdrawn bin service", routed=False, addresses=()
        )
        service.active = False
        accepted = AcceptedRequest(
            token="browser-withdrawn",
            case_id=reserve_case_id(),
            service=service,
            data={
                "answers": {"bin": "grey"},
                "place": {"text": "1 Browser Road, Northvale, NV3 4DF"},
                "contact": {
                    "first_name": "Grace",
                    "last_name": "Hopper",
                    "email": "grace@example.org",
                    "phone": "",
                    "reply_by": "email",
                    "language": "en",
                },
            },
            attempts=1,
            failure="Withdrawn bin service was withdrawn before the request could be raised",
        )
        db.session.add(accepted)
        db.session.commit()
        reference = accepted.reference
        db.session.remove()
    return reference


def test_a_supervisor_closes_a_withdrawn_request_and_the_resident_is_told(
    page, live_server, withdrawn
):
    sign_in(page, live_server.users[Role.SUPERVISOR])
    page.goto("/staff/deliveries/triage")
    assert_accessible(page)
    page.get_by_role("link", name=f"Try again or close {withdrawn}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "A request from the web not yet raised"
    )
    expect(page.locator("#why")).to_contain_text("was withdrawn")
    assert_accessible(page)
    screenshot(page, "web-request")

    page.get_by_role("button", name="Close and tell the resident").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter why the request cannot be taken forward")
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)

    reason = page.get_by_label("Why can it not be taken forward?")
    reason.fill("We no longer collect this bin. Please use the tip.")
    # GOV.UK's character count says what is left as the supervisor types.
    expect(page.locator(".govuk-character-count__status")).to_contain_text("characters remaining")
    page.get_by_role("button", name="Close and tell the resident").click()
    expect(page).to_have_url(f"{live_server.url}/staff/deliveries/triage")
    expect(page.locator("body")).to_contain_text(f"{withdrawn} has been closed")
    expect(page.get_by_role("link", name=f"Try again or close {withdrawn}")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "web-request-closed")
