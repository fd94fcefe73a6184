"""Writing and moving dispatches: the outbox rows that carry a case to a partner's back-end.

Operations flush and never commit. The delivery flow in tasks.py commits between steps, so the
call to the partner happens outside any transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, event, insert, or_, select, update
from sqlalchemy.orm import Session

from frontoffice import clock, config_cache
from frontoffice.crypto import decrypt_json
from frontoffice.database import transaction_cache
from frontoffice.dispatch import outbox
from frontoffice.dispatch.models import (
    AttemptOutcome,
    Dispatch,
    DispatchAttempt,
    DispatchStatus,
    PartnerAdapter,
)
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.extensions import db

OUTBOX_KEY = "frontoffice.outbox"
# dispatch id -> partner id, so the committed outbox is sent in one batch per partner
OUTBOX_PARTNERS_KEY = "frontoffice.outbox.partners"
OUTBOX_UNFLUSHED_KEY = "frontoffice.outbox.unflushed"
PORTAL = "portal"


@dataclass(frozen=True)
class AdapterRef:
    """What an outbox row names of an adapter, kept per process (frontoffice.config_cache)."""

    id: int
    partner_id: int
    service_id: int | None
    adapter_type: str


def adapter_for(partner_id: int, service_id: int | None) -> PartnerAdapter | AdapterRef | None:
    """The partner's adapter for this service, else its default; None means the portal."""
    cache = transaction_cache("adapter_for")
    if (partner_id, service_id) not in cache:
        cache[partner_id, service_id] = _adapter_for(partner_id, service_id)
    return cache[partner_id, service_id]


def _adapter_for(partner_id: int, service_id: int | None) -> PartnerAdapter | AdapterRef | None:
    candidates = [a for a in _adapters_of(partner_id) if a.service_id in (service_id, None)]
    specific = [a for a in candidates if a.service_id is not None]
    return (specific or candidates or [None])[0]


def _adapters_of(partner_id: int) -> list[PartnerAdapter | AdapterRef]:
    """A partner's active adapters, read once per transaction for all its services."""
    read_adapters([partner_id])
    return transaction_cache("adapters_of")[partner_id]


def read_adapters(partner_ids: Iterable[int]) -> None:
    """The active adapters of these partners, read in one go into the transaction's cache
    (routing a batch of cases to several partners)."""
    cache = transaction_cache("adapters_of")
    missing = sorted(set(partner_ids) - cache.keys())
    if not missing:
        return
    kept = config_cache.cached("adapters", _all_adapters)
    if kept is not None:
        for partner_id in missing:
            cache[partner_id] = kept.get(partner_id, [])
        return
    for partner_id in missing:
        cache[partner_id] = []
    for adapter in db.session.scalars(
        select(PartnerAdapter)
        .where(PartnerAdapter.partner_id.in_(missing), PartnerAdapter.active.is_(True))
        .order_by(PartnerAdapter.id)
    ):
        cache[adapter.partner_id].append(adapter)


def _all_adapters() -> dict[int, list[AdapterRef]]:
    """Every active adapter, by partner, in id order: one read per process while the
    set-up is unchanged."""
    t = PartnerAdapter.__table__.c
    by_partner: dict[int, list[AdapterRef]] = {}
    for row_ in db.session.execute(
        select(t.id, t.partner_id, t.service_id, t.adapter_type)
        .where(t.active.is_(True))
        .order_by(t.id)
    ):
        by_partner.setdefault(row_.partner_id, []).append(AdapterRef(*row_))
    return by_partner


def row(
    *,
    case_id: int,
    partner_id: int,
    service_id: int | None,
    payload: dict[str, Any],
    reason: str,
    now: datetime,
) -> dict[str, Any]:
    """The columns of a new outbox row, through the partner's adapter for the service."""
    adapter = adapter_for(partner_id, service_id)
    return {
        "case_id": case_id,
        "partner_id": partner_id,
        "partner_adapter_id": adapter.id if adapter else None,
        "adapter_type": adapter.adapter_type if adapter else PORTAL,
        "status": DispatchStatus.PENDING,
        "reason": reason[:200],
        "payload": dict(payload),
        "attempts": 0,
        "created_at": now,
        "window_started_at": now,
        "next_attempt_at": now,
    }


def write(
    *, case_id: int, partner_id: int, service_id: int | None, payload: dict[str, Any], reason: str
) -> Dispatch:
    """Adds one outbox row in the caller's transaction; it is sent after that commits. Not
    flushed here: the caller's flush writes a batch of them at once."""
    columns = row(
        case_id=case_id,
        partner_id=partner_id,
        service_id=service_id,
        payload=payload,
        reason=reason,
        now=clock.now(),
    )
    del columns["created_at"], columns["window_started_at"]  # set by the flush, as ever
    dispatch = Dispatch(**columns)
    db.session.add(dispatch)
    _to_outbox(dispatch)
    return dispatch


def write_many(rows: list[dict[str, Any]]) -> list[int]:
    """Outbox rows (of `row`) for new cases in one INSERT, in the caller's transaction, not
    kept in the session; each is known to the outbox by its id at once and sent after the
    commit. The flush hook that tells subscribed partners never sees them: the caller does
    (partner_webhooks.events.tell_of_new_cases)."""
    if not rows:
        return []
    table = Dispatch.__table__
    ids = list(
        db.session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    )
    outbox_ids = db.session.info.setdefault(OUTBOX_KEY, set())
    partners = db.session.info.setdefault(OUTBOX_PARTNERS_KEY, {})
    for dispatch_id, columns in zip(ids, rows, strict=True):
        outbox_ids.add(dispatch_id)
        partners[dispatch_id] = columns["partner_id"]
    return ids


def _to_outbox(dispatch: Dispatch) -> None:
    """Sent after the transaction commits (tasks._enqueue_committed_outbox); known by its id
    once flushed."""
    if dispatch.id is None:
        db.session.info.setdefault(OUTBOX_UNFLUSHED_KEY, []).append(dispatch)
        return
    db.session.info.setdefault(OUTBOX_KEY, set()).add(dispatch.id)
    db.session.info.setdefault(OUTBOX_PARTNERS_KEY, {})[dispatch.id] = dispatch.partner_id


@event.listens_for(Session, "after_flush_postexec")
def _outbox_ids_after_flush(session: Session, _context) -> None:
    unflushed = session.info.pop(OUTBOX_UNFLUSHED_KEY, None)
    for dispatch in unflushed or ():
        if dispatch.id is None:  # not in this flush (expunged): keep waiting
            session.info.setdefault(OUTBOX_UNFLUSHED_KEY, []).append(dispatch)
            continue
        session.info.setdefault(OUTBOX_KEY, set()).add(dispatch.id)
        session.info.setdefault(OUTBOX_PARTNERS_KEY, {})[dispatch.id] = dispatch.partner_id


def cancel_open(case_id: int, reason: str) -> list[Dispatch]:
    """Supersedes a case's undelivered dispatches, e.g. when it is re-routed."""
    open_ = db.session.scalars(
        select(Dispatch).where(
            Dispatch.case_id == case_id,
            Dispatch.status.in_(
                [DispatchStatus.PENDING, DispatchStatus.RETRYING, DispatchStatus.DEAD]
            ),
        )
    ).all()
    for dispatch in open_:
        dispatch.status = DispatchStatus.CANCELLED
        dispatch.last_error = reason[:500]
        dispatch.next_attempt_at = None
    db.session.flush()
    return list(open_)


def load(dispatch_id: int) -> Dispatch:
    return db.session.get(Dispatch, dispatch_id, populate_existing=True)


def claimable(d: Any, stale: datetime, due: datetime) -> ColumnElement[bool]:
    """Waiting, a retry whose time has come (`due`: now, with a little slack for a task
    scheduled for that time), or held by a claim older than the lease (`stale`). A task
    still queued for a dispatch another task took and failed to deliver must not call the
    partner again before the back-off. `d`: the Dispatch class or its table's columns."""
    return or_(
        d.status == DispatchStatus.PENDING,
        (d.status == DispatchStatus.RETRYING) & (d.next_attempt_at <= due),
        (d.status == DispatchStatus.DELIVERING) & (d.claimed_at < stale),
    )


def release(dispatch: Dispatch) -> None:
    """Gives back a claimed dispatch not yet tried (its worker ran short of lease time)."""
    dispatch.status = DispatchStatus.PENDING
    dispatch.attempts -= 1
    dispatch.claimed_at = None
    dispatch.next_attempt_at = clock.now()
    _to_outbox(dispatch)
    db.session.flush()


def adapter_settings(adapter: PartnerAdapter) -> dict[str, Any]:
    """Its settings with the secret ones decrypted, for the adapter's call only."""
    return {
        **adapter.settings,
        **decrypt_json(current_app.config["SECRET_KEY"], adapter.secret_settings),
    }


def _log_attempt(
    dispatch: Dispatch, outcome: AttemptOutcome, detail: str, duration_ms: int
) -> None:
    db.session.add(
        DispatchAttempt(
            dispatch_id=dispatch.id,
            number=dispatch.attempts,
            outcome=outcome,
            detail=detail[:2000],
            duration_ms=duration_ms,
        )
    )


def record_failure(
    dispatch: Dispatch,
    *,
    error: str,
    permanent: bool,
    retry_after: float | None,
    duration_ms: int,
    policy: RetryPolicy,
    outcome: AttemptOutcome | None = None,
) -> datetime | None:
    """Schedules the next attempt, or dead-letters; returns when to try again (None: dead)."""
    now = clock.now()
    next_at = None
    if not permanent:
        next_at = policy.next_attempt(
            created_at=dispatch.window_started_at,
            now=now,
            attempt=dispatch.attempts,
            retry_after=retry_after,
        )
    dispatch.last_error = error[:2000]
    if next_at is None:
        dispatch.status = DispatchStatus.DEAD
        dispatch.dead_at = now
        dispatch.next_attempt_at = None
    else:
        dispatch.status = DispatchStatus.RETRYING
        dispatch.next_attempt_at = next_at
    _log_attempt(
        dispatch,
        outcome or (AttemptOutcome.PERMANENT if permanent else AttemptOutcome.RETRY),
        error,
        duration_ms,
    )
    if dispatch.partner_adapter_id is not None and outcome is not AttemptOutcome.DEFERRED:
        outbox.count_failure(PartnerAdapter, dispatch.partner_adapter_id, now, policy)
    db.session.flush()
    return next_at


def defer_while_breaker_open(dispatch: Dispatch, until: datetime) -> None:
    """The partner is known to be failing: don't call it, come back when the breaker closes."""
    dispatch.status = DispatchStatus.RETRYING
    _log_attempt(
        dispatch,
        AttemptOutcome.DEFERRED,
        f"not called: {dispatch.partner.name} kept failing; waiting until {until.isoformat()}",
        0,
    )
    dispatch.attempts -= 1  # not a real attempt
    dispatch.next_attempt_at = until
    db.session.flush()


def due_for_delivery(*, now: datetime, policy: RetryPolicy, limit: int = 500) -> list[int]:
    """Dispatches whose task may have been lost: the sweeper enqueues these again. One due
    is left to the task enqueued for it (when written, or for its retry time) for a lease
    first: a fan-out's backlog still queued on the broker is not enqueued twice, which made
    the workers claim every swept batch again for nothing."""
    stale_claim = now - timedelta(seconds=policy.lease_seconds)
    return list(
        db.session.scalars(
            select(Dispatch.id)
            .where(
                or_(
                    Dispatch.status.in_([DispatchStatus.PENDING, DispatchStatus.RETRYING])
                    & (Dispatch.next_attempt_at <= stale_claim),
                    (Dispatch.status == DispatchStatus.DELIVERING)
                    & (Dispatch.claimed_at < stale_claim),
                )
            )
            .order_by(Dispatch.next_attempt_at)
            .limit(limit)
        )
    )


def take_due(*, now: datetime, policy: RetryPolicy, limit: int = 500) -> dict[int, int]:
    """The dispatches the sweeper should enqueue again (id -> partner id). Each is put out of
    its sight for a lease again: a backlog still waiting on the broker (a large fan-out) is
    then enqueued at most once per lease, not again on every sweep. A retry found this way
    is long due and waits as pending, since a claim takes a pending dispatch whatever its
    next_attempt_at, a retrying one only when that has come."""
    ids = due_for_delivery(now=now, policy=policy, limit=limit)
    if not ids:
        return {}
    db.session.execute(
        update(Dispatch)
        .where(
            Dispatch.id.in_(ids),
            Dispatch.status.in_([DispatchStatus.PENDING, DispatchStatus.RETRYING]),
        )
        .values(
            status=DispatchStatus.PENDING,
            next_attempt_at=now + timedelta(seconds=policy.lease_seconds),
        )
        .execution_options(synchronize_session=False)
    )
    rows = db.session.execute(
        select(Dispatch.id, Dispatch.partner_id).where(Dispatch.id.in_(ids))
    ).all()
    return {dispatch_id: partner_id for dispatch_id, partner_id in rows}


def retry_dead(dispatch: Dispatch) -> None:
    """A supervisor sends a dead-lettered dispatch again, with a fresh horizon."""
    if dispatch.status is not DispatchStatus.DEAD:
        raise ValueError("Only a failed delivery can be retried")
    dispatch.status = DispatchStatus.PENDING
    dispatch.window_started_at = clock.now()
    dispatch.next_attempt_at = clock.now()
    dispatch.dead_at = None
    _to_outbox(dispatch)
    db.session.flush()
