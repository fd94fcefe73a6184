"""Supervisors' chasing pages: the overdue queue, a case's chases, chase now and stop, with
bad input; and the chases on the case timeline, the life event's page and its queue."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from frontoffice import clock
from frontoffice.audit.models import AuditEvent
from frontoffice.chasing import operations
from frontoffice.chasing.models import Chase, ChaseEnd
from frontoffice.chasing.policy import ChasePolicy
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.extensions import db
from frontoffice.life_events import operations as life_events
from frontoffice.life_events.models import Notification
from tests.chasing.world import ACTOR, delivered_case, partner_with
from tests.conftest import sign_in
from tests.factories import StaffUserFactory
from tests.life_events import partnership

POLICY = ChasePolicy()


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def late(app):
    """A case delivered to a portal partner, its acknowledgement three days late."""
    partner, service = partner_with(None, app.config["SECRET_KEY"], name="Northvale Council")
    case = delivered_case(service, when=clock.now() - timedelta(days=10))
    case.ack_due_date = clock.today() - timedelta(days=3)
    db.session.commit()
    return case


def chases(case) -> int:
    return db.session.scalar(select(func.count(Chase.id)).where(Chase.case_id == case.id))


def test_the_queue_shows_each_late_case_and_how_it_has_been_chased(app, late, as_role):
    supervisor = as_role("supervisor")
    page = text(supervisor.get("/staff/chasing"))
    assert late.reference in page and "Northvale Council" in page and "Not chased yet" in page
    operations.chase(ACTOR, late, 1, POLICY)
    db.session.commit()
    assert "Chased 1 time, last " in text(supervisor.get("/staff/chasing"))
    operations.escalate(ACTOR, late, 1)
    db.session.commit()
    page = text(supervisor.get("/staff/chasing"))
    assert "Escalated: chased 1 times" in page
    late.acknowledged_at = clock.now()
    db.session.commit()
    assert "Every delivered case has been acknowledged in time" in text(
        supervisor.get("/staff/chasing")
    )
    adviser = sign_in(app.test_client(), StaffUserFactory(role="adviser"))
    assert adviser.get("/staff/chasing").status_code == 403


def test_chase_now_sends_one_reminder_however_often_it_is_clicked(late, as_role):
    supervisor = as_role("supervisor")
    url = f"/staff/cases/{late.id}/chasing"
    response = supervisor.post(f"{url}/now", data={"number": "1"}, form_url=url)
    assert response.status_code == 302
    again = supervisor.post(f"{url}/now", data={"number": "1"}, form_url=url)
    assert again.status_code == 302
    page = text(supervisor.get(url))
    assert "Not chased: Chase 1 has already been made." in page
    assert chases(late) == 1
    assert f"asked for by {supervisor.user.name}" in page and "Shown in the partner’s queue" in page
    case_page = text(supervisor.get(f"/staff/cases/{late.id}"))
    assert "Chased" in case_page and "Reminder 1 to Northvale Council" in case_page
    audit = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "chase_now", AuditEvent.record_id == str(late.id)
        )
    )
    assert audit.actor_id == supervisor.user.id


@pytest.mark.parametrize("number", ["", "0", "abc", "1e3", "99999999999", "<script>", "1\x00"])
def test_chase_now_with_a_bad_form_chases_nobody(late, as_role, number):
    supervisor = as_role("supervisor")
    url = f"/staff/cases/{late.id}/chasing"
    response = supervisor.post(f"{url}/now", data={"number": number}, form_url=url)
    assert response.status_code in (302, 422)
    assert chases(late) == 0


def test_an_acknowledged_case_cannot_be_chased(late, as_role):
    late.acknowledged_at = clock.now()
    db.session.commit()
    supervisor = as_role("supervisor")
    url = f"/staff/cases/{late.id}/chasing"
    page = text(supervisor.get(url))
    assert "Not chased: The partner has acknowledged it." in page and "Chase now" not in page
    supervisor.post(f"{url}/now", data={"number": "1"}, form_url=f"/staff/cases/{late.id}")
    assert chases(late) == 0


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter why chasing should stop"),
        ("   ", "Enter why chasing should stop"),
        ("x" * 2001, "2000 characters or fewer"),
        ("bad\x00byte", ""),
    ],
)
def test_stopping_needs_a_sensible_reason_and_changes_nothing_without_one(
    late, as_role, reason, message
):
    supervisor = as_role("supervisor")
    url = f"/staff/cases/{late.id}/chasing"
    response = supervisor.post(f"{url}/stop", data={"reason": reason}, form_url=url)
    assert response.status_code == 422
    page = text(response)
    assert page.count("There is a problem") == 1 and "<title>Error:" in response.get_data(
        as_text=True
    )
    assert message in page
    assert db.session.scalar(select(ChaseEnd).where(ChaseEnd.case_id == late.id)) is None


def test_a_supervisor_stops_chasing_with_a_reason_shown_escaped(late, as_role):
    supervisor = as_role("supervisor")
    url = f"/staff/cases/{late.id}/chasing"
    reason = "<script>alert(1)</script> they phoned ☎ שלום"
    assert supervisor.post(f"{url}/stop", data={"reason": reason}, form_url=url).status_code == 302
    raw = supervisor.get(url).get_data(as_text=True)
    assert "<script>alert(1)" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "Chasing stopped" in html.unescape(raw) and "Stop chasing" not in raw
    again = supervisor.post(
        f"{url}/stop", data={"reason": "twice"}, form_url=f"/staff/cases/{late.id}"
    )
    assert again.status_code == 409 and "already stopped" in text(again)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "chase_stopped"))
    assert audit.reason == reason and audit.actor_id == supervisor.user.id


def test_an_unknown_case_is_404(as_role):
    supervisor = as_role("supervisor")
    assert supervisor.get("/staff/cases/999999/chasing").status_code == 404


def test_life_event_page_and_queue_show_the_chasing(app, as_role):
    p = partnership.build(app.config["SECRET_KEY"])
    libraries = p.services["tuo-libraries"].id
    event = life_events.report(ACTOR, p.customer, partnership.death_report((libraries,)))
    notification = db.session.scalar(
        select(Notification).where(Notification.life_event_id == event.id)
    )
    case = notification.case
    for dispatch in db.session.scalars(select(Dispatch).where(Dispatch.case_id == case.id)):
        dispatch.status = DispatchStatus.DELIVERED
    case.ack_due_date = clock.today() - timedelta(days=5)
    db.session.flush()
    operations.chase(ACTOR, case, 1, POLICY)
    operations.chase(ACTOR, case, 2, POLICY)
    operations.escalate(ACTOR, case, 2)
    db.session.commit()
    supervisor = as_role("supervisor")
    receipt = text(supervisor.get(f"/staff/life-events/{event.id}"))
    assert "Chased 2 times, last " in receipt and "Escalated: chased 2 times" in receipt
    queue = text(supervisor.get("/staff/life-events/attention"))
    assert event.reference in queue and "Escalated: chased 2 times" in queue
