"""Supervisors act on a resident's web request the worker could not raise (its service was
withdrawn meanwhile) or has not raised yet: send it to the worker again ("Raise now"; under
another live service the supervisor picks when its own was withdrawn), or close it and tell
the resident why.

Each action names the `attempts` the supervisor saw and is one conditional UPDATE on it: a
double click, a second supervisor, or the worker having raised or failed it meanwhile find
the row changed and do nothing (Refused). Nothing the resident sent is lost: the row keeps
what they sent (a closed one stays, so its reference answers on /track) and the audit keeps
the answers set aside when a request moves to another service.

Flush only; the view commits, and a request sent again goes to the worker after that commit.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.access.policy import accepted_request_scope
from frontoffice.accounts.models import StaffUser
from frontoffice.audit import operations as audit
from frontoffice.cases.models import Case
from frontoffice.catalogue.answers import clean_answers
from frontoffice.catalogue.models import Service
from frontoffice.customers.models import Language
from frontoffice.extensions import db
from frontoffice.messages.models import ResidentMessage
from frontoffice.messages.operations import tell_request_closed
from frontoffice.public import operations
from frontoffice.public.models import AcceptedRequest
from frontoffice.public.summary import answer_text

REASON_MAX = 1000


class Refused(ValueError):
    """Nothing was done: the message says why, for the supervisor."""


def open_request(
    user: StaffUser, accepted_id: int, *, or_closed: bool = False
) -> AcceptedRequest | None:
    """A request not raised (and not closed, unless `or_closed`), if the user may act on it."""
    query = select(AcceptedRequest).where(
        AcceptedRequest.id == accepted_id, accepted_request_scope(user)
    )
    if not or_closed:
        query = query.where(AcceptedRequest.closed_at.is_(None))
    return db.session.scalar(query)


def answers_in_words(accepted: AcceptedRequest) -> list[tuple[str, str]]:
    """(question, answer) as the resident saw them; an answer to a question since removed is
    shown by its code, so nothing they sent is hidden."""
    questions = {q.code: q for q in accepted.service.questions}
    rows = []
    for code, value in (accepted.data.get("answers") or {}).items():
        q = questions.get(code)
        rows.append((q.label, answer_text(q, value)) if q else (code, str(value)))
    return rows


def live_services() -> list[Service]:
    """The services a request may be moved to: those offered now."""
    return list(db.session.scalars(select(Service).where(Service.active).order_by(Service.name)))


def fitting(answers: dict[str, Any], service: Service) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the answers that are right for `service`'s questions as they are, the rest)."""
    questions = service.active_questions
    codes = {q.code for q in questions}
    offered = {code: value for code, value in answers.items() if code in codes}
    cleaned, errors = clean_answers(questions, offered)
    kept = {c: v for c, v in cleaned.items() if c in offered and c not in errors}
    return kept, {code: value for code, value in answers.items() if code not in kept}


def raise_again(
    actor: Actor,
    accepted: AcceptedRequest,
    seen: int,
    service: Service | None,
    *,
    retry_after: timedelta,
) -> AcceptedRequest:
    """Sends the request to the worker again, now; under `service` (a live one) when given,
    with the resident's answers that fit it. One whose own service was withdrawn needs one."""
    before = accepted.service
    if service is not None and service.id == before.id:
        service = None
    if service is None and not before.active:
        raise Refused(f"{before.name} is withdrawn: choose the service to raise it under")
    if service is not None and not service.active:
        raise Refused(f"{service.name} is no longer offered: choose another")
    data = dict(accepted.data)
    details: dict[str, Any] = {"reference": accepted.reference, "service": before.name}
    if accepted.failure:
        details["failure"] = accepted.failure
    if service is not None:
        kept, set_aside = fitting(data.get("answers") or {}, service)
        data["answers"] = kept
        if set_aside:
            earlier = list(data.get("set_aside") or [])
            earlier.append({"service": before.name, "answers": set_aside})
            data["set_aside"] = earlier
        details.update(to_service=service.name, answers_kept=sorted(kept), set_aside=set_aside)
    _change(
        accepted,
        seen,
        attempts=seen + 1,
        failure="",
        next_attempt_at=clock.now() + retry_after,
        service_id=(service or before).id,
        data=data,
    )
    operations.to_raise(accepted.id)
    audit.record(actor, "raise_web_request_again", "accepted_request", accepted.id, details=details)
    return accepted


def close(
    actor: Actor, accepted: AcceptedRequest, seen: int, reason: str
) -> ResidentMessage | None:
    """Closes the request for `reason` and emails the resident why (in their language), when
    they gave an email address. Their details land on the customer record as raising would
    have put them (a match, or a new record); the row stays for /track."""
    reason = reason.strip()
    if not reason:
        raise Refused("Enter why the request cannot be taken forward")
    if len(reason) > REASON_MAX:
        raise Refused(f"The reason must be {REASON_MAX} characters or fewer")
    _change(accepted, seen, closed_at=clock.now(), close_reason=reason)
    contact = accepted.data.get("contact") or {}
    email = str(contact.get("email") or "")
    language = Language(contact.get("language") or Language.ENGLISH.value)
    phone = str(contact.get("phone") or "")
    customer = operations.land_customer(actor, contact, email, phone, language)
    audit.record(
        actor,
        "close_web_request",
        "accepted_request",
        accepted.id,
        customer_id=customer.id,
        reason=reason,
        details={
            "reference": accepted.reference,
            "service": accepted.service.name,
            "failure": accepted.failure,
            "sent": accepted.data,
        },
    )
    if not email:
        return None
    return tell_request_closed(
        customer.id,
        (email, str(contact.get("first_name") or ""), language),
        reference=accepted.reference,
        service=accepted.service.name,
        reason=reason,
        track_url=accepted.track_url,
    )


def _change(accepted: AcceptedRequest, seen: int, **values: Any) -> None:
    """One UPDATE, only if the row is as the supervisor saw it; else Refused, saying why."""
    done = db.session.execute(
        update(AcceptedRequest)
        .where(
            AcceptedRequest.id == accepted.id,
            AcceptedRequest.attempts == seen,
            AcceptedRequest.closed_at.is_(None),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    case_id, reference = accepted.case_id, accepted.reference
    db.session.expire(accepted)
    if done == 1:
        return
    if db.session.get(Case, case_id) is not None:
        raise Refused(f"{reference} has been raised meanwhile")
    still = db.session.scalar(
        select(AcceptedRequest.closed_at).where(AcceptedRequest.case_id == case_id)
    )
    if still is not None:
        raise Refused(f"{reference} has been closed already")
    raise Refused(f"{reference} changed since the page was shown: check it and try again")
