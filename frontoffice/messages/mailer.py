"""Where residents' emails go: the partnership's SMTP relay, or a folder in development.

FRONTOFFICE_SMTP_HOST (with _PORT, _USERNAME, _PASSWORD, _STARTTLS, _USE_SSL) and
FRONTOFFICE_MAIL_FROM configure the relay. With no host, messages are written as .eml files to
the instance folder's mail/ (what `make run` does), so nothing leaves a developer's machine.
FRONTOFFICE_MAILER=notify sends them through GOV.UK Notify instead (messages/notify.py).
"""

from __future__ import annotations

import os
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from frontoffice import clock
from frontoffice.adapters.email import EmailAdapter
from frontoffice.messages.models import ResidentMessage


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"FRONTOFFICE_{name}", default)


def sender() -> str:
    return _env("MAIL_FROM", "no-reply@frontoffice.invalid")


def build(message: ResidentMessage, partnership: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = f"{partnership} <{sender()}>"
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(clock.now())
    # The same id on every attempt: a relay or mailbox that sees it twice can drop the copy.
    email["Message-ID"] = make_msgid(idstring=f"rm-{message.id}", domain="frontoffice.invalid")
    email.set_content(message.body)
    return email


def send(message: ResidentMessage, partnership: str, instance: Path) -> str:
    """Sends it, or raises the adapters' RetryableError / PermanentError; says where it went."""
    if _env("MAILER", "smtp").strip().lower() == "notify":
        from frontoffice.messages import notify

        return notify.send(message)
    email = build(message, partnership)
    host = _env("SMTP_HOST")
    if not host:
        folder = instance / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"resident-message-{message.id}.eml"
        path.write_bytes(email.as_bytes())
        return f"written to {path}"
    settings = {
        "host": host,
        "port": _env("SMTP_PORT", "587"),
        "username": _env("SMTP_USERNAME"),
        "password": _env("SMTP_PASSWORD"),
        "starttls": _env("SMTP_STARTTLS", "1") not in ("0", "false", "no"),
        "use_ssl": _env("SMTP_USE_SSL", "0") in ("1", "true", "yes"),
        "from_address": sender(),
        "to_address": message.to_address,
        "timeout": _env("SMTP_TIMEOUT", "30"),
    }
    adapter = EmailAdapter()
    adapter.send(email, adapter.validate_settings(settings))  # SettingsInvalid is permanent
    return f"sent to {message.to_address} through {host}"
