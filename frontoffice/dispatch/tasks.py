"""Thin Celery tasks: deliver one dispatch; sweep for dispatches whose task went missing."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from frontoffice import adapters, clock
from frontoffice.adapters.base import AdapterError, PermanentError, RetryableError
from frontoffice.database import after_outermost_commit
from frontoffice.dispatch import delivery, operations, timeline, updates
from frontoffice.dispatch.models import PartnerAdapter
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.extensions import db
from frontoffice.worker import celery_app

log = logging.getLogger(__name__)
BATCH_SIZE = 20  # dispatches to a task
GROUP_SIZE = 20  # dispatches claimed, then recorded, together
DEFAULT_TIMEOUT = 30.0
UPDATES_OVERLAP = timedelta(hours=1)


@celery_app.task(
    name="frontoffice.dispatch.deliver",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def deliver(dispatch_id: int) -> dict[str, int]:
    return dict(Counter(deliver_group([dispatch_id], RetryPolicy.from_env())))


@celery_app.task(
    name="frontoffice.dispatch.deliver_batch",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def deliver_batch(dispatch_ids: list[int]) -> dict[str, int]:
    """Several dispatches to one partner: a task per case would cost more in broker round
    trips than the delivery itself. Running a batch again (a worker lost) is safe: each
    dispatch is claimed, so one already delivered is skipped."""
    policy = RetryPolicy.from_env()
    outcomes: Counter[str] = Counter()
    for i in range(0, len(dispatch_ids), GROUP_SIZE):
        outcomes.update(deliver_group(dispatch_ids[i : i + GROUP_SIZE], policy))
    return dict(outcomes)


def deliver_group(dispatch_ids: list[int], policy: RetryPolicy) -> list[str]:
    """Claims the dispatches in one statement, with as many more of their partners' due ones
    as fill the group, calls the partner for each outside any transaction, then records the
    deliveries in one transaction (failures one by one). The outcomes are the named
    dispatches' ("not claimed" when done or held elsewhere), then the others taken."""
    claimed, destinations = delivery.claim_with_destinations(
        dispatch_ids, policy, room=GROUP_SIZE - len(dispatch_ids)
    )
    if not claimed:  # their task came after another took them: nothing to call or record
        db.session.rollback()
        return ["not claimed"] * len(dispatch_ids)
    named = set(dispatch_ids)
    outcomes = ["not claimed"] * (len(named) - sum(c.id in named for c in claimed))
    now = clock.now()
    to_call = []
    for dispatch in claimed:
        destination = destinations[dispatch.partner_id, dispatch.partner_adapter_id]
        until = destination.breaker_open_until
        if until is not None and until > now:
            operations.defer_while_breaker_open(operations.load(dispatch.id), until)
            enqueue_at(dispatch.id, until)
            outcomes.append("deferred")
        else:
            to_call.append((dispatch, destination))
    claimed_at = time.monotonic()
    db.session.commit()

    delivered, failed, left = [], [], []
    streak = 0  # calls failed in a row
    for n, (dispatch, destination) in enumerate(to_call):
        timeout = float(destination.settings.get("timeout") or DEFAULT_TIMEOUT)
        # The first is always tried; the rest only while a call cannot outlast the claim,
        # which another worker would then take over, and while the partner has not failed
        # often enough in a row to open its breaker (the next claim then sees it open).
        if n and (
            time.monotonic() - claimed_at + timeout > policy.lease_seconds * 0.8
            or streak >= policy.breaker_threshold
        ):
            left = [d.id for d, _ in to_call[n:]]
            break
        started = time.monotonic()
        try:
            result = adapters.get(dispatch.adapter_type).deliver(
                delivery.payload(dispatch), destination.settings
            )
        except RetryableError as error:
            failed.append((dispatch.id, str(error), False, error.retry_after, started))
        except PermanentError as error:
            failed.append((dispatch.id, str(error), True, None, started))
        except AdapterError as error:
            failed.append((dispatch.id, str(error), False, None, started))
        except Exception as error:  # a bug in an adapter must not lose the dispatch
            log.exception("adapter %s crashed on dispatch %s", dispatch.adapter_type, dispatch.id)
            failed.append(
                (dispatch.id, f"internal error: {type(error).__name__}", False, None, started)
            )
        else:
            if result.delivered:
                delivered.append(
                    delivery.Delivered(
                        dispatch, destination, result.partner_reference, result.detail, _ms(started)
                    )
                )
            else:
                failed.append((dispatch.id, result.detail or "not accepted", False, None, started))
        streak = 0 if delivered and delivered[-1].claimed is dispatch else streak + 1

    delivery.record_delivered(delivered)
    outcomes.extend("delivered" for _ in delivered)
    db.session.commit()
    for dispatch_id, error, permanent, retry_after, started in failed:
        outcomes.append(_failed(dispatch_id, error, permanent, retry_after, started, policy))
    if left:  # given back after the failures are recorded, so a breaker they open is seen
        for dispatch_id in left:
            operations.release(operations.load(dispatch_id))
            outcomes.append("released")
        db.session.commit()
    return outcomes


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
    partner_of = operations.take_due(now=clock.now(), policy=RetryPolicy.from_env())
    db.session.commit()
    enqueue_batches(batches(partner_of, partner_of))
    return len(partner_of)


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


def enqueue_batches(groups: list[list[int]]) -> None:
    """Several batches (a report's, one per partner) put on the broker together: with Redis
    in one round trip on one connection (kombu's publish batch), each still its own task, so
    a partner that is down holds up only its own. If the broker fails, the sweeper finds
    them: the rows are the truth."""
    if len(groups) < 2:
        for group in groups:
            enqueue_batch(group)
        return
    try:
        with celery_app.producer_or_acquire() as producer, producer.batch():
            for group in groups:
                if len(group) == 1:
                    deliver.apply_async(args=group, producer=producer)
                else:
                    deliver_batch.apply_async(args=[group], producer=producer)
    except Exception:
        log.warning(
            "could not enqueue %s dispatches; the sweeper will retry", sum(map(len, groups))
        )


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


@after_outermost_commit(
    operations.OUTBOX_KEY, operations.OUTBOX_PARTNERS_KEY, operations.OUTBOX_UNFLUSHED_KEY
)
def _enqueue_committed_outbox(session: Session) -> None:
    ids = session.info.get(operations.OUTBOX_KEY)
    partner_of = session.info.get(operations.OUTBOX_PARTNERS_KEY) or {}
    enqueue_batches(batches(ids or (), partner_of))
