"""Connection tests never hold a page for long, and every adapter type gets a settings form."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import pytest
from markupsafe import escape

from frontoffice import adapters
from frontoffice.adapters import Adapter, DeliveryPayload, DeliveryResult, webhook
from frontoffice.extensions import db
from frontoffice.routing_admin import connection
from tests.adapters.servers import WebhookReceiver
from tests.factories import PartnerFactory
from tests.routing_admin.helpers import ADAPTERS, make_adapter, text

SLOW_SECRET = "a-shared-secret-of-32-characters"


class Sleepy(Adapter):
    """Not registered: an adapter that takes too long, or breaks."""

    type_name = "sleepy"
    label = "Sleepy"

    def __init__(self, seconds: float = 0.0, error: Exception | None = None) -> None:
        self.seconds, self.error = seconds, error

    def deliver(self, payload: DeliveryPayload, settings: Mapping[str, Any]) -> DeliveryResult:
        raise NotImplementedError

    def test_connection(self, settings: Mapping[str, Any]) -> str:
        time.sleep(self.seconds)
        if self.error is not None:
            raise self.error
        return "awake"


@pytest.mark.no_db
def test_the_adapters_own_timeout_is_lowered_to_the_cap():
    assert connection.capped({"timeout": 300.0, "url": "u"}, 10) == {"timeout": 10.0, "url": "u"}
    assert connection.capped({"timeout": 2}, 10)["timeout"] == 2.0
    assert connection.capped({}, 10)["timeout"] == 10


@pytest.mark.no_db
def test_a_partner_that_answers_too_slowly_is_given_up_on_within_the_cap():
    with WebhookReceiver(secret=SLOW_SECRET) as slow:
        slow.slow_seconds = 3.0
        slow.fail_next("timeout")
        started = time.monotonic()
        settings = {"url": slow.url, "secret": SLOW_SECRET, "timeout": 120}
        outcome = connection.check_connection(webhook.WebhookAdapter(), settings, cap=0.5)
        elapsed = time.monotonic() - started
    assert not outcome.ok and "did not answer within 0.5 seconds" in outcome.message
    assert elapsed < 2.0


@pytest.mark.no_db
def test_an_adapter_that_hangs_beyond_its_timeout_is_cut_off():
    started = time.monotonic()
    outcome = connection.check_connection(Sleepy(seconds=3), {}, cap=0.2)
    assert time.monotonic() - started < 2.0
    assert outcome == connection.Outcome(
        False, "The partner system did not answer within 0.2 seconds"
    )


@pytest.mark.no_db
def test_an_adapters_bug_is_a_plain_message_and_a_log_line_without_settings(caplog):
    error = RuntimeError("boom with password hunter2-secret")
    outcome = connection.check_connection(
        Sleepy(error=error), {"password": "hunter2-secret"}, cap=2
    )
    assert outcome == connection.Outcome(False, "The test failed unexpectedly. Try again later.")
    assert "RuntimeError" in caplog.text and "hunter2" not in caplog.text


@pytest.mark.no_db
def test_a_successful_test_gives_the_adapters_message():
    assert connection.check_connection(Sleepy(), {}) == connection.Outcome(True, "awake")


@pytest.mark.parametrize("adapter_type", adapters.all_types())
def test_every_adapter_type_gets_a_settings_form(as_role, adapter_type):
    partner = PartnerFactory()
    row = make_adapter(partner, adapter_type, active=False)
    db.session.commit()
    admin = as_role("administrator")
    page = text(admin.get(f"{ADAPTERS}/{row.id}"))
    for setting in adapters.get(adapter_type).settings:
        assert f'name="s_{setting.name}"' in page, setting.name
        assert str(escape(setting.label)) in page
    # Saving what the page shows gives the adapter's own messages, or saves: never a 500.
    response = admin.post(f"{ADAPTERS}/{row.id}", {"name": "x"})
    assert response.status_code in (302, 422)


def test_secrets_that_cannot_be_read_are_asked_for_again(as_role, caplog):
    caplog.set_level(logging.INFO)
    row = make_adapter(
        PartnerFactory(),
        "webhook",
        settings={"url": "https://hooks.example.org/in"},
        secret_settings="gAAAAA-not-a-token-we-can-read",
    )
    db.session.commit()
    admin = as_role("administrator")
    page = text(admin.get(f"{ADAPTERS}/{row.id}"))
    assert "The saved secrets cannot be read" in page and "Saved (hidden)" not in page
    tested = admin.post(
        f"{ADAPTERS}/{row.id}/test", form_url=f"{ADAPTERS}/{row.id}", follow_redirects=True
    )
    assert "enter them again and save" in text(tested)


def test_saving_over_unreadable_secrets_replaces_them(as_role, app):
    from frontoffice.crypto import decrypt_json

    row = make_adapter(
        PartnerFactory(),
        "webhook",
        settings={"url": "https://hooks.example.org/in"},
        secret_settings="gAAAAA-not-a-token-we-can-read",
    )
    db.session.commit()
    admin = as_role("administrator")
    url = f"{ADAPTERS}/{row.id}"
    form = {"name": row.name, "s_url": "https://hooks.example.org/in", "active": "y"}
    refused = admin.post(url, form)
    assert refused.status_code == 422 and "Enter the shared secret" in text(refused)
    saved = admin.post(url, {**form, "s_secret": "a-brand-new-secret-of-length"})
    assert saved.status_code == 302
    db.session.refresh(row)
    assert decrypt_json(app.config["SECRET_KEY"], row.secret_settings) == {
        "secret": "a-brand-new-secret-of-length"
    }
