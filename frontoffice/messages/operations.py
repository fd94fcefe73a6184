"""Writing residents' messages with the change that causes them, and moving them along.

Flush only; the callers (views, tasks) commit.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select, update

from frontoffice import clock
from frontoffice.cases.models import Case
from frontoffice.customers.models import Language
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.extensions import db
from frontoffice.messages import wording
from frontoffice.messages.models import MessageStatus, ResidentMessage

OUTBOX_KEY = "frontoffice.resident_messages"


def tell_resident(case: Case, said_by: str, text: str) -> ResidentMessage | None:
    """A partner's public note, emailed to the resident when we have an address for them and
    they are alive. Sent after the caller's transaction commits."""
    if case.customer.date_of_death is not None or not text.strip():
        return None
    return _email(case, "update", said_by=said_by, text=text.strip())


def confirm_request(case: Case, track_url: str) -> ResidentMessage | None:
    """The confirmation of a request a resident made on the web, with its reference."""
    return _email(case, "confirm", track_url=track_url)


def _email(case: Case, kind: str, **values: str) -> ResidentMessage | None:
    """The `kind` email (wording.TEXTS) about the case, in the resident's language."""
    recipient = _recipient(case)
    if recipient is None:
        return None
    address, name, language = recipient
    values.update(reference=case.reference, service=case.service.name, name=name)
    return _write(
        case,
        address,
        wording.say(language, f"{kind}_subject", **values),
        wording.say(language, f"{kind}_body", **values),
    )


def _recipient(case: Case) -> tuple[str, str, Language] | None:
    """(address, name, language): those the resident gave with a web request (never a
    matched record's, which may be someone else's), else the customer record's."""
    from frontoffice.public.models import WebRequest  # the web builds on messages

    web = db.session.scalar(select(WebRequest).where(WebRequest.case_id == case.id))
    if web is not None:
        return (web.email, web.given_name, web.language) if web.email else None
    customer = case.customer
    if not customer.emails:
        return None
    name = customer.preferred_name or customer.given_name or customer.full_name
    return customer.emails[0].address, name, customer.preferred_language


def _write(case: Case, address: str, subject: str, body: str) -> ResidentMessage:
    message = ResidentMessage(
        case_id=case.id,
        customer_id=case.customer_id,
        to_address=address,
        subject=subject[:200],
        body=body,
        status=MessageStatus.PENDING,
        next_attempt_at=clock.now(),
    )
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(OUTBOX_KEY, set()).add(message.id)
    return message


def claim(message_id: int, policy: RetryPolicy) -> ResidentMessage | None:
    now = clock.now()
    stale = now - timedelta(seconds=policy.lease_seconds)
    return db.session.scalars(
        update(ResidentMessage)
        .where(
            ResidentMessage.id == message_id,
            or_(
                ResidentMessage.status == MessageStatus.PENDING,
                (ResidentMessage.status == MessageStatus.SENDING)
                & (ResidentMessage.claimed_at < stale),
            ),
        )
        .values(status=MessageStatus.SENDING, claimed_at=now, attempts=ResidentMessage.attempts + 1)
        .returning(ResidentMessage)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).one_or_none()


def record_sent(message: ResidentMessage) -> None:
    message.status = MessageStatus.SENT
    message.sent_at = clock.now()
    message.next_attempt_at = None
    message.last_error = ""


def record_failure(
    message: ResidentMessage, error: str, *, permanent: bool, policy: RetryPolicy
) -> None:
    now = clock.now()
    message.last_error = error[:2000]
    next_at = None
    if not permanent:
        next_at = policy.next_attempt(
            created_at=message.created_at, now=now, attempt=message.attempts
        )
    message.status = MessageStatus.PENDING if next_at else MessageStatus.DEAD
    message.next_attempt_at = next_at


def due(policy: RetryPolicy, limit: int = 500) -> list[int]:
    """Messages whose task may have been lost, for the sweeper."""
    now = clock.now()
    stale = now - timedelta(seconds=policy.lease_seconds)
    return list(
        db.session.scalars(
            select(ResidentMessage.id)
            .where(
                or_(
                    (ResidentMessage.status == MessageStatus.PENDING)
                    & (ResidentMessage.next_attempt_at <= now),
                    (ResidentMessage.status == MessageStatus.SENDING)
                    & (ResidentMessage.claimed_at < stale),
                )
            )
            .order_by(ResidentMessage.id)
            .limit(limit)
        )
    )
