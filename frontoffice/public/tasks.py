"""Thin Celery tasks: raise a resident's accepted request; sweep for ones whose task was lost."""

from __future__ import annotations

import logging
import os
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from frontoffice import clock
from frontoffice.cases.models import Case
from frontoffice.extensions import db
from frontoffice.public import operations
from frontoffice.public.models import AcceptedRequest
from frontoffice.worker import celery_app

log = logging.getLogger(__name__)


def retry_after() -> timedelta:
    """How long an accepted request may wait for its task before the sweeper sends another."""
    return timedelta(seconds=float(os.environ.get("FRONTOFFICE_INTAKE_RETRY_SECONDS", "60")))


@celery_app.task(
    name="frontoffice.public.raise_request",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def raise_request(accepted_id: int) -> str:
    """Raises the case in one transaction. Run twice, the second finds nothing left to do:
    the accepted request goes with the case, and the case's id is the one reserved for it."""
    accepted = db.session.scalar(
        select(AcceptedRequest)
        .where(
            AcceptedRequest.id == accepted_id,
            AcceptedRequest.failure == "",
            AcceptedRequest.closed_at.is_(None),  # closed by a supervisor: never raised
        )
        .with_for_update(skip_locked=True, of=AcceptedRequest)
    )
    if accepted is None:
        db.session.rollback()
        return "nothing to raise"
    case_id = accepted.case_id
    try:
        case = operations.raise_accepted(accepted)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if db.session.get(Case, case_id) is not None:  # another run raised it meanwhile
            return "already raised"
        log.exception("could not raise accepted request %s", accepted_id)
        _record_failure(accepted_id, "")
        raise
    except operations.CannotRaise as error:
        db.session.rollback()
        _record_failure(accepted_id, str(error))
        return "cannot raise"
    except OperationalError:
        db.session.rollback()
        raise
    except Exception:  # a bug: the sweeper tries again later, each time after longer
        db.session.rollback()
        log.exception("could not raise accepted request %s", accepted_id)
        _record_failure(accepted_id, "")
        raise
    return case.reference


def _record_failure(accepted_id: int, failure: str) -> None:
    """`failure`: why it can never be raised (staff see it); empty to try again later."""
    accepted = db.session.get(AcceptedRequest, accepted_id)
    if accepted is None:
        return
    accepted.attempts += 1
    accepted.failure = failure
    accepted.next_attempt_at = clock.now() + retry_after() * 2**accepted.attempts
    db.session.commit()


def enqueue(accepted_id: int) -> None:
    try:
        raise_request.apply_async(args=[accepted_id])
    except Exception:  # the sweeper will find it
        log.warning("could not enqueue accepted request %s; the sweeper will", accepted_id)


def due(limit: int = 500) -> list[int]:
    """Accepted requests whose task may have been lost, each put off for another wait so the
    next sweep does not send it again at once."""
    now = clock.now()
    rows = list(
        db.session.scalars(
            select(AcceptedRequest)
            .where(
                AcceptedRequest.failure == "",
                AcceptedRequest.closed_at.is_(None),
                AcceptedRequest.next_attempt_at <= now,
            )
            .order_by(AcceptedRequest.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True, of=AcceptedRequest)
        )
    )
    for accepted in rows:
        accepted.next_attempt_at = now + retry_after()
    return [a.id for a in rows]


@celery_app.task(name="frontoffice.public.sweep")
def sweep() -> int:
    ids = due()
    db.session.commit()
    for accepted_id in ids:
        enqueue(accepted_id)
    return len(ids)
