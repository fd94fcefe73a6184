"""SMTP email to a partner team's mailbox: one message per case, text and HTML.

The Message-ID is built from the idempotency key (``<dsp-42@frontoffice.invalid>``, the domain
is a setting), so every retry sends the same id and the receiving side can de-duplicate. SMTP
itself cannot promise exactly-once: a connection lost after the server accepted the DATA but
before we read its answer leads to a second copy with the same Message-ID.

Failures: 4xx SMTP answers, refused or dropped connections and timeouts retry; 5xx answers, a
refused login, a certificate that fails verification or a missing STARTTLS are permanent.
A password is only sent over TLS (or to a relay on this machine).
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup, escape

from frontoffice import clock
from frontoffice.adapters._http import short
from frontoffice.adapters.base import (
    Adapter,
    AdapterError,
    DeliveryPayload,
    DeliveryResult,
    PermanentError,
    RetryableError,
    SettingField,
    register,
)

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
_DOMAIN = re.compile(
    r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
)
CUSTOMER_FIELDS = (
    ("name", "Name"),
    ("address", "Address"),
    ("postcode", "Postcode"),
    ("uprn", "UPRN"),
    ("phone", "Phone"),
    ("email", "Email"),
)

try:
    LOCAL_ZONE: Any = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # pragma: no cover - a machine without time zone data
    LOCAL_ZONE = None


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, datetime):
        return _when(value)
    return "" if value is None else str(value)


def _when(value: datetime) -> str:
    local = value.astimezone(LOCAL_ZONE) if LOCAL_ZONE else value
    return f"{local.day} {local:%B %Y %H:%M %Z}".strip()


def sections(payload: DeliveryPayload) -> list[tuple[str, list[tuple[str, str]]]]:
    """What the message says, as titled lists of (label, value)."""
    case = [
        ("Reference", payload.case_reference),
        ("Service", payload.service_name),
        ("Status", payload.status),
        ("Created", _when(payload.created_at)),
        ("Summary", payload.summary),
    ]
    if payload.address:
        case.append(("Location", payload.address))
    if payload.has_location:
        case.append(("Latitude, longitude", f"{payload.lat}, {payload.long}"))
    answers = [(str(code), _value(value)) for code, value in payload.answers.items()]
    customer = [
        (label, _value(payload.customer.get(key)))
        for key, label in CUSTOMER_FIELDS
        if payload.customer.get(key) not in (None, "")
    ]
    found = [("Case", case), ("Details", answers), ("Customer", customer)]
    return [(title, rows) for title, rows in found if rows]


def render_text(payload: DeliveryPayload) -> str:
    lines = []
    for title, rows in sections(payload):
        lines += [title, "-" * len(title)]
        lines += [f"{label}: {value}" for label, value in rows]
        lines.append("")
    return "\n".join(lines)


def render_html(payload: DeliveryPayload) -> str:
    """HTML with every piece of case content escaped."""
    parts = [Markup("<!DOCTYPE html>\n<html><body>")]
    for title, rows in sections(payload):
        parts.append(Markup("<h2>{}</h2>\n<table>").format(title))
        for label, value in rows:
            text = Markup("<br>").join(escape(line) for line in value.splitlines()) if value else ""
            parts.append(Markup("<tr><th align='left'>{}</th><td>{}</td></tr>").format(label, text))
        parts.append(Markup("</table>"))
    parts.append(Markup("</body></html>\n"))
    return str(Markup("\n").join(parts))


def message_id(payload: DeliveryPayload, domain: str) -> str:
    return f"<{payload.idempotency_key}@{domain}>"


def build_message(payload: DeliveryPayload, settings: Mapping[str, Any]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = _one_line(f"[{payload.case_reference}] {payload.service_name}")
    message["From"] = settings["from_address"]
    message["To"] = settings["to_address"]
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = message_id(payload, settings["message_id_domain"])
    message["Auto-Submitted"] = "auto-generated"
    message["X-Frontoffice-Reference"] = _one_line(payload.case_reference)
    message.set_content(render_text(payload))
    message.add_alternative(render_html(payload), subtype="html")
    return message


def _smtp_text(error: smtplib.SMTPResponseException) -> str:
    raw = error.smtp_error
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
    return short(f"{error.smtp_code} {text}", 200)


def classify(error: Exception, where: str) -> AdapterError:
    """The adapter error an smtplib / socket / ssl failure calls for."""
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return PermanentError(f"The mail server {where} refused the username or password")
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (550, b""))
        error = smtplib.SMTPResponseException(code, text)
    if isinstance(error, smtplib.SMTPResponseException):
        kind = RetryableError if 400 <= error.smtp_code < 500 else PermanentError
        return kind(f"The mail server {where} answered {_smtp_text(error)}")
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return PermanentError(f"The mail server {where} does not support {short(str(error), 100)}")
    if isinstance(error, ssl.SSLCertVerificationError):
        return PermanentError(f"Could not verify the TLS certificate of the mail server {where}")
    if isinstance(error, TimeoutError):
        return RetryableError(f"The mail server {where} did not answer in time")
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return RetryableError(f"The mail server {where} closed the connection")
    if isinstance(error, OSError | smtplib.SMTPException):
        reason = short(str(error) or type(error).__name__, 200)
        return RetryableError(f"Could not talk to the mail server {where}: {reason}")
    raise error


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """PLAIN (or else LOGIN) once: a refusal is final, without trying every other mechanism
    the way `SMTP.login` does (which turns a clear 535 into a confusing later error)."""
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("signing in (no AUTH offered)")
    offered = smtp.esmtp_features["auth"].upper().split()
    smtp.user, smtp.password = username, password
    for name, method in (("PLAIN", smtp.auth_plain), ("LOGIN", smtp.auth_login)):
        if name in offered:
            smtp.auth(name, method)
            return
    smtp.login(username, password)


@register
class EmailAdapter(Adapter):
    type_name = "email"
    label = "Email (SMTP)"
    description = "Send each case as an email to the partner team's mailbox."
    settings = (
        SettingField("host", "SMTP server", required=True),
        SettingField("port", "Port", "int", default=587, minimum=1, maximum=65535),
        SettingField("username", "Username"),
        SettingField("password", "Password", secret=True),
        SettingField("starttls", "Use STARTTLS", "bool", default=True),
        SettingField("use_ssl", "Use TLS from the start (port 465)", "bool", default=False),
        SettingField(
            "ca_file", "Certificate authority file", "path", help="Only for a private authority"
        ),
        SettingField("from_address", "From address", "email", required=True),
        SettingField("to_address", "Partner team's mailbox", "email", required=True),
        SettingField("message_id_domain", "Message-ID domain", default="frontoffice.invalid"),
        SettingField(
            "timeout", "Timeout in seconds", "float", default=30.0, minimum=0.1, maximum=300
        ),
    )

    def check_settings(self, values: dict[str, Any], errors: dict[str, str]) -> None:
        if not _DOMAIN.fullmatch(values["host"]) and values["host"] not in LOCAL_HOSTS:
            errors["host"] = "SMTP server must be a host name, like smtp.example.org"
        if values["starttls"] and values["use_ssl"]:
            errors["use_ssl"] = "Choose STARTTLS or TLS from the start, not both"
        if values["password"] and not values["username"]:
            errors["username"] = "Enter the username that goes with the password"
        tls = values["starttls"] or values["use_ssl"]
        if values["password"] and not tls and values["host"] not in LOCAL_HOSTS:
            errors["starttls"] = "Use STARTTLS or TLS to send a password to another machine"
        if not _DOMAIN.fullmatch(values["message_id_domain"]):
            errors["message_id_domain"] = "Message-ID domain must be a domain, like example.org"

    def _open(self, settings: Mapping[str, Any]) -> smtplib.SMTP:
        host, port, timeout = settings["host"], settings["port"], settings["timeout"]
        context = ssl.create_default_context(cafile=settings["ca_file"] or None)
        local = socket.gethostname() or "localhost"
        if settings["use_ssl"]:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, local_hostname=local, timeout=timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(host, port, local_hostname=local, timeout=timeout)
        try:
            smtp.ehlo()
            if settings["starttls"]:
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings["username"]:
                _login(smtp, settings["username"], settings["password"] or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _session(self, settings: Mapping[str, Any], work) -> Any:
        where = f"{settings['host']}:{settings['port']}"
        try:
            smtp = self._open(settings)
            try:
                result = work(smtp)
            finally:
                try:
                    smtp.quit()
                except (OSError, smtplib.SMTPException):
                    smtp.close()
        except (OSError, smtplib.SMTPException) as error:
            raise classify(error, where) from None
        return result

    def send(self, message: EmailMessage, settings: Mapping[str, Any]) -> None:
        """Sends a ready message to settings' to_address (settings already validated)."""
        self._session(
            settings,
            lambda smtp: smtp.send_message(
                message, settings["from_address"], [settings["to_address"]]
            ),
        )

    def deliver(self, payload: DeliveryPayload, settings: Mapping[str, Any]) -> DeliveryResult:
        settings = self.validate_settings(settings)
        message = build_message(payload, settings)
        self.send(message, settings)
        return DeliveryResult(
            True, None, f"Emailed to {settings['to_address']} as {message['Message-ID']}"
        )

    def test_connection(self, settings: Mapping[str, Any]) -> str:
        settings = self.validate_settings(settings)
        self._session(settings, lambda smtp: smtp.noop())
        how = (
            "over TLS"
            if settings["use_ssl"]
            else "with STARTTLS"
            if settings["starttls"]
            else "without encryption"
        )
        who = f" and signed in as {settings['username']}" if settings["username"] else ""
        return f"Connected to the mail server {settings['host']}:{settings['port']} {how}{who}."
