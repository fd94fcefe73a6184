"""Claiming and sweeping outbox rows of any kind (residents' messages, partners' webhook
events): rows with `status`, `attempts`, `claimed_at` and `next_attempt_at`; and the breaker of
a destination that keeps failing (`consecutive_failures`, `breaker_open_until`)."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from frontoffice import clock
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.extensions import db


def claim(model: Any, row_id: int, policy: RetryPolicy, *, waiting: enum.Enum, working: enum.Enum):
    """Takes a waiting row, or one whose worker's claim has gone stale: one conditional UPDATE,
    so two workers never both take it. None when it is not to be taken."""
    now = clock.now()
    stale = now - timedelta(seconds=policy.lease_seconds)
    return db.session.scalars(
        update(model)
        .where(
            model.id == row_id,
            or_(model.status == waiting, (model.status == working) & (model.claimed_at < stale)),
        )
        .values(status=working, claimed_at=now, attempts=model.attempts + 1)
        .returning(model)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).one_or_none()


def due(
    model: Any, policy: RetryPolicy, *, waiting: enum.Enum, working: enum.Enum, limit: int = 500
) -> list[int]:
    """Rows whose task may have been lost (due, or claimed by a worker that died): the
    sweeper enqueues these again."""
    now = clock.now()
    stale = now - timedelta(seconds=policy.lease_seconds)
    return list(
        db.session.scalars(
            select(model.id)
            .where(
                or_(
                    (model.status == waiting) & (model.next_attempt_at <= now),
                    (model.status == working) & (model.claimed_at < stale),
                )
            )
            .order_by(model.id)
            .limit(limit)
        )
    )


def count_failure(model: Any, row_id: int, now: datetime, policy: RetryPolicy) -> None:
    """One more consecutive failure of a destination (a partner's adapter, a webhook); at the
    policy's threshold its breaker opens: it is not called again until then."""
    db.session.execute(
        update(model)
        .where(model.id == row_id)
        .values(consecutive_failures=model.consecutive_failures + 1)
        .execution_options(synchronize_session=False)
    )
    row = db.session.get(model, row_id, populate_existing=True)
    if row.consecutive_failures >= policy.breaker_threshold:
        row.breaker_open_until = now + timedelta(seconds=policy.breaker_open_seconds)


def reset_breaker(model: Any, row_id: int) -> None:
    """The destination answered: its failures are forgotten and its breaker closes."""
    db.session.execute(
        update(model)
        .where(
            model.id == row_id,
            (model.consecutive_failures > 0) | model.breaker_open_until.is_not(None),
        )
        .values(consecutive_failures=0, breaker_open_until=None)
        .execution_options(synchronize_session=False)
    )
