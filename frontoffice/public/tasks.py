"""Thin Celery tasks: raise a resident's accepted request; sweep for ones whose task was lost."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from frontoffice import clock
from frontoffice.cases.models import Case
from frontoffice.database import after_outermost_commit
from frontoffice.extensions import db
from frontoffice.public import operations
from frontoffice.public.models import AcceptedRequest
from frontoffice.worker import celery_app

log = logging.getLogger(__name__)


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
        .where(AcceptedRequest.id == accepted_id, operations.raisable())
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
        _failed(accepted_id, "")
        raise
    except operations.CannotRaise as error:
        db.session.rollback()
        _failed(accepted_id, str(error))
        return "cannot raise"
    except OperationalError:
        db.session.rollback()
        raise
    except Exception:  # a bug: the sweeper tries again later, each time after longer
        db.session.rollback()
        log.exception("could not raise accepted request %s", accepted_id)
        _failed(accepted_id, "")
        raise
    return case.reference


def _failed(accepted_id: int, failure: str) -> None:
    operations.record_failure(accepted_id, failure, operations.retry_policy())
    db.session.commit()


def enqueue(accepted_id: int) -> None:
    try:
        raise_request.apply_async(args=[accepted_id])
    except Exception:  # the sweeper will find it
        log.warning("could not enqueue accepted request %s; the sweeper will", accepted_id)


@after_outermost_commit(operations.TO_RAISE_KEY)
def _enqueue_committed(session: Session) -> None:
    for accepted_id in sorted(session.info.get(operations.TO_RAISE_KEY) or ()):
        enqueue(accepted_id)


@celery_app.task(name="frontoffice.public.sweep")
def sweep() -> int:
    ids = operations.take_due(now=clock.now(), wait=operations.retry_after())
    db.session.commit()
    return len(ids)
