"""Sending a chase through the partner's own adapter to a real local receiver (no worker):
its own key on every retry, never twice, and not at all once the case is acknowledged."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from frontoffice.access.actor import Actor
from frontoffice.chasing import operations, queries, tasks
from frontoffice.chasing.models import Chase, ChaseStatus
from frontoffice.chasing.policy import ChasePolicy
from frontoffice.dispatch.models import Dispatch
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.extensions import db
from frontoffice.partner_api import actions
from tests.chasing.world import ACTOR, at, delivered_case, dispatches, partner_with
from tests.partner_servers import WebhookReceiver

POLICY = ChasePolicy(interval_working_days=2, max_chases=3)


@pytest.fixture
def receiver():
    with WebhookReceiver() as r:
        r.secret = "s3cret-for-tests"
        yield r


@pytest.fixture
def chased(app, receiver):
    """A case delivered to the receiver's partner on Monday, chased on Wednesday."""
    partner, service = partner_with(receiver.url, app.config["SECRET_KEY"])
    case = delivered_case(service)
    with at(date(2026, 6, 3)):
        [chase] = operations.chase(ACTOR, case, 1, POLICY)
    db.session.commit()
    return partner, case, chase


def _reload(chase_id: int) -> Chase:
    return db.session.get(Chase, chase_id, populate_existing=True)


def test_the_reminder_goes_to_the_partners_system_marked_as_a_reminder(chased, receiver):
    _partner, case, chase = chased
    [dispatch] = dispatches(case)
    assert tasks.send(chase.id) == "sent"
    key = f"chs-{chase.id}"
    assert receiver.bad_signatures == 0
    assert receiver.events == {key: "case.reminder"}
    body = receiver.received[key]
    assert body["id"] == key and body["event"] == "case.reminder"
    assert body["case"]["reference"] == case.reference
    assert body["case"]["summary"].startswith(f"REMINDER 1: please acknowledge {case.reference}")
    assert body["extra"]["chase"] == {
        "number": 1,
        "ack_due_date": "2026-06-02",
        "delivery_id": dispatch.idempotency_key,
    }
    # Only what the partner was sent with the case in the first place.
    assert body["customer"] == dispatch.payload["customer"]
    sent = _reload(chase.id)
    assert sent.status is ChaseStatus.SENT and sent.sent_at is not None
    assert tasks.send(chase.id) == "not claimed", "a reminder is never sent twice"
    assert receiver.attempts[key] == 1 and receiver.copies() == 1


def test_a_failing_partner_gets_the_same_reminder_again_with_the_same_key(chased, receiver):
    _partner, _case, chase = chased
    receiver.failures_left = 1
    with at(datetime(2026, 6, 3, 11, tzinfo=UTC)):  # within the retry horizon of the chase
        assert tasks.send(chase.id) == "retrying"
        waiting = _reload(chase.id)
        assert waiting.status is ChaseStatus.PENDING and "500" in waiting.last_error
        assert operations.due_to_send(RetryPolicy()) == [], "not due again yet"
    with at(datetime(2026, 6, 3, 11, 5, tzinfo=UTC)):
        assert operations.due_to_send(RetryPolicy()) == [chase.id], "the periodic task resends"
        assert tasks.send(chase.id) == "sent"
    key = f"chs-{chase.id}"
    assert receiver.attempts[key] == 2 and list(receiver.received) == [key]


def test_a_refusal_is_shown_to_supervisors(chased, receiver):
    _partner, case, chase = chased
    receiver.status_code = 400
    assert tasks.send(chase.id) == "failed"
    assert _reload(chase.id).status is ChaseStatus.FAILED
    assert queries.summaries([case.id])[case.id].failed


def test_an_acknowledgement_after_the_chase_was_written_stops_the_send(chased, receiver):
    partner, case, chase = chased
    actions.acknowledge(Actor.system("partner"), partner, case)
    db.session.commit()
    assert tasks.send(chase.id) == "cancelled"
    cancelled = _reload(chase.id)
    assert cancelled.status is ChaseStatus.CANCELLED
    assert cancelled.last_error == "The partner has acknowledged it"
    assert receiver.attempts == {}


def test_a_stop_or_a_withdrawal_after_the_chase_was_written_stops_the_send(app, chased, receiver):
    partner, case, chase = chased
    with at(date(2026, 6, 5)):
        [second] = operations.chase(ACTOR, case, 2, POLICY)
    db.session.commit()
    # Re-routed away: the partner no longer has the case.
    db.session.get(Dispatch, chase.dispatch_id).status = "cancelled"
    db.session.commit()
    assert tasks.send(chase.id) == "cancelled"
    assert _reload(chase.id).last_error == "The case is no longer with that partner"
    assert receiver.attempts == {}
    assert second.status is ChaseStatus.PENDING
