"""Testing a partner system from its page, against real local servers."""

from __future__ import annotations

from aiosmtpd.controller import Controller

from frontoffice.extensions import db
from tests.adapters.conftest import SmtpCollector, free_port
from tests.adapters.servers import WebhookReceiver
from tests.routing_admin.helpers import audit_events, make_adapter, text, url_of, webhook


def test_testing_a_webhook_reaches_the_partner_with_the_saved_secret(admin, partner, app, receiver):
    row = webhook(partner, app, url=receiver.url)
    response = admin.post(f"{url_of(row)}/test", form_url=url_of(row), follow_redirects=True)
    page = text(response)
    assert "Connection test passed" in page and "accepted a signed test event (200)" in page
    ((key, body),) = receiver.received.items()  # the signature checked out with SECRET
    assert body["event"] == "ping" and key.startswith("ping-")
    (event,) = audit_events("partner_adapter")
    assert event.action == "test_connection" and event.details == {"ok": True}


def test_testing_a_closed_port_says_it_could_not_connect(admin, partner, app):
    port = free_port()
    row = webhook(partner, app, url=f"http://127.0.0.1:{port}/hook")
    page = text(admin.post(f"{url_of(row)}/test", form_url=url_of(row), follow_redirects=True))
    assert "Connection test failed" in page
    assert f"Could not connect to http://127.0.0.1:{port}/hook" in page
    assert audit_events("partner_adapter")[0].details == {"ok": False}


def test_testing_a_webhook_that_refuses_our_signature_says_so(admin, partner, app):
    with WebhookReceiver(secret="some-other-secret-entirely") as other:
        row = webhook(partner, app, url=other.url)
        page = text(admin.post(f"{url_of(row)}/test", form_url=url_of(row), follow_redirects=True))
    assert "Connection test failed" in page and "check the shared secret" in page


def test_testing_settings_never_saved_says_what_is_missing(admin, partner):
    row = make_adapter(partner, "webhook", active=False)
    db.session.commit()
    page = text(admin.post(f"{url_of(row)}/test", form_url=url_of(row), follow_redirects=True))
    assert "Connection test failed" in page and "Enter the receiver URL" in page


def test_testing_an_email_system_talks_to_a_real_mail_server(admin, partner):
    controller = Controller(SmtpCollector(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        row = make_adapter(
            partner,
            "email",
            settings={
                "host": "127.0.0.1",
                "port": controller.port,
                "starttls": False,
                "from_address": "frontoffice@example.org",
                "to_address": "bins@example.org",
            },
        )
        db.session.commit()
        page = text(admin.post(f"{url_of(row)}/test", form_url=url_of(row), follow_redirects=True))
    finally:
        controller.stop()
    assert "Connection test passed" in page
    assert f"Connected to the mail server 127.0.0.1:{controller.port} without encryption" in page
