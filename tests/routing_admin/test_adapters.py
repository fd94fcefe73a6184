"""The partner systems pages: list, add, and settings (secrets kept hidden)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from frontoffice import clock
from frontoffice.audit.models import AuditEvent
from frontoffice.crypto import encrypt_json
from frontoffice.dispatch.models import PartnerAdapter
from frontoffice.extensions import db
from tests.factories import PartnerFactory, ServiceFactory
from tests.routing_admin.helpers import (
    ADAPTERS,
    HEADER_SECRET,
    NEW_ADAPTER,
    NEW_SECRET,
    SECRET,
    assert_error,
    audit_events,
    count,
    make_adapter,
    secrets_of,
    text,
    url_of,
    webhook,
)


def webhook_form(**changes) -> dict:
    values = {
        "name": "Northvale webhook",
        "s_url": "https://hooks.example.org/in",
        "s_secret": "",
        "s_timeout": "10",
        "s_headers": "",
        "active": "y",
    }
    values.update(changes)
    return values


def test_the_list_shows_each_partner_with_its_systems_and_their_state(admin, partner, app):
    service = ServiceFactory(name="Missed bin", owning_partner=partner)
    quiet = PartnerFactory(name="Eastmoor District Council")
    webhook(
        partner,
        app,
        name="Northvale webhook",
        consecutive_failures=5,
        breaker_open_until=clock.now() + timedelta(minutes=30),
    )
    make_adapter(partner, "email", service=service, name="Bins mailbox", active=False)
    db.session.commit()
    page = text(admin.get(ADAPTERS))
    for expected in (
        "Northvale webhook",
        "Signed JSON webhook",
        "All services",
        "Bins mailbox",
        "Email (SMTP)",
        "Missed bin",
        "Paused",
        "5 failures in a row",
        "Off",
        quiet.name,
        "Partner portal (nothing set up)",
    ):
        assert expected in page, expected
    assert SECRET not in page


def test_adding_a_system_leads_to_its_settings_and_is_audited(admin, partner):
    response = admin.post(
        NEW_ADAPTER, {"partner": str(partner.id), "service": "", "adapter_type": "webhook"}
    )
    assert response.status_code == 302, text(response)[:3000]
    row = db.session.scalars(db.select(PartnerAdapter)).one()
    assert response.headers["Location"].endswith(url_of(row))
    assert row.adapter_type == "webhook" and row.service_id is None
    assert row.name == "Northvale District Council Signed JSON webhook"
    assert row.active is False  # nothing is sent until its settings are saved
    (event,) = audit_events("partner_adapter")
    assert event.action == "create" and event.details["adapter_type"] == "webhook"
    page = text(admin.get(url_of(row)))
    assert "Receiver URL" in page and "Shared secret" in page and "Not set" in page


def test_a_portal_needs_no_settings_and_is_switched_on_at_once(admin, partner):
    admin.post(NEW_ADAPTER, {"partner": str(partner.id), "adapter_type": "portal", "name": "P"})
    row = db.session.scalars(db.select(PartnerAdapter)).one()
    assert row.active is True and row.name == "P"


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"adapter_type": "webhook"}, "partner", "Select a partner"),
        ({"partner": "999999", "adapter_type": "webhook"}, "partner", "from the list"),
        ({"partner": "{p}"}, "adapter_type", "Select how the partner takes cases"),
        ({"partner": "{p}", "adapter_type": "carrier-pigeon"}, "adapter_type", "Select how"),
        ({"partner": "{p}", "adapter_type": "email", "service": "x"}, "service", "from the list"),
        ({"partner": "{p}", "adapter_type": "email", "name": "n" * 101}, "name", "100 char"),
    ],
)
def test_a_bad_choice_of_system_is_refused(admin, partner, data, field, message):
    data = {k: v.replace("{p}", str(partner.id)) for k, v in data.items()}
    assert_error(admin.post(NEW_ADAPTER, data), field, message)
    assert count(PartnerAdapter) == 0


def test_a_partner_has_one_system_per_scope(admin, partner, app):
    webhook(partner, app)
    response = admin.post(
        NEW_ADAPTER, {"partner": str(partner.id), "service": "", "adapter_type": "email"}
    )
    assert_error(response, "service", "already has a partner system for all services")
    assert count(PartnerAdapter) == 1


def test_webhook_settings_are_saved_with_the_secret_encrypted(admin, partner, app):
    row = make_adapter(partner, "webhook", active=False)
    db.session.commit()
    response = admin.post(
        url_of(row),
        webhook_form(s_secret=SECRET, s_timeout="7.5", s_headers=f"Authorization: {HEADER_SECRET}"),
    )
    assert response.status_code == 302, text(response)[:3000]
    db.session.refresh(row)
    assert row.active is True and row.name == "Northvale webhook"
    assert row.settings == {"url": "https://hooks.example.org/in", "timeout": 7.5}
    assert SECRET not in row.secret_settings and HEADER_SECRET not in row.secret_settings
    assert secrets_of(row, app) == {"secret": SECRET, "headers": {"Authorization": HEADER_SECRET}}
    (event,) = [e for e in audit_events("partner_adapter") if e.action == "update"]
    assert event.details["changed"]["secret_settings"] == ["headers", "secret"]
    assert event.details["changed"]["settings"]["timeout"] == [None, 7.5]
    page = text(admin.get(url_of(row)))
    assert page.count("Saved (hidden)") == 2
    assert SECRET not in page and HEADER_SECRET not in page and "tok-very" not in page


def test_a_secret_left_blank_keeps_the_saved_one(admin, partner, app):
    row = webhook(partner, app)
    response = admin.post(url_of(row), webhook_form(s_timeout="20", s_secret="   "))
    assert response.status_code == 302, text(response)[:3000]
    assert secrets_of(row, app) == {"secret": SECRET}
    assert row.settings["timeout"] == 20.0
    (event,) = audit_events("partner_adapter")
    assert "secret_settings" not in event.details["changed"]


def test_a_new_secret_replaces_the_old_one_and_is_audited_by_name_only(admin, partner, app):
    row = webhook(partner, app)
    assert admin.post(url_of(row), webhook_form(s_secret=NEW_SECRET)).status_code == 302
    assert secrets_of(row, app) == {"secret": NEW_SECRET}
    (event,) = audit_events("partner_adapter")
    assert event.details == {"changed": {"secret_settings": ["secret"]}}


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"s_url": "not a url"}, "s_url", "Receiver URL must be a full web address"),
        ({"s_url": "ftp://hooks.example.org/"}, "s_url", "must be a full web address"),
        ({"s_url": "https://me:pw@hooks.example.org/"}, "s_url", "must not contain a username"),
        ({"s_url": ""}, "s_url", "Enter the receiver URL"),
        ({"s_url": "https://x.org/" + "a" * 2100}, "s_url", "2,000 characters or fewer"),
        ({"s_timeout": "soon"}, "s_timeout", "Timeout in seconds must be a number"),
        ({"s_timeout": "500"}, "s_timeout", "must be between 0.1 and 120"),
        ({"s_secret": "too-short"}, "s_secret", "at least 16 characters"),
        ({"s_headers": "no separator"}, "s_headers", "must be lines of name=value"),
        ({"s_headers": "Host: evil.example"}, "s_headers", "set by the adapter itself"),
        ({"name": ""}, "name", "Enter a name"),
    ],
)
def test_bad_webhook_settings_are_refused_by_the_field(
    admin, partner, app, changes, field, message
):
    row = webhook(partner, app)
    before = (dict(row.settings), row.secret_settings, row.name)
    response = admin.post(url_of(row), webhook_form(**changes))
    assert_error(response, field, message)
    db.session.refresh(row)
    assert (row.settings, row.secret_settings, row.name) == before
    assert audit_events("partner_adapter") == []


def test_a_required_secret_never_saved_must_be_entered(admin, partner):
    row = make_adapter(partner, "webhook", active=False)
    db.session.commit()
    assert_error(admin.post(url_of(row), webhook_form()), "s_secret", "Enter the shared secret")


def test_no_secret_ever_appears_in_a_page_the_audit_or_the_logs(admin, partner, app, caplog):
    caplog.set_level(logging.DEBUG)
    row = webhook(partner, app)
    pages = [admin.get(url_of(row)), admin.get(ADAPTERS)]
    # typed again with a mistake elsewhere: the page comes back without it
    pages.append(admin.post(url_of(row), webhook_form(s_url="nope", s_secret=NEW_SECRET)))
    pages.append(
        admin.post(
            url_of(row),
            webhook_form(s_url="nope", s_headers=f"Authorization: {HEADER_SECRET}"),
        )
    )
    saved = admin.post(
        url_of(row),
        webhook_form(s_secret=NEW_SECRET, s_headers=f"Authorization: {HEADER_SECRET}"),
    )
    pages += [saved, admin.get(url_of(row)), admin.get(ADAPTERS)]
    pages.append(admin.post(f"{url_of(row)}/test", form_url=url_of(row), follow_redirects=True))
    for page in pages:
        body = text(page)
        for secret in (SECRET, NEW_SECRET, HEADER_SECRET, "tok-very-private"):
            assert secret not in body
    logged = "\n".join(r.getMessage() for r in caplog.records)
    audited = json.dumps([e.details for e in db.session.scalars(db.select(AuditEvent))])
    for secret in (SECRET, NEW_SECRET, HEADER_SECRET, "tok-very-private"):
        assert secret not in logged and secret not in audited


EMAIL_FORM = {
    "name": "Bins mailbox",
    "s_host": "smtp.example.org",
    "s_port": "587",
    "s_username": "frontoffice",
    "s_password": "",
    "s_starttls": "y",
    "s_from_address": "frontoffice@example.org",
    "s_to_address": "bins@northvale.example.org",
    "s_message_id_domain": "frontoffice.invalid",
    "s_timeout": "30",
    "s_ca_file": "",
    "active": "y",
}


@pytest.fixture
def mailbox(partner, app):
    row = make_adapter(
        partner,
        "email",
        settings={k.removeprefix("s_"): v for k, v in EMAIL_FORM.items() if k.startswith("s_")},
        secret_settings=encrypt_json(app.config["SECRET_KEY"], {"password": SECRET}),
    )
    db.session.commit()
    return row


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"s_host": ""}, "s_host", "Enter the SMTP server"),
        ({"s_host": "smtp example org"}, "s_host", "must be a host name"),
        ({"s_to_address": ""}, "s_to_address", "Enter the partner team"),
        ({"s_to_address": "not-an-address"}, "s_to_address", "must be an email address"),
        ({"s_from_address": "<script>@x"}, "s_from_address", "must be an email address"),
        ({"s_port": "70000"}, "s_port", "Port must be between 1 and 65535"),
        ({"s_port": "25.5"}, "s_port", "Port must be a whole number"),
        ({"s_ca_file": "relative/ca.pem"}, "s_ca_file", "must be a full path"),
        ({"s_use_ssl": "y"}, "s_use_ssl", "Choose STARTTLS or TLS from the start, not both"),
    ],
)
def test_bad_email_settings_are_refused_by_the_field(admin, mailbox, changes, field, message):
    before = (dict(mailbox.settings), mailbox.secret_settings)
    response = admin.post(url_of(mailbox), {**EMAIL_FORM, **changes})
    assert_error(response, field, message)
    assert "&lt;script&gt;" in text(response) or "<script>" not in changes.get(field, "")
    db.session.refresh(mailbox)
    assert (mailbox.settings, mailbox.secret_settings) == before


def test_email_password_is_kept_when_blank_and_can_be_removed(admin, mailbox, app):
    page = text(admin.get(url_of(mailbox)))
    assert "Saved (hidden)" in page and "Remove the saved password" in page
    assert SECRET not in page
    kept = admin.post(url_of(mailbox), {**EMAIL_FORM, "s_port": "2525"})
    assert kept.status_code == 302, text(kept)[:3000]
    assert secrets_of(mailbox, app) == {"password": SECRET}
    assert mailbox.settings["port"] == 2525 and mailbox.settings["starttls"] is True
    removed = admin.post(url_of(mailbox), {**EMAIL_FORM, "s_port": "2525", "clear_password": "y"})
    assert removed.status_code == 302, text(removed)[:3000]
    assert secrets_of(mailbox, app) == {} and mailbox.secret_settings == ""
    assert "Not set" in text(admin.get(url_of(mailbox)))


def test_an_unchecked_box_saves_no(admin, mailbox):
    form = {k: v for k, v in EMAIL_FORM.items() if k != "s_starttls"}
    form["s_host"] = "localhost"  # a password without TLS only to this machine
    assert admin.post(url_of(mailbox), form).status_code == 302
    db.session.refresh(mailbox)
    assert mailbox.settings["starttls"] is False


def test_an_unknown_system_is_a_404(admin):
    assert admin.get(f"{ADAPTERS}/999999").status_code == 404


@pytest.mark.parametrize("role", ["adviser", "supervisor", "partner_user"])
def test_only_administrators_may_see_change_or_test_systems(as_role, partner, app, role, receiver):
    row = webhook(partner, app, url=receiver.url)
    client = as_role(role)
    for url in (ADAPTERS, NEW_ADAPTER, url_of(row)):
        assert client.get(url).status_code == 403, url
    for url in (NEW_ADAPTER, url_of(row), f"{url_of(row)}/test"):
        assert client.client.post(url, data=webhook_form(s_secret=NEW_SECRET)).status_code == 403
    assert receiver.calls == [] and audit_events("partner_adapter") == []
    assert secrets_of(row, app) == {"secret": SECRET}
