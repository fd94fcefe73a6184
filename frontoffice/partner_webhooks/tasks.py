"""Thin Celery tasks: send one webhook event, signed; sweep for events whose task was lost."""

from __future__ import annotations

import json
import logging

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from frontoffice import clock
from frontoffice.adapters._http import safe_url
from frontoffice.adapters.errors import AdapterError, PermanentError, RetryableError
from frontoffice.adapters.webhook import post_signed
from frontoffice.crypto import SecretsUnreadable
from frontoffice.database import after_outermost_commit
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.extensions import db
from frontoffice.partner_webhooks import operations
from frontoffice.partner_webhooks.events import OUTBOX_KEY
from frontoffice.partner_webhooks.models import DeliveryStatus, WebhookDelivery
from frontoffice.worker import celery_app

log = logging.getLogger(__name__)
TIMEOUT = 10.0
WHAT = "The partner's webhook receiver"


def body_for(delivery: WebhookDelivery) -> bytes:
    """The same bytes on every retry: the event's id is the idempotency key."""
    document = {**delivery.payload, "id": delivery.idempotency_key}
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


@celery_app.task(
    name="frontoffice.partner_webhooks.deliver",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def deliver(delivery_id: int) -> str:
    policy = RetryPolicy.from_env()
    delivery = operations.claim(delivery_id, policy)
    if delivery is None:
        db.session.rollback()
        return "not claimed"
    subscription = delivery.subscription
    if not subscription.active:
        delivery.status = DeliveryStatus.DEAD
        delivery.next_attempt_at = None
        delivery.last_error = "not sent: the webhook was deleted or disabled"
        db.session.commit()
        return "dropped"
    until = subscription.breaker_open_until
    if until is not None and until > clock.now():
        operations.defer(delivery, until)
        db.session.commit()
        enqueue(delivery_id, countdown=(until - clock.now()).total_seconds())
        return "deferred"
    earlier = operations.earlier_unsent(delivery)
    if earlier is not None:
        seconds = operations.wait_behind(delivery, earlier)
        db.session.commit()
        enqueue(delivery_id, countdown=seconds)
        return "waiting"
    url, key, event_name, body = (
        subscription.url,
        delivery.idempotency_key,
        delivery.event,
        body_for(delivery),
    )
    try:
        secret = operations.secret_of(subscription)
    except SecretsUnreadable as error:
        operations.record_failure(delivery, str(error), permanent=True, policy=policy)
        db.session.commit()
        return "dead"
    db.session.commit()  # the claim; the call is made outside any transaction
    try:
        post_signed(url, secret, body, key=key, event=event_name, timeout=TIMEOUT, what=WHAT)
    except AdapterError as error:
        retry_after = error.retry_after if isinstance(error, RetryableError) else None
        delivery = db.session.get(WebhookDelivery, delivery_id)
        next_at = operations.record_failure(
            delivery,
            str(error),
            permanent=isinstance(error, PermanentError),
            policy=policy,
            retry_after=retry_after,
        )
        db.session.commit()
        if next_at is None:
            log.warning("webhook event %s to %s is dead: %s", key, safe_url(url), error)
            return "dead"
        enqueue(delivery_id, countdown=max(0.0, (next_at - clock.now()).total_seconds()))
        return "retrying"
    operations.record_delivered(db.session.get(WebhookDelivery, delivery_id))
    db.session.commit()
    return "delivered"


def enqueue(delivery_id: int, countdown: float = 0) -> None:
    try:
        deliver.apply_async(args=[delivery_id], countdown=countdown)
    except Exception:  # the sweeper will find it: the row is the truth, not the broker
        log.warning("could not enqueue webhook event %s; the sweeper will retry", delivery_id)


@celery_app.task(name="frontoffice.partner_webhooks.sweep")
def sweep() -> int:
    """Re-enqueues webhook events that are due but whose task was lost."""
    ids = operations.due(RetryPolicy.from_env())
    db.session.rollback()
    for delivery_id in ids:
        enqueue(delivery_id)
    return len(ids)


@after_outermost_commit(OUTBOX_KEY)
def _enqueue_committed(session: Session) -> None:
    for delivery_id in sorted(session.info.get(OUTBOX_KEY) or ()):
        enqueue(delivery_id)
