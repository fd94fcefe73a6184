"""A partner's public note reaches the resident by email, through the outbox."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes

import pytest
from sqlalchemy import func, select

from frontoffice.access.actor import Actor
from frontoffice.adapters.base import StatusUpdate
from frontoffice.dispatch.updates import apply_update
from frontoffice.extensions import db
from frontoffice.messages import operations, tasks
from frontoffice.messages.models import MessageStatus, ResidentMessage
from tests.dispatch.test_outbox import routed_case
from tests.factories import CustomerEmailFactory, PartnerFactory

ACTOR = Actor.system("test")


def _update(partner, dispatch, note, update_id="u1", minute=0):
    when = datetime(2026, 3, 14, 9, minute, tzinfo=UTC)
    return apply_update(ACTOR, partner, dispatch, StatusUpdate(update_id, "x", "open", when, note))


def _case_with_email(address="ada@example.org"):
    partner = PartnerFactory(name="Northvale District Council")
    case, (dispatch,) = routed_case(partner)
    CustomerEmailFactory(customer=case.customer, address=address)
    db.session.refresh(case.customer)
    return partner, case, dispatch


@pytest.fixture
def relay(smtp_server, monkeypatch):
    monkeypatch.setenv("FRONTOFFICE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("FRONTOFFICE_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("FRONTOFFICE_SMTP_STARTTLS", "0")
    monkeypatch.setenv("FRONTOFFICE_MAIL_FROM", "updates@shire.example")
    return smtp_server


def test_a_public_note_is_emailed_to_the_resident_once(relay):
    partner, case, dispatch = _case_with_email()
    _update(partner, dispatch, "A crew will come on Tuesday")
    [message] = db.session.scalars(select(ResidentMessage)).all()
    assert db.session.info[operations.OUTBOX_KEY] == {message.id}
    db.session.commit()

    assert tasks.send(message.id) == "sent"
    assert tasks.send(message.id) == "not claimed"
    [envelope] = relay.collector.envelopes
    assert envelope.rcpt_tos == ["ada@example.org"]
    email = message_from_bytes(envelope.content)
    assert email["Subject"] == f"Your request {case.reference}: {case.service.name}"
    assert "A crew will come on Tuesday" in email.get_payload(decode=True).decode()
    assert "Northvale District Council" in email.get_payload(decode=True).decode()
    assert f"rm-{message.id}" in email["Message-ID"]
    db.session.refresh(message)
    assert message.status is MessageStatus.SENT and message.sent_at is not None


def test_no_note_no_email_no_dead_and_rolled_back_changes_send_nothing(relay):
    partner, case, dispatch = _case_with_email()
    _update(partner, dispatch, "", update_id="quiet")
    case.customer.date_of_death = datetime(2026, 1, 1).date()
    _update(partner, dispatch, "Closed", update_id="late", minute=5)
    assert db.session.scalar(select(func.count()).select_from(ResidentMessage)) == 0

    partner2, case2, dispatch2 = _case_with_email("bob@example.org")
    db.session.commit()
    db.session.begin_nested()
    _update(partner2, dispatch2, "Rolled back")
    db.session.rollback()
    assert operations.OUTBOX_KEY not in db.session.info
    assert relay.collector.envelopes == []


def test_a_relay_that_refuses_for_now_is_retried_and_a_bad_address_is_dead(relay):
    partner, case, dispatch = _case_with_email()
    _update(partner, dispatch, "Update one")
    db.session.commit()
    [message] = db.session.scalars(select(ResidentMessage)).all()
    relay.collector.rcpt_answer = "451 Try again later"
    assert tasks.send(message.id) == "failed"
    db.session.refresh(message)
    assert message.status is MessageStatus.PENDING and "451" in message.last_error
    relay.collector.rcpt_answer = "550 No such mailbox"
    message.next_attempt_at = None
    db.session.commit()
    assert tasks.send(message.id) == "failed"
    db.session.refresh(message)
    assert message.status is MessageStatus.DEAD and "550" in message.last_error


def test_without_a_relay_messages_are_written_to_the_instance_folder(app, monkeypatch):
    monkeypatch.delenv("FRONTOFFICE_SMTP_HOST", raising=False)
    partner, case, dispatch = _case_with_email()
    _update(partner, dispatch, "Written, not sent")
    db.session.commit()
    [message] = db.session.scalars(select(ResidentMessage)).all()
    assert tasks.send(message.id) == "sent"
    from pathlib import Path

    path = Path(app.config["INSTANCE_DIR"]) / "mail" / f"resident-message-{message.id}.eml"
    assert "Written, not sent" in path.read_text()


def test_the_sweeper_finds_messages_whose_task_was_lost(relay):
    partner, case, dispatch = _case_with_email()
    _update(partner, dispatch, "Lost task")
    db.session.info.pop(operations.OUTBOX_KEY)  # as if the broker lost it
    db.session.commit()
    [message] = db.session.scalars(select(ResidentMessage)).all()
    assert message.id in operations.due(tasks.RetryPolicy.from_env())


def test_an_email_written_before_a_death_is_recorded_is_stopped_when_it_would_be_sent(relay):
    """Written, then the customer's death recorded by other means (a merge, an import), then
    the worker picks it up: nothing goes to the person who has died."""
    partner, case, dispatch = _case_with_email()
    _update(partner, dispatch, "A crew will come on Tuesday")
    [message] = db.session.scalars(select(ResidentMessage)).all()
    case.customer.date_of_death = datetime(2026, 3, 14).date()
    db.session.commit()

    assert tasks.send(message.id) == "suppressed"
    db.session.refresh(message)
    assert message.status is MessageStatus.SUPPRESSED and message.next_attempt_at is None
    assert relay.collector.envelopes == []
    assert tasks.send(message.id) == "not claimed"
