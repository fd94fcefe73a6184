"""Writing residents' messages with the change that causes them, and moving them along.

Flush only; the callers (views, tasks) commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from frontoffice import clock
from frontoffice.cases.models import Case
from frontoffice.customers.models import Language
from frontoffice.dispatch import outbox
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.extensions import db
from frontoffice.messages import wording
from frontoffice.messages.models import MessageStatus, ResidentMessage

if TYPE_CHECKING:
    from frontoffice.life_events.models import LifeEvent, LifeEventPerson
    from frontoffice.public.models import WebRequest

OUTBOX_KEY = "frontoffice.resident_messages"
UNFLUSHED_KEY = "frontoffice.resident_messages.unflushed"


def tell_resident(case: Case, said_by: str, text: str) -> ResidentMessage | None:
    """A partner's public note, emailed to the resident when we have an address for them and
    they are alive. Sent after the caller's transaction commits."""
    if case.customer.date_of_death is not None or not text.strip():
        return None
    return _email(case, "update", said_by=said_by, text=text.strip())


def tell_informant(
    case: Case, said_by: str, text: str, told: ResidentMessage | None = None
) -> ResidentMessage | None:
    """A partner's public note on a service's notification of a life event, emailed to the
    informant who reported it if they gave an email, in their language; the record's person
    (who may have died) is never written to here. `told`: the resident's own email of the
    same note, so that one address is not written to twice."""
    from frontoffice.life_events.models import Authority

    text = text.strip()
    informant = _informant_told(case) if text else None
    if informant is None:
        return None
    if informant.authority is Authority.SELF and case.customer.date_of_death is not None:
        return None  # they told us of their own move or birth, and have died since
    if told is not None and _same_address(told.to_address, informant.email):
        return None
    return _tell_informant(case, informant, said_by, text)


def _informant_told(case: Case) -> LifeEventPerson | None:
    """The informant with an email address of the life event this case tells a service of."""
    from frontoffice.life_events.models import LifeEventPerson, Notification, PersonRole

    return db.session.scalar(
        select(LifeEventPerson)
        .join(Notification, Notification.life_event_id == LifeEventPerson.life_event_id)
        .where(
            Notification.case_id == case.id,
            LifeEventPerson.role == PersonRole.INFORMANT,
            LifeEventPerson.email != "",
        )
        .limit(1)
    )


def _tell_informant(
    case: Case, informant: LifeEventPerson, said_by: str, text: str
) -> ResidentMessage:
    from frontoffice.life_events.models import format_reference

    values = {
        "reference": format_reference(informant.life_event_id),
        "service": case.service.name,
        "name": informant.name,
        "said_by": said_by,
        "text": text,
    }
    return _write(
        case,
        informant.email,
        wording.say(informant.language, "event_update_subject", **values),
        wording.say(informant.language, "event_update_body", **values),
        life_event_id=informant.life_event_id,
    )


def _same_address(one: str, other: str) -> bool:
    return one.strip().casefold() == other.strip().casefold()


def confirm_request(
    case: Case, track_url: str, web: WebRequest | None = None
) -> ResidentMessage | None:
    """The confirmation of a request a resident made on the web, with its reference; `web`,
    the request's own row when the caller holds it, saves reading it again."""
    return _email(case, "confirm", web, track_url=track_url)


def tell_request_closed(
    customer_id: int, to: tuple[str, str, Language], **values: str
) -> ResidentMessage:
    """To a resident whose web request was closed before it became a case (no case to hang
    it on): `values` has reference, service, reason and track_url."""
    address, name, language = to
    values["name"] = name
    return _write(
        None,
        address,
        wording.say(language, "closed_subject", **values),
        wording.say(language, "closed_body", **values),
        customer_id=customer_id,
    )


def _email(
    case: Case, kind: str, web: WebRequest | None = None, **values: str
) -> ResidentMessage | None:
    """The `kind` email (wording.TEXTS) about the case, in the resident's language."""
    recipient = _recipient(case, web)
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


def _recipient(case: Case, web: WebRequest | None = None) -> tuple[str, str, Language] | None:
    """(address, name, language): those the resident gave with a web request (never a
    matched record's, which may be someone else's), else the customer record's."""
    from frontoffice.public.models import WebRequest  # the web builds on messages

    if web is None:
        web = db.session.scalar(select(WebRequest).where(WebRequest.case_id == case.id))
    if web is not None:
        return (web.email, web.given_name, web.language) if web.email else None
    customer = case.customer
    if not customer.emails:
        return None
    name = customer.preferred_name or customer.given_name or customer.full_name
    return customer.emails[0].address, name, customer.preferred_language


def confirm_life_event(
    event: LifeEvent, to: tuple[str, str, Language], track_url: str, *, email_only: bool = False
) -> ResidentMessage:
    """The confirmation to the informant who reported a life event: its reference and the
    services told (or that it had already been reported and nobody was told twice). With
    `email_only` (a report an adviser took), tracking it asks for this email address, since
    no postcode of theirs was given."""
    address, name, language = to
    kind = "event_again" if event.duplicate_of_id is not None else "event_confirm"
    told = "\n".join(f"- {n.service.name}" for n in event.notifications)
    values = {
        "reference": event.reference,
        "name": name,
        "track_url": track_url,
        "told": told,
        "gave": wording.say(language, "gave_email" if email_only else "gave_email_or_postcode"),
    }
    message = _write(
        None,
        address,
        wording.say(language, f"{kind}_subject", **values),
        wording.say(language, f"{kind}_body", **values),
        customer_id=event.customer_id,
        life_event_id=event.id,
    )
    return message


def _write(
    case: Case | None,
    address: str,
    subject: str,
    body: str,
    *,
    customer_id: int | None = None,
    life_event_id: int | None = None,
) -> ResidentMessage:
    message = ResidentMessage(
        case_id=case.id if case is not None else None,
        customer_id=case.customer_id if case is not None else customer_id,
        life_event_id=life_event_id,
        to_address=address,
        subject=subject[:200],
        body=body,
        status=MessageStatus.PENDING,
        next_attempt_at=clock.now(),
    )
    db.session.add(message)
    # Sent after the commit; known by its id once the caller's next flush has written it.
    db.session.info.setdefault(UNFLUSHED_KEY, []).append(message)
    return message


@event.listens_for(Session, "after_flush_postexec")
def _outbox_ids_after_flush(session: Session, _context) -> None:
    waiting = []
    for message in session.info.pop(UNFLUSHED_KEY, None) or ():
        if message.id is None:  # not in this flush (expunged): keep waiting
            waiting.append(message)
        else:
            session.info.setdefault(OUTBOX_KEY, set()).add(message.id)
    if waiting:
        session.info[UNFLUSHED_KEY] = waiting


def suppress_for(customer_id: int) -> int:
    """Stops the messages not yet sent to a customer who has died; returns how many."""
    return db.session.execute(
        update(ResidentMessage)
        .where(
            ResidentMessage.customer_id == customer_id,
            ResidentMessage.status == MessageStatus.PENDING,
            ResidentMessage.life_event_id.is_(None),
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
