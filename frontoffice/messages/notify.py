"""Residents' emails through GOV.UK Notify instead of SMTP (FRONTOFFICE_MAILER=notify).

The partnership's Notify service needs one email template whose subject is ((subject)) and
whose body is ((body)); FRONTOFFICE_NOTIFY_TEMPLATE_ID names it and
FRONTOFFICE_NOTIFY_API_KEY is the service's key. FRONTOFFICE_NOTIFY_BASE_URL points the client
elsewhere (tests run a local server playing Notify). The message's outbox id goes as Notify's
`reference`, so a delivery can be traced and a repeat recognised.
"""

from __future__ import annotations

import os

from notifications_python_client.errors import APIError, TokenError
from notifications_python_client.notifications import NotificationsAPIClient

from frontoffice.adapters.errors import PermanentError, RetryableError
from frontoffice.messages.models import ResidentMessage

DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"FRONTOFFICE_NOTIFY_{name}", default)


def send(message: ResidentMessage) -> str:
    """Sends it, or raises RetryableError / PermanentError; says where it went."""
    key, template = _env("API_KEY"), _env("TEMPLATE_ID")
    if not key or not template:
        raise PermanentError(
            "GOV.UK Notify needs FRONTOFFICE_NOTIFY_API_KEY and FRONTOFFICE_NOTIFY_TEMPLATE_ID"
        )
    try:
        client = NotificationsAPIClient(
            key,
            base_url=_env("BASE_URL", DEFAULT_BASE_URL),
            timeout=float(_env("TIMEOUT", "30")),
        )
        sent = client.send_email_notification(
            email_address=message.to_address,
            template_id=template,
            personalisation={"subject": message.subject, "body": message.body},
            reference=f"rm-{message.id}",
            email_reply_to_id=_env("REPLY_TO_ID") or None,
        )
    except (TokenError, ValueError, IndexError) as error:
        raise PermanentError(f"GOV.UK Notify API key is not valid: {error}") from None
    except APIError as error:
        status = error.status_code
        text = f"GOV.UK Notify answered {status}: {error.message}"[:500]
        if status == 429 or status >= 500:
            raise RetryableError(text) from None
        raise PermanentError(text) from None
    return f"sent to {message.to_address} through GOV.UK Notify ({sent.get('id', '')})"
