"""Sending one webhook event to a real local receiver that checks the signature (no worker)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.cases import operations as cases
from frontoffice.cases.status import CaseStatus
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.extensions import db
from frontoffice.partner_webhooks import operations, tasks
from frontoffice.partner_webhooks.models import DeliveryStatus, WebhookDelivery
from tests.factories import PartnerFactory
from tests.partner_servers import WebhookReceiver
from tests.partner_webhooks.test_events import routed


@pytest.fixture
def receiver():
    with WebhookReceiver() as r:
        yield r


@pytest.fixture
def setup(receiver):
    """A partner with a webhook at the receiver, which knows its secret, and one new case."""
    north = PartnerFactory()
    subscription, secret = operations.create(Actor.system("test"), north.id, None, url=receiver.url)
    db.session.commit()
    receiver.secret = secret
    case, _ = routed(north)
    delivery = db.session.scalar(
        select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    )
    return subscription, secret, case, delivery


def _reload(delivery_id: int) -> WebhookDelivery:
    return db.session.get(WebhookDelivery, delivery_id, populate_existing=True)


def test_an_event_arrives_signed_with_the_row_id_as_idempotency_key(setup, receiver):
    subscription, _secret, case, delivery = setup
    assert tasks.deliver(delivery.id) == "delivered"
    key = f"whk-{delivery.id}"
    assert receiver.bad_signatures == 0 and receiver.events == {key: "case.new"}
    assert receiver.received[key] == {
        "id": key,
        "event": "case.new",
        "case": {
            "reference": case.reference,
            "status": "new",
            "updated_at": delivery.payload["case"]["updated_at"],
            "href": f"/api/v1/cases/{case.reference}",
        },
    }
    row = _reload(delivery.id)
    assert row.status is DeliveryStatus.DELIVERED and row.attempts == 1
    db.session.refresh(subscription)
    assert subscription.last_delivered_at is not None
    assert tasks.deliver(delivery.id) == "not claimed", "a delivered event is never sent again"
    assert receiver.attempts[key] == 1


def test_a_receiver_with_another_secret_refuses_it_and_it_is_not_retried(setup, receiver):
    *_, delivery = setup
    receiver.secret = "whsec_not-the-one-we-gave"
    assert tasks.deliver(delivery.id) == "dead"
    assert receiver.bad_signatures == 1 and receiver.received == {}
    assert "refused" in _reload(delivery.id).last_error


def test_a_failing_receiver_is_retried_later_with_the_same_key(setup, receiver):
    *_, delivery = setup
    receiver.failures_left = 1
    assert tasks.deliver(delivery.id) == "retrying"
    row = _reload(delivery.id)
    assert row.status is DeliveryStatus.PENDING and row.next_attempt_at > clock.now()
    assert "500" in row.last_error
    later = clock.now() + timedelta(hours=2)
    row.next_attempt_at = clock.now() - timedelta(seconds=1)  # its time has come
    db.session.commit()
    assert delivery.id in operations.due(RetryPolicy.from_env())
    assert tasks.deliver(delivery.id) == "delivered"
    key = f"whk-{delivery.id}"
    assert receiver.attempts[key] == 2 and list(receiver.received) == [key]
    assert later > clock.now()


def test_past_the_horizon_an_event_is_dead(setup, receiver, monkeypatch):
    *_, delivery = setup
    monkeypatch.setenv("FRONTOFFICE_DISPATCH_HORIZON_HOURS", "0")
    receiver.status_code = 503
    assert tasks.deliver(delivery.id) == "dead"
    row = _reload(delivery.id)
    assert row.status is DeliveryStatus.DEAD and row.next_attempt_at is None
    assert delivery.id not in operations.due(RetryPolicy.from_env())


def test_an_unreachable_receiver_is_retried(setup, receiver):
    subscription, *_, delivery = setup
    subscription.url = "http://127.0.0.1:9/nothing-listens-here"
    db.session.commit()
    assert tasks.deliver(delivery.id) == "retrying"
    assert "Could not connect" in _reload(delivery.id).last_error


def test_events_of_a_deleted_webhook_are_dropped_unsent(setup, receiver):
    subscription, *_, delivery = setup
    operations.disable(Actor.system("test"), subscription, operations.DELETED)
    db.session.commit()
    assert tasks.deliver(delivery.id) == "dropped"
    assert receiver.attempts == {} and _reload(delivery.id).status is DeliveryStatus.DEAD


def test_the_secret_never_reaches_the_logs(setup, receiver, caplog):
    *_, secret, _case, delivery = setup
    caplog.set_level(logging.DEBUG)
    receiver.status_code = 400
    assert tasks.deliver(delivery.id) == "dead"
    assert caplog.records, "the failure is logged"
    assert secret not in caplog.text
    assert secret not in _reload(delivery.id).last_error


def test_a_receiver_that_keeps_failing_opens_its_breaker_until_it_closes(
    setup, receiver, monkeypatch
):
    subscription, _secret, case, first = setup
    monkeypatch.setenv("FRONTOFFICE_DISPATCH_BREAKER_THRESHOLD", "1")
    monkeypatch.setenv("FRONTOFFICE_DISPATCH_BREAKER_SECONDS", "600")
    receiver.status_code = 502
    assert tasks.deliver(first.id) == "retrying"
    second_case, _ = routed(case.owning_partner)
    second = db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.case_id == second_case.id)
    ).one()
    assert tasks.deliver(second.id) == "deferred"
    assert receiver.attempts[f"whk-{second.id}"] == 0, "not called while the breaker is open"
    row = _reload(second.id)
    assert row.attempts == 0 and row.next_attempt_at > clock.now() + timedelta(minutes=9)
    db.session.refresh(subscription)
    subscription.breaker_open_until = clock.now() - timedelta(seconds=1)  # time has passed
    db.session.commit()
    receiver.status_code = None
    assert tasks.deliver(second.id) == "delivered"
    db.session.refresh(subscription)
    assert subscription.consecutive_failures == 0 and subscription.breaker_open_until is None


def test_a_cases_events_reach_the_partner_in_the_order_they_happened(setup, receiver):
    _subscription, _secret, case, new = setup
    cases.change_status(Actor.system("test"), case, CaseStatus.IN_PROGRESS, "on it")
    db.session.commit()
    changed = db.session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.case_id == case.id, WebhookDelivery.id != new.id
        )
    ).one()
    assert changed.event == "case.changed"

    assert tasks.deliver(changed.id) == "waiting", "not before the case.new still unsent"
    assert receiver.attempts.get(f"whk-{changed.id}", 0) == 0
    row = _reload(changed.id)
    assert row.status is DeliveryStatus.PENDING and row.attempts == 0
    assert row.next_attempt_at > clock.now()

    assert tasks.deliver(new.id) == "delivered"
    assert tasks.deliver(changed.id) == "delivered"
    assert list(receiver.events.values()) == ["case.new", "case.changed"]
