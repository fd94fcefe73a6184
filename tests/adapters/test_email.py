"""The SMTP adapter against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import logging

import pytest

from frontoffice.adapters import AdapterError, PermanentError, RetryableError, SettingsInvalid
from frontoffice.adapters.email import EmailAdapter
from tests.adapters.conftest import SMTP_PASSWORD, SMTP_USER, make_payload

pytestmark = pytest.mark.no_db


def settings_for(server, **overrides) -> dict:
    values = {
        "host": "127.0.0.1",
        "port": server.port,
        "starttls": False,
        "from_address": "frontoffice@council.example",
        "to_address": "waste-team@district.example",
        "timeout": 5,
    }
    values.update(overrides)
    return values


def received(server):
    envelope = server.collector.envelopes[-1]
    return envelope, email.message_from_bytes(envelope.content, policy=email.policy.default)


def test_deliver_sends_text_and_html_with_a_stable_message_id(smtp_server, payload):
    result = EmailAdapter().deliver(payload, settings_for(smtp_server))

    assert result.delivered
    assert result.detail == "Emailed to waste-team@district.example as <dsp-42@frontoffice.invalid>"
    envelope, message = received(smtp_server)
    assert envelope.mail_from == "frontoffice@council.example"
    assert envelope.rcpt_tos == ["waste-team@district.example"]
    assert message["Subject"] == "[FO-000123] Missed bin"
    assert message["Message-ID"] == "<dsp-42@frontoffice.invalid>"
    assert message["From"] == "frontoffice@council.example"
    assert message["To"] == "waste-team@district.example"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Frontoffice-Reference"] == "FO-000123"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Reference: FO-000123" in text
    assert "Created: 14 March 2026 09:30 GMT" in text
    assert "containers: food, garden" in text and "assisted: Yes" in text
    assert "UPRN: 100012345678" in text
    assert "<td>Bin not collected on Tuesday<br>Second line</td>" in html


def test_case_content_is_escaped_in_html_and_subject_stays_one_line(smtp_server):
    payload = make_payload(
        service_name="Missed\r\nBcc: victim@example.org bin",
        summary="<script>alert('x')</script> & <b>bold</b>",
        customer={"name": '"><img src=x onerror=alert(1)>'},
    )
    EmailAdapter().deliver(payload, settings_for(smtp_server))

    envelope, message = received(smtp_server)
    assert message["Subject"] == "[FO-000123] Missed Bcc: victim@example.org bin"
    assert message["Bcc"] is None and envelope.rcpt_tos == ["waste-team@district.example"]
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "<img" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_message_id_domain_is_configurable(smtp_server, payload):
    EmailAdapter().deliver(
        payload, settings_for(smtp_server, message_id_domain="fo.council.example")
    )
    assert received(smtp_server)[1]["Message-ID"] == "<dsp-42@fo.council.example>"


def test_login_over_starttls_with_a_private_authority(smtp_server, payload, tls_files):
    settings = settings_for(
        smtp_server,
        starttls=True,
        ca_file=str(tls_files[0]),
        username=SMTP_USER,
        password=SMTP_PASSWORD,
    )
    EmailAdapter().deliver(payload, settings)
    assert received(smtp_server)[1]["Message-ID"] == "<dsp-42@frontoffice.invalid>"

    message = EmailAdapter().test_connection(settings)
    assert message == (
        f"Connected to the mail server 127.0.0.1:{smtp_server.port} with STARTTLS "
        f"and signed in as {SMTP_USER}."
    )


def test_an_unknown_certificate_is_permanent(smtp_server, payload):
    with pytest.raises(PermanentError, match="Could not verify the TLS certificate"):
        EmailAdapter().deliver(payload, settings_for(smtp_server, starttls=True))


@pytest.mark.parametrize(
    ("where", "answer", "error", "words"),
    [
        ("rcpt", "450 4.2.1 Mailbox busy", RetryableError, "answered 450 4.2.1 Mailbox busy"),
        ("rcpt", "550 5.1.1 No such user", PermanentError, "answered 550 5.1.1 No such user"),
        ("data", "451 4.3.0 Try later", RetryableError, "answered 451 4.3.0 Try later"),
        ("data", "554 5.7.1 Rejected as spam", PermanentError, "answered 554 5.7.1 Rejected"),
    ],
)
def test_smtp_answers_are_classified(smtp_server, payload, where, answer, error, words):
    setattr(smtp_server.collector, f"{where}_answer", answer)
    with pytest.raises(error) as caught:
        EmailAdapter().deliver(payload, settings_for(smtp_server))
    assert words in str(caught.value)


def test_bad_credentials_are_permanent(smtp_server, payload):
    settings = settings_for(smtp_server, username=SMTP_USER, password="wrong-password")
    with pytest.raises(PermanentError, match="refused the username or password"):
        EmailAdapter().deliver(payload, settings)
    with pytest.raises(AdapterError, match="refused the username or password"):
        EmailAdapter().test_connection(settings)


def test_unreachable_server_is_retryable(payload, closed_port):
    settings = {
        "host": "127.0.0.1",
        "port": closed_port,
        "starttls": False,
        "from_address": "fo@council.example",
        "to_address": "team@district.example",
    }
    with pytest.raises(
        RetryableError, match=f"Could not talk to the mail server 127.0.0.1:{closed_port}"
    ):
        EmailAdapter().deliver(payload, settings)
    with pytest.raises(AdapterError, match="Connection refused"):
        EmailAdapter().test_connection(settings)


def test_settings_are_checked():
    with pytest.raises(SettingsInvalid) as caught:
        EmailAdapter().validate_settings(
            {
                "host": "smtp.example.org",
                "port": "70000",
                "starttls": "no",
                "password": "pw",
                "from_address": "not an address",
            }
        )
    assert caught.value.errors == {
        "port": "Port must be between 1 and 65535",
        "from_address": "From address must be an email address, like name@example.org",
        "to_address": "Enter the partner team's mailbox",
    }
    with pytest.raises(SettingsInvalid) as caught:
        EmailAdapter().validate_settings(
            {
                "host": "smtp.example.org",
                "starttls": "no",
                "use_ssl": "yes",
                "username": "u",
                "password": "pw",
                "from_address": "a@example.org",
                "to_address": "b@example.org",
                "message_id_domain": "not a domain",
            }
        )
    assert set(caught.value.errors) == {"message_id_domain"}
    with pytest.raises(SettingsInvalid) as caught:
        EmailAdapter().validate_settings(
            {
                "host": "smtp.example.org",
                "starttls": "yes",
                "use_ssl": "on",
                "from_address": "a@example.org",
                "to_address": "b@example.org",
            }
        )
    assert caught.value.errors == {"use_ssl": "Choose STARTTLS or TLS from the start, not both"}
    with pytest.raises(SettingsInvalid) as caught:
        EmailAdapter().validate_settings(
            {
                "host": "smtp.example.org",
                "starttls": "off",
                "username": "u",
                "password": "pw",
                "from_address": "a@example.org",
                "to_address": "b@example.org",
            }
        )
    assert caught.value.errors == {
        "starttls": "Use STARTTLS or TLS to send a password to another machine"
    }


def test_password_never_reaches_logs_or_repr(smtp_server, payload, caplog):
    caplog.set_level(logging.DEBUG)
    settings = settings_for(smtp_server, username=SMTP_USER, password=SMTP_PASSWORD)
    adapter = EmailAdapter()
    adapter.deliver(payload, settings)
    with pytest.raises(PermanentError) as caught:
        adapter.deliver(payload, {**settings, "password": "wrong-but-secret-77"})

    assert SMTP_PASSWORD not in caplog.text and "wrong-but-secret-77" not in caplog.text
    assert "wrong-but-secret-77" not in str(caught.value)
    validated = adapter.validate_settings(settings)
    assert SMTP_PASSWORD not in repr(validated) and SMTP_PASSWORD not in f"{validated}"
