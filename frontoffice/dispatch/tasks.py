"""Thin Celery tasks: deliver one dispatch; sweep for dispatches whose task went missing."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from frontoffice import adapters, clock
from frontoffice.adapters.base import AdapterError, PermanentError, RetryableError
from frontoffice.dispatch import operations, timeline, updates
from frontoffice.dispatch.models import PartnerAdapter
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.extensions import db
from frontoffice.worker import celery_app

log = logging.getLogger(__name__)
BATCH_SIZE = 20
UPDATES_OVERLAP = timedelta(hours=1)


@celery_app.task(
    name="frontoffice.dispatch.deliver",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def deliver(dispatch_id: int) -> str:
    return deliver_one(dispatch_id, RetryPolicy.from_env())


@celery_app.task(
    name="frontoffice.dispatch.deliver_batch",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def deliver_batch(dispatch_ids: list[int]) -> dict[str, int]:
    """Several dispatches to one partner, one after another: a task per case costs more in
    broker round trips than the delivery itself. Running the batch again (a worker lost) is
    safe: each dispatch is claimed, so one already delivered is skipped."""
    policy = RetryPolicy.from_env()
    outcomes: Counter[str] = Counter()
    for dispatch_id in dispatch_ids:
        outcomes[deliver_one(dispatch_id, policy)] += 1
    return dict(outcomes)


def deliver_one(dispatch_id: int, policy: RetryPolicy) -> str:
    dispatch = operations.claim(dispatch_id, policy)
    if dispatch is None:
        db.session.rollback()
        return "not claimed"
    delivery = operations.prepare(dispatch)
    now = clock.now()
    if delivery.breaker_open_until is not None and delivery.breaker_open_until > now:
        operations.defer_while_breaker_open(dispatch, delivery.breaker_open_until)
        db.session.commit()
        enqueue_at(dispatch_id, delivery.breaker_open_until)
        return "deferred"
    db.session.commit()  # the claim is held without a transaction open during the call

    started = time.monotonic()
    try:
        result = adapters.get(delivery.adapter_type).deliver(delivery.payload, delivery.settings)
    except RetryableError as error:
        return _failed(dispatch_id, str(error), False, error.retry_after, started, policy)
    except PermanentError as error:
        return _failed(dispatch_id, str(error), True, None, started, policy)
    except AdapterError as error:
        return _failed(dispatch_id, str(error), False, None, started, policy)
    except Exception as error:  # a bug in an adapter must not lose the dispatch
        log.exception("adapter %s crashed on dispatch %s", delivery.adapter_type, dispatch_id)
        return _failed(
            dispatch_id, f"internal error: {type(error).__name__}", False, None, started, policy
        )

    dispatch = operations.load(dispatch_id)
    if not result.delivered:
        return _failed(dispatch_id, result.detail or "not accepted", False, None, started, policy)
    operations.record_delivered(
        dispatch,
        partner_reference=result.partner_reference,
        detail=result.detail,
        duration_ms=_ms(started),
    )
    timeline.delivered(dispatch)
    db.session.commit()
    return "delivered"


def _failed(dispatch_id, error, permanent, retry_after, started, policy) -> str:
    db.session.rollback()
    dispatch = operations.load(dispatch_id)
    next_at = operations.record_failure(
        dispatch,
        error=error,
        permanent=permanent,
        retry_after=retry_after,
        duration_ms=_ms(started),
        policy=policy,
    )
    timeline.failed(dispatch, error, final=next_at is None)
    db.session.commit()
    if next_at is not None:
        enqueue_at(dispatch_id, next_at)
        return "retrying"
    return "dead"


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


@celery_app.task(name="frontoffice.dispatch.sweep")
def sweep() -> int:
    """Re-enqueues dispatches that are due but whose task was lost (broker, crash)."""
    ids = operations.due_for_delivery(now=clock.now(), policy=RetryPolicy.from_env())
    db.session.rollback()
    for dispatch_id in ids:
        enqueue(dispatch_id)
    return len(ids)


@celery_app.task(name="frontoffice.dispatch.read_partner_updates")
def read_partner_updates() -> dict[str, int]:
    """Reads status updates from every partner whose adapter can send them, one at a time."""
    ids = db.session.scalars(
        select(PartnerAdapter.id).where(
            PartnerAdapter.active,
            PartnerAdapter.adapter_type.in_(
                [t for t in adapters.all_types() if adapters.get(t).supports_updates]
            ),
        )
    ).all()
    db.session.rollback()
    totals: dict[str, int] = {"partners": 0, "applied": 0, "failed": 0}
    for adapter_id in ids:
        try:
            read = read_updates_from(adapter_id)
        except AdapterError as error:
            db.session.rollback()
            totals["failed"] += 1
            log.warning("could not read updates from partner adapter %s: %s", adapter_id, error)
            continue
        totals["partners"] += 1
        totals["applied"] += read.applied
    return totals


def read_updates_from(adapter_id: int) -> updates.UpdatesRead:
    """One partner: fetch since the last read (outside a transaction), apply, commit."""
    row = db.session.get(PartnerAdapter, adapter_id)
    now = clock.now()
    since = row.updates_read_until or now - timedelta(days=1)
    adapter, settings = adapters.get(row.adapter_type), operations.adapter_settings(row)
    db.session.commit()
    fetched = adapter.fetch_updates(settings, since)
    row = db.session.get(PartnerAdapter, adapter_id)
    read = updates.apply_updates(row, fetched)
    # The next read overlaps this one (updates already kept are skipped by their id), so an
    # update a partner publishes up to an hour after stamping it is still read.
    row.updates_read_until = max(
        [since, now - UPDATES_OVERLAP, *(u.updated_datetime for u in fetched)]
    )
    db.session.commit()
    return read


def enqueue(dispatch_id: int) -> None:
    try:
        deliver.apply_async(args=[dispatch_id])
    except Exception:  # the sweeper will find it: the row is the truth, not the broker
        log.warning("could not enqueue dispatch %s; the sweeper will retry", dispatch_id)


def enqueue_at(dispatch_id: int, when) -> None:
    countdown = max(0.0, (when - clock.now()).total_seconds())
    try:
        deliver.apply_async(args=[dispatch_id], countdown=countdown)
    except Exception:
        log.warning("could not schedule dispatch %s; the sweeper will retry", dispatch_id)


def enqueue_batch(dispatch_ids: list[int]) -> None:
    if len(dispatch_ids) == 1:
        enqueue(dispatch_ids[0])
        return
    try:
        deliver_batch.apply_async(args=[dispatch_ids])
    except Exception:
        log.warning("could not enqueue %s dispatches; the sweeper will retry", len(dispatch_ids))


def batches(dispatch_ids: Iterable[int], partner_of: dict[int, int]) -> list[list[int]]:
    """The ids grouped by partner (one that is down then holds up only its own), in order,
    at most BATCH_SIZE to a batch so the worker processes share the work."""
    by_partner: dict[int | None, list[int]] = {}
    for dispatch_id in sorted(dispatch_ids):
        by_partner.setdefault(partner_of.get(dispatch_id), []).append(dispatch_id)
    return [
        ids[i : i + BATCH_SIZE]
        for ids in by_partner.values()
        for i in range(0, len(ids), BATCH_SIZE)
    ]


@event.listens_for(Session, "after_commit")
def _enqueue_committed_outbox(session: Session) -> None:
    ids = session.info.pop(operations.OUTBOX_KEY, None)
    partner_of = session.info.pop(operations.OUTBOX_PARTNERS_KEY, None) or {}
    for batch in batches(ids or (), partner_of):
        enqueue_batch(batch)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_outbox(session: Session) -> None:
    session.info.pop(operations.OUTBOX_KEY, None)
    session.info.pop(operations.OUTBOX_PARTNERS_KEY, None)
