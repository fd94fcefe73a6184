"""The signed JSON webhook against a real local receiver that checks signatures."""

from __future__ import annotations

import json
import logging

import pytest
import time_machine

from frontoffice import adapters
from frontoffice.adapters import AdapterError, PermanentError, RetryableError, SettingsInvalid
from frontoffice.adapters.webhook import WebhookAdapter, body_for, sign, verify
from tests.adapters.conftest import make_payload

pytestmark = pytest.mark.no_db

SECRET = "a-shared-secret-of-32-characters"


def settings_for(receiver, **overrides) -> dict:
    values = {"url": receiver.url, "secret": SECRET, "timeout": 5}
    values.update(overrides)
    return values


def test_deliver_posts_signed_json_with_the_idempotency_key(webhook_receiver, payload):
    with time_machine.travel("2026-03-14T10:00:00+00:00", tick=False):
        result = WebhookAdapter().deliver(payload, settings_for(webhook_receiver))

    assert result.delivered and result.partner_reference == "WH-1"
    call = webhook_receiver.calls[-1]
    headers, body = call["headers"], call["body"]
    assert headers["content-type"] == "application/json"
    assert headers["idempotency-key"] == "dsp-42"
    assert headers["x-frontoffice-event"] == "case.created"
    assert headers["x-frontoffice-timestamp"] == "1773482400"
    assert headers["x-frontoffice-signature"] == sign(SECRET, 1773482400, body)
    document = json.loads(body)
    assert document["id"] == "dsp-42" and document["event"] == "case.created"
    assert document["case"]["reference"] == "FO-000123"
    assert document["case"]["created_at"] == "2026-03-14T09:30:00+00:00"
    assert document["case"]["answers"]["containers"] == ["food", "garden"]
    assert document["customer"]["uprn"] == "100012345678"


def test_retries_send_the_same_body_and_key_and_the_receiver_deduplicates(webhook_receiver):
    adapter = WebhookAdapter()
    settings = settings_for(webhook_receiver)
    first = adapter.deliver(make_payload(), settings)
    second = adapter.deliver(make_payload(), settings)

    assert first.partner_reference == second.partner_reference == "WH-1"
    assert webhook_receiver.duplicates == 1
    assert webhook_receiver.calls[0]["body"] == webhook_receiver.calls[1]["body"]


@pytest.mark.parametrize(
    ("kind", "extra", "event"),
    [
        ("case_update", {}, "case.updated"),
        ("notification", {}, "life_event.notification"),
        ("case", {"event": "case.cancelled"}, "case.cancelled"),
        ("case", {"event": "Bad Event!"}, "case.created"),
    ],
)
def test_event_header_follows_the_kind(webhook_receiver, kind, extra, event):
    WebhookAdapter().deliver(make_payload(kind=kind, extra=extra), settings_for(webhook_receiver))
    assert webhook_receiver.calls[-1]["headers"]["x-frontoffice-event"] == event
    assert "event" not in json.loads(webhook_receiver.calls[-1]["body"])["extra"]


def test_extra_headers_are_sent(webhook_receiver, payload):
    settings = settings_for(
        webhook_receiver, headers="Authorization: Bearer tok-123\nX-Team: waste"
    )
    WebhookAdapter().deliver(payload, settings)
    headers = webhook_receiver.calls[-1]["headers"]
    assert headers["authorization"] == "Bearer tok-123" and headers["x-team"] == "waste"


@pytest.mark.parametrize(
    ("mode", "error", "words"),
    [
        ("500", RetryableError, "answered 500"),
        ("429", RetryableError, "answered 429"),
        ("400", PermanentError, "answered 400 Bad Request: case.reference is missing"),
        ("410", PermanentError, "answered 410"),
        ("302", PermanentError, "redirected to https://elsewhere.example/hook: update"),
        ("timeout", RetryableError, "did not answer within 0.5 seconds"),
    ],
)
def test_failures_are_classified(webhook_receiver, payload, mode, error, words):
    webhook_receiver.fail_next(mode)
    with pytest.raises(error) as caught:
        WebhookAdapter().deliver(payload, settings_for(webhook_receiver, timeout=0.5))
    assert words in str(caught.value)


def test_429_honours_retry_after(webhook_receiver, payload):
    webhook_receiver.fail_next("429")
    with pytest.raises(RetryableError) as caught:
        WebhookAdapter().deliver(payload, settings_for(webhook_receiver))
    assert caught.value.retry_after == 7


def test_any_2xx_is_delivered_even_without_json(webhook_receiver, payload):
    webhook_receiver.fail_next("text")
    result = WebhookAdapter().deliver(payload, settings_for(webhook_receiver))
    assert result.delivered and result.partner_reference is None


def test_wrong_secret_is_permanent(webhook_receiver, payload):
    with pytest.raises(PermanentError, match="refused our request \\(401\\): check the shared"):
        WebhookAdapter().deliver(payload, settings_for(webhook_receiver, secret="x" * 20))


def test_unreachable_is_retryable(payload, closed_port):
    settings = {"url": f"http://127.0.0.1:{closed_port}/hook", "secret": SECRET}
    with pytest.raises(RetryableError, match="Could not connect to http://127.0.0.1:\\d+/hook"):
        WebhookAdapter().deliver(payload, settings)


def test_test_connection_messages(webhook_receiver, closed_port):
    adapter = WebhookAdapter()
    message = adapter.test_connection(settings_for(webhook_receiver))
    assert message == (
        f"The webhook receiver at {webhook_receiver.url} accepted a signed test event (200)."
    )
    assert webhook_receiver.calls[-1]["headers"]["x-frontoffice-event"] == "ping"

    with pytest.raises(AdapterError, match="check the shared secret"):
        adapter.test_connection(settings_for(webhook_receiver, secret="not-the-right-secret"))
    with pytest.raises(AdapterError, match="Could not connect"):
        adapter.test_connection({"url": f"http://127.0.0.1:{closed_port}/", "secret": SECRET})


def test_settings_are_checked():
    adapter = WebhookAdapter()
    with pytest.raises(SettingsInvalid) as caught:
        adapter.validate_settings(
            {"url": "http://user:pw@example.org/hook", "secret": "short", "headers": "nonsense"}
        )
    assert caught.value.errors == {
        "url": "Receiver URL must not contain a username or password",
        "headers": "Extra headers must be lines of name=value",
    }
    with pytest.raises(SettingsInvalid) as caught:
        adapter.validate_settings(
            {"url": "https://example.org", "secret": "short", "headers": "Idempotency-Key: x"}
        )
    assert caught.value.errors == {
        "secret": "Shared secret must be at least 16 characters",
        "headers": "Extra headers: Idempotency-Key is set by the adapter itself",
    }


def test_verify():
    body = body_for(make_payload())
    signature = sign(SECRET, 1_700_000_000, body)

    assert verify(SECRET, "1700000000", body, signature, now=1_700_000_100)
    assert verify(SECRET, 1_700_000_000, body.decode(), signature, now=1_700_000_000)
    assert not verify(SECRET, 1_700_000_000, body + b" ", signature, now=1_700_000_000)
    assert not verify("another-secret-entirely", 1_700_000_000, body, signature, now=1_700_000_000)
    assert not verify(SECRET, 1_700_000_001, body, signature, now=1_700_000_000)
    assert not verify(SECRET, 1_700_000_000, body, signature, now=1_700_000_301)  # replay
    assert not verify(SECRET, "soon", body, signature, now=1_700_000_000)
    assert not verify(SECRET, 1_700_000_000, body, signature.upper(), now=1_700_000_000)


def test_secrets_never_reach_logs_errors_or_repr(webhook_receiver, payload, caplog):
    caplog.set_level(logging.DEBUG)
    adapter = WebhookAdapter()
    settings = settings_for(webhook_receiver, headers="Authorization: Bearer hdr-secret-9")
    adapter.deliver(payload, settings)
    webhook_receiver.fail_next("500")
    with pytest.raises(RetryableError) as caught:
        adapter.deliver(payload, settings)

    assert "HTTP Request: POST" in caplog.text
    for secret in (SECRET, "hdr-secret-9"):
        assert secret not in caplog.text
        assert secret not in str(caught.value)
        validated = adapter.validate_settings(settings)
        assert secret not in repr(validated) and secret not in str(validated)
        assert secret not in str(adapters.redact("webhook", settings))
