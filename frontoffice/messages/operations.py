"""Writing residents' messages with the change that causes them, and moving them along.

Flush only; the callers (views, tasks) commit.
"""

from __future__ import annotations

from frontoffice import clock
from frontoffice.cases.models import Case
from frontoffice.dispatch import outbox
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.extensions import db
from frontoffice.messages.models import MessageStatus, ResidentMessage

OUTBOX_KEY = "frontoffice.resident_messages"


def tell_resident(case: Case, said_by: str, text: str) -> ResidentMessage | None:
    """A partner's public note, emailed to the customer when they have an email address and
    are alive. Sent after the caller's transaction commits."""
    customer = case.customer
    if customer.date_of_death is not None or not customer.emails or not text.strip():
        return None
    message = ResidentMessage(
        case_id=case.id,
        customer_id=customer.id,
        to_address=customer.emails[0].address,
        subject=f"Your request {case.reference}: {case.service.name}"[:200],
        body=(
            f"Dear {customer.preferred_name or customer.given_name or customer.full_name},\n\n"
            f"{said_by} has an update on your request {case.reference} "
            f"({case.service.name}):\n\n{text.strip()}\n\n"
            f"Please quote {case.reference} if you contact us about it.\n"
        ),
        status=MessageStatus.PENDING,
        next_attempt_at=clock.now(),
    )
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(OUTBOX_KEY, set()).add(message.id)
    return message


def suppress_for(customer_id: int) -> int:
    """Stops the messages not yet sent to a customer who has died; returns how many."""
    return db.session.execute(
        update(ResidentMessage)
        .where(
            ResidentMessage.customer_id == customer_id,
            ResidentMessage.status == MessageStatus.PENDING,
        )
        .values(status=MessageStatus.SUPPRESSED, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount


def claim(message_id: int, policy: RetryPolicy) -> ResidentMessage | None:
    return outbox.claim(
        ResidentMessage,
        message_id,
        policy,
        waiting=MessageStatus.PENDING,
        working=MessageStatus.SENDING,
    )


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
    return outbox.due(
        ResidentMessage,
        policy,
        waiting=MessageStatus.PENDING,
        working=MessageStatus.SENDING,
        limit=limit,
    )
