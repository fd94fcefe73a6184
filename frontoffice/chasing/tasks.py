"""Thin Celery tasks: the periodic chase of overdue acknowledgements, and sending one chase."""

from __future__ import annotations

import logging

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from frontoffice import adapters, clock
from frontoffice.access.actor import Actor
from frontoffice.adapters.base import AdapterError, PermanentError, RetryableError
from frontoffice.cases.models import Case
from frontoffice.chasing import operations, selection
from frontoffice.chasing.policy import ChasePolicy
from frontoffice.database import after_outermost_commit
from frontoffice.dispatch.models import Dispatch, PartnerAdapter
from frontoffice.dispatch.operations import adapter_settings
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.extensions import db
from frontoffice.worker import celery_app

log = logging.getLogger(__name__)
SYSTEM = Actor.system("acknowledgement chasing")
MAX_BATCHES = 50


@celery_app.task(name="frontoffice.chasing.chase_overdue")
def chase_overdue() -> dict[str, int]:
    """Beat's periodic task: chase (or escalate) every case whose acknowledgement is overdue,
    each in its own transaction; then re-enqueue chases whose send task was lost."""
    policy = ChasePolicy.from_env()
    totals = {"chased": 0, "escalated": 0, "skipped": 0, "requeued": 0}
    seen: set[int] = set()
    for _ in range(MAX_BATCHES):  # a backlog is worked through in one run, batch by batch
        found = [d for d in selection.due(clock.today(), policy) if d.case_id not in seen]
        db.session.rollback()
        for item in found:
            seen.add(item.case_id)
            try:
                outcome = operations.act_on(SYSTEM, item, policy)
                db.session.commit()  # its reminders are enqueued after this commit
            except OperationalError:
                db.session.rollback()
                log.warning("could not chase case %s; the next run will", item.case_id)
                outcome = "skipped"
            totals[outcome] += 1
        if len(found) < selection.BATCH:
            break
    lost = operations.due_to_send(RetryPolicy.from_env())
    db.session.rollback()
    for chase_id in lost:
        enqueue(chase_id)
    totals["requeued"] = len(lost)
    return totals


@celery_app.task(
    name="frontoffice.chasing.send",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def send(chase_id: int) -> str:
    policy = RetryPolicy.from_env()
    chase = operations.claim(chase_id, policy)
    if chase is None:
        db.session.rollback()
        return "not claimed"
    why = operations.reason_not_to_send(chase)
    if why:
        operations.cancel(chase, why)
        db.session.commit()
        return "cancelled"
    dispatch = db.session.get(Dispatch, chase.dispatch_id)
    row = (
        db.session.get(PartnerAdapter, dispatch.partner_adapter_id)
        if dispatch.partner_adapter_id is not None
        else None
    )
    if row is None or not row.active:
        operations.record_failure(
            chase,
            "not sent: the partner's system is no longer set up here",
            permanent=True,
            retry_after=None,
            policy=policy,
        )
        db.session.commit()
        return "failed"
    until = row.breaker_open_until
    if until is not None and until > clock.now():
        operations.defer(chase, until)
        db.session.commit()
        enqueue(chase_id, countdown=(until - clock.now()).total_seconds())
        return "deferred"
    payload = operations.reminder_payload(chase, dispatch, db.session.get(Case, chase.case_id))
    adapter, settings = adapters.get(row.adapter_type), adapter_settings(row)
    db.session.commit()  # the claim; the call is made outside any transaction
    try:
        result = adapter.deliver(payload, settings)
        error = None if result.delivered else (result.detail or "not accepted")
        permanent, retry_after = False, None
    except AdapterError as failure:
        error = str(failure)
        permanent = isinstance(failure, PermanentError)
        retry_after = failure.retry_after if isinstance(failure, RetryableError) else None
    except Exception as failure:  # a bug in an adapter must not lose the chase
        log.exception("adapter %s crashed on chase %s", row.adapter_type, chase_id)
        error, permanent, retry_after = f"internal error: {type(failure).__name__}", False, None
    chase = db.session.get(operations.Chase, chase_id)
    if error is None:
        operations.record_sent(chase)
        db.session.commit()
        return "sent"
    next_at = operations.record_failure(
        chase, error, permanent=permanent, retry_after=retry_after, policy=policy
    )
    db.session.commit()
    if next_at is None:
        return "failed"
    enqueue(chase_id, countdown=max(0.0, (next_at - clock.now()).total_seconds()))
    return "retrying"


def enqueue(chase_id: int, countdown: float = 0) -> None:
    try:
        send.apply_async(args=[chase_id], countdown=countdown)
    except Exception:  # the periodic task will find it: the row is the truth, not the broker
        log.warning("could not enqueue chase %s; the next run will", chase_id)


@after_outermost_commit(operations.OUTBOX_KEY)
def _enqueue_committed(session: Session) -> None:
    for chase_id in sorted(session.info.get(operations.OUTBOX_KEY) or ()):
        enqueue(chase_id)
