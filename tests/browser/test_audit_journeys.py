"""A supervisor reads a customer's audit history."""

from __future__ import annotations

from playwright.sync_api import expect

from frontoffice.access.actor import Actor
from frontoffice.accounts.models import Role
from frontoffice.audit import operations as audit
from frontoffice.extensions import db
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import CustomerFactory


def test_supervisor_reads_a_customers_audit_history(page, live_server):
    adviser = live_server.users[Role.ADVISER]
    with live_server.app.app_context():
        customer = CustomerFactory(given_name="Audrey", family_name="Trail")
        actor = Actor(adviser.id, adviser.email, "198.51.100.7")
        audit.record(actor, "view", "customer", customer.id, customer_id=customer.id)
        audit.record(
            actor, "update", "customer", customer.id, customer_id=customer.id, reason="New phone"
        )
        db.session.commit()
        customer_id = customer.id

    sign_in(page, live_server.users[Role.SUPERVISOR])
    page.goto(f"/staff/customers/{customer_id}/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit history")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Update")
    expect(rows.first).to_contain_text("New phone")
    expect(rows.first).to_contain_text("198.51.100.7")
    assert_accessible(page)
    screenshot(page, "audit-history")
    page.reload()
    expect(rows.first).to_contain_text("View audit history")
