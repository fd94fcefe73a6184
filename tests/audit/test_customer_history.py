from datetime import UTC, datetime, timedelta

import time_machine
from bs4 import BeautifulSoup
from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.audit import operations as audit
from frontoffice.audit.models import AuditEvent
from frontoffice.extensions import db
from tests.factories import CustomerFactory, StaffUserFactory

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _rows(response) -> list[list[str]]:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in soup.select("tbody tr")
    ]


def test_history_lists_the_customers_events_newest_first_with_who_and_why(as_role):
    customer = CustomerFactory()
    other = CustomerFactory()
    adviser = StaffUserFactory(name="Ada Adviser", email="ada@example.org")
    actor = Actor(adviser.id, adviser.email, "203.0.113.9")
    # AuditEvent.at is a column default, so it is stamped at flush: flush inside the travel
    with time_machine.travel(START, tick=False):
        audit.record(actor, "view", "customer", customer.id, customer_id=customer.id)
        db.session.flush()
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        audit.record(
            actor, "update", "case", 12, customer_id=customer.id, reason="Customer asked us to"
        )
        audit.record(actor, "view", "customer", other.id, customer_id=other.id)
        db.session.flush()
    supervisor = as_role("supervisor")
    response = supervisor.get(f"/staff/customers/{customer.id}/audit")
    assert response.status_code == 200
    rows = _rows(response)
    assert len(rows) == 2
    assert rows[0] == [
        "2 Mar 2026 10:00",
        "Ada Adviser ada@example.org",
        "Update",
        "Case FO-000012",
        "203.0.113.9",
        "Customer asked us to",
    ]
    assert rows[1][2:4] == ["View", f"Customer {customer.id}"]


def test_viewing_the_history_is_itself_audited(as_role):
    customer = CustomerFactory()
    supervisor = as_role("supervisor")
    first = supervisor.get(f"/staff/customers/{customer.id}/audit")
    assert "Nothing has been recorded" in first.get_data(as_text=True)
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "view_audit_history")
    ).all()
    assert event.actor_id == supervisor.user.id and event.customer_id == customer.id
    assert event.record_type == "customer" and event.record_id == str(customer.id)
    second = supervisor.get(f"/staff/customers/{customer.id}/audit")
    assert _rows(second)[0][2] == "View audit history"


def test_history_is_paged_by_fifty(as_role):
    customer = CustomerFactory()
    actor = Actor.system()
    for n in range(60):
        with time_machine.travel(START + timedelta(minutes=n), tick=False):
            audit.record(actor, f"step_{n}", "customer", customer.id, customer_id=customer.id)
            db.session.flush()
    supervisor = as_role("supervisor")
    first = supervisor.get(f"/staff/customers/{customer.id}/audit")
    rows = _rows(first)
    assert len(rows) == 50 and rows[0][2] == "Step 59"
    assert "Showing 1 to 50 of 60 events" in first.get_data(as_text=True)
    assert f"/staff/customers/{customer.id}/audit?page=2" in first.get_data(as_text=True)
    second = supervisor.get(f"/staff/customers/{customer.id}/audit?page=2")
    rows = _rows(second)
    # page 2 holds the ten oldest, plus the record of viewing page 1 pushed one along
    assert len(rows) == 11 and rows[-1][2] == "Step 0"
    assert supervisor.get(f"/staff/customers/{customer.id}/audit?page=9").status_code == 404
    assert supervisor.get(f"/staff/customers/{customer.id}/audit?page=x").status_code == 200


def test_unknown_customer_is_404_and_not_audited(as_role):
    supervisor = as_role("supervisor")
    assert supervisor.get("/staff/customers/999999/audit").status_code == 404
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "view_audit_history"))
        is None
    )


def test_advisers_may_not_see_the_audit_history(as_role):
    customer = CustomerFactory()
    adviser = as_role("adviser")
    assert adviser.get(f"/staff/customers/{customer.id}/audit").status_code == 403
