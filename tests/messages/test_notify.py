"""Residents' emails through GOV.UK Notify, against a local server playing Notify's API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from frontoffice.extensions import db
from frontoffice.messages import operations, tasks
from frontoffice.messages.models import MessageStatus, ResidentMessage
from tests.messages.test_resident_messages import _case_with_email
from tests.partner_servers import NotifyServer

TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"


@pytest.fixture
def notify(monkeypatch):
    with NotifyServer() as server:
        monkeypatch.setenv("FRONTOFFICE_MAILER", "notify")
        monkeypatch.setenv("FRONTOFFICE_NOTIFY_API_KEY", NotifyServer.API_KEY)
        monkeypatch.setenv("FRONTOFFICE_NOTIFY_TEMPLATE_ID", TEMPLATE)
        monkeypatch.setenv("FRONTOFFICE_NOTIFY_BASE_URL", server.url)
        monkeypatch.setenv("FRONTOFFICE_NOTIFY_TIMEOUT", "5")
        yield server


def _message() -> ResidentMessage:
    _, case, _ = _case_with_email("ada@example.org")
    message = operations.tell_resident(case, "Northvale District Council", "Collected today")
    db.session.commit()
    return message


def test_a_message_goes_through_notify_with_its_outbox_id(notify):
    message = _message()
    assert tasks.send(message.id) == "sent"
    assert tasks.send(message.id) == "not claimed"
    [sent] = notify.sent
    assert sent["email_address"] == "ada@example.org"
    assert sent["template_id"] == TEMPLATE
    assert sent["reference"] == f"rm-{message.id}"
    assert sent["personalisation"]["subject"] == message.subject
    assert "Collected today" in sent["personalisation"]["body"]
    db.session.refresh(message)
    assert message.status is MessageStatus.SENT


@pytest.mark.parametrize(
    ("code", "status"),
    [(500, MessageStatus.PENDING), (429, MessageStatus.PENDING), (400, MessageStatus.DEAD)],
)
def test_notify_failures_retry_or_give_up(notify, code, status):
    notify.status_code = code
    message = _message()
    assert tasks.send(message.id) == "failed"
    db.session.refresh(message)
    assert message.status is status
    assert f"GOV.UK Notify answered {code}" in message.last_error
    assert notify.sent == []


def test_a_wrong_key_is_permanent(notify, monkeypatch):
    monkeypatch.setenv(
        "FRONTOFFICE_NOTIFY_API_KEY",
        f"wrong-{NotifyServer.SERVICE_ID}-00000000-0000-0000-0000-000000000000",
    )
    message = _message()
    assert tasks.send(message.id) == "failed"
    db.session.refresh(message)
    assert message.status is MessageStatus.DEAD and "403" in message.last_error


def test_missing_settings_are_permanent(notify, monkeypatch):
    monkeypatch.delenv("FRONTOFFICE_NOTIFY_TEMPLATE_ID")
    message = _message()
    assert tasks.send(message.id) == "failed"
    db.session.refresh(message)
    assert message.status is MessageStatus.DEAD
    assert "FRONTOFFICE_NOTIFY_TEMPLATE_ID" in message.last_error
    assert db.session.scalars(select(ResidentMessage)).all()


def test_notify_unreachable_is_retried(monkeypatch):
    with NotifyServer() as server:
        url = server.url
    monkeypatch.setenv("FRONTOFFICE_MAILER", "notify")
    monkeypatch.setenv("FRONTOFFICE_NOTIFY_API_KEY", NotifyServer.API_KEY)
    monkeypatch.setenv("FRONTOFFICE_NOTIFY_TEMPLATE_ID", TEMPLATE)
    monkeypatch.setenv("FRONTOFFICE_NOTIFY_BASE_URL", url)
    message = _message()
    assert tasks.send(message.id) == "failed"
    db.session.refresh(message)
    assert message.status is MessageStatus.PENDING
