"""Thin Celery tasks: send one resident message; the dispatch sweeper also finds lost ones."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app
from sqlalchemy.orm import Session

from frontoffice import clock
from frontoffice.adapters.errors import AdapterError, PermanentError
from frontoffice.customers.models import Customer
from frontoffice.database import after_outermost_commit
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.extensions import db
from frontoffice.messages import mailer, operations
from frontoffice.messages.models import MessageStatus
from frontoffice.worker import celery_app

log = logging.getLogger(__name__)


@celery_app.task(name="frontoffice.messages.send", acks_late=True)
def send(message_id: int) -> str:
    policy = RetryPolicy.from_env()
    message = operations.claim(message_id, policy)
    if message is None:
        db.session.rollback()
        return "not claimed"
    to_informant = message.life_event_id is not None
    if not to_informant and db.session.get(Customer, message.customer_id).date_of_death:
        message.status = MessageStatus.SUPPRESSED
        message.next_attempt_at = None
        db.session.commit()
        return "suppressed"
    db.session.commit()
    try:
        where = mailer.send(
            message,
            current_app.config["PARTNERSHIP_NAME"],
            Path(current_app.config["INSTANCE_DIR"]),
        )
    except AdapterError as error:
        operations.record_failure(
            message, str(error), permanent=isinstance(error, PermanentError), policy=policy
        )
        db.session.commit()
        if message.next_attempt_at is not None:
            wait = (message.next_attempt_at - clock.now()).total_seconds()
            enqueue(message.id, countdown=max(0.0, wait))
        return "failed"
    operations.record_sent(message)
    db.session.commit()
    log.info("resident message %s %s", message.id, where)
    return "sent"


def enqueue(message_id: int, countdown: float = 0) -> None:
    try:
        send.apply_async(args=[message_id], countdown=countdown)
    except Exception:  # the sweeper will find it
        log.warning("could not enqueue resident message %s; the sweeper will retry", message_id)


@celery_app.task(name="frontoffice.messages.sweep")
def sweep() -> int:
    """Re-enqueues messages that are due but whose task was lost."""
    ids = operations.due(RetryPolicy.from_env())
    db.session.rollback()
    for message_id in ids:
        enqueue(message_id)
    return len(ids)


@after_outermost_commit(operations.OUTBOX_KEY, operations.UNFLUSHED_KEY)
def _enqueue_committed(session: Session) -> None:
    for message_id in sorted(session.info.get(operations.OUTBOX_KEY) or ()):
        enqueue(message_id)
