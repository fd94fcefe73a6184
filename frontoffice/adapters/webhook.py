"""Signed JSON webhook: POST the case as JSON to the partner's URL.

Every request carries:

- ``Idempotency-Key: <dispatch id>`` (the same on every retry; the receiver de-duplicates),
- ``X-Frontoffice-Event: case.created`` (``case.updated``, ``life_event.notification``, or
  ``payload.extra["event"]``; ``ping`` for a connection test),
- ``X-Frontoffice-Timestamp: <unix seconds>`` and
  ``X-Frontoffice-Signature: sha256=<hex HMAC-SHA256 of f"{timestamp}.{body}" with the secret>``.

Receivers check with `verify` (constant-time, and refuses timestamps more than five minutes
away, which stops replays). Any 2xx is delivered: a receiver owes us nothing more, so an empty
or non-JSON 2xx body is fine; a JSON object's ``reference`` (or ``id``) becomes the partner
reference. 408, 429 and 5xx retry (honouring Retry-After); other answers are permanent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from typing import Any

from frontoffice import clock
from frontoffice.adapters._http import Response, check_status, safe_url, send, short
from frontoffice.adapters.base import (
    Adapter,
    DeliveryPayload,
    DeliveryResult,
    PermanentError,
    SettingField,
    jsonable,
    register,
)

WHAT = "The webhook receiver"
EVENTS = {
    "case": "case.created",
    "case_update": "case.updated",
    "notification": "life_event.notification",
}
RESERVED_HEADERS = {"content-type", "content-length", "host", "idempotency-key", "user-agent"}
_TOKEN = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")
_EVENT = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")


def sign(secret: str, timestamp: int | str, body: bytes | str) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``f"{timestamp}.{body}"`` keyed with the secret."""
    data = body.encode() if isinstance(body, str) else body
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + data, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(
    secret: str,
    timestamp: int | str,
    body: bytes | str,
    signature: str,
    tolerance_seconds: float = 300,
    now: float | None = None,
) -> bool:
    """True when `signature` signs this body at this timestamp, and the timestamp is within
    `tolerance_seconds` of `now` (unix seconds; the clock's now by default)."""
    try:
        sent = int(str(timestamp).strip())
    except ValueError:
        return False
    current = clock.now().timestamp() if now is None else now
    if abs(current - sent) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(secret, sent, body).encode(), str(signature).encode())


def event_name(payload: DeliveryPayload) -> str:
    custom = payload.extra.get("event")
    if isinstance(custom, str) and _EVENT.fullmatch(custom):
        return custom
    return EVENTS[payload.kind]


def body_for(payload: DeliveryPayload) -> bytes:
    """The JSON body: stable (sorted keys) so every retry sends the same bytes."""
    document = {
        "event": event_name(payload),
        "id": payload.idempotency_key,
        "partner": payload.partner_code,
        "case": {
            "reference": payload.case_reference,
            "service_code": payload.service_code,
            "service_name": payload.service_name,
            "status": payload.status,
            "summary": payload.summary,
            "created_at": payload.created_at,
            "answers": payload.answers,
            "address": payload.address,
            "lat": payload.lat,
            "long": payload.long,
        },
        "customer": payload.customer,
        "extra": {k: v for k, v in payload.extra.items() if k != "event"},
    }
    return json.dumps(
        jsonable(document), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def _error_detail(response: Response) -> str:
    """The receiver's own error message, when it gave one as JSON (never its whole body)."""
    try:
        data = response.json()
    except ValueError:
        return ""
    if isinstance(data, dict):
        for key in ("error", "message", "detail"):
            if isinstance(data.get(key), str):
                return short(data[key], 200)
    return ""


def post_signed(
    url: str,
    secret: str,
    body: bytes,
    *,
    key: str,
    event: str,
    timeout: float,
    headers: Mapping[str, str] | None = None,
    what: str = WHAT,
) -> Response:
    """POST `body` signed with `secret`; returns a 2xx answer or raises the error it calls for
    (RetryableError on network errors, 408, 429 and 5xx). Partners' webhooks use it too."""
    timestamp = int(clock.now().timestamp())
    response = send(
        "POST",
        url,
        timeout=timeout,
        what=what,
        content=body,
        headers={
            **(headers or {}),
            "Content-Type": "application/json",
            "Idempotency-Key": key,
            "X-Frontoffice-Event": event,
            "X-Frontoffice-Timestamp": str(timestamp),
            "X-Frontoffice-Signature": sign(secret, timestamp, body),
        },
    )
    if response.status_code in (401, 403):
        raise PermanentError(
            f"{what} at {safe_url(url)} refused our request "
            f"({response.status_code}): check the shared secret and extra headers"
        )
    check_status(response, what, _error_detail(response))
    return response


@register
class WebhookAdapter(Adapter):
    type_name = "webhook"
    label = "Signed JSON webhook"
    description = "POST each case as JSON, signed with a shared secret."
    settings = (
        SettingField("url", "Receiver URL", "url", required=True),
        SettingField(
            "secret",
            "Shared secret",
            required=True,
            secret=True,
            help="At least 16 characters; the receiver checks our signature with it",
        ),
        SettingField(
            "timeout", "Timeout in seconds", "float", default=10.0, minimum=0.1, maximum=120
        ),
        SettingField(
            "headers",
            "Extra headers",
            "mapping",
            secret=True,
            default={},
            help="Lines of Name: value, e.g. an Authorization header the receiver needs",
        ),
    )

    def check_settings(self, values: dict[str, Any], errors: dict[str, str]) -> None:
        if len(values["secret"]) < 16:
            errors["secret"] = "Shared secret must be at least 16 characters"  # noqa: S105
        for name in values["headers"] or {}:
            lowered = name.lower()
            if not _TOKEN.fullmatch(name):
                errors["headers"] = f"Extra headers: {name!r} is not a valid header name"
            elif lowered in RESERVED_HEADERS or lowered.startswith("x-frontoffice-"):
                errors["headers"] = f"Extra headers: {name} is set by the adapter itself"

    def _post(self, settings: Mapping[str, Any], body: bytes, key: str, event: str) -> Response:
        return post_signed(
            settings["url"],
            settings["secret"],
            body,
            key=key,
            event=event,
            timeout=settings["timeout"],
            headers=settings["headers"] or {},
        )

    def deliver(self, payload: DeliveryPayload, settings: Mapping[str, Any]) -> DeliveryResult:
        settings = self.validate_settings(settings)
        event = event_name(payload)
        response = self._post(settings, body_for(payload), payload.idempotency_key, event)
        reference = None
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict):
            found = data.get("reference") or data.get("id")
            if isinstance(found, str | int) and not isinstance(found, bool):
                reference = short(str(found), 100)
        return DeliveryResult(
            True,
            reference,
            f"{event} accepted by {safe_url(settings['url'])} ({response.status_code})",
        )

    def test_connection(self, settings: Mapping[str, Any]) -> str:
        settings = self.validate_settings(settings)
        key = f"ping-{int(clock.now().timestamp())}"
        body = json.dumps({"event": "ping", "id": key}, separators=(",", ":")).encode()
        response = self._post(settings, body, key, "ping")
        return (
            f"{WHAT} at {safe_url(settings['url'])} accepted a signed test event "
            f"({response.status_code})."
        )
