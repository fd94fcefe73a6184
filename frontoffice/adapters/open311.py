"""Open311 GeoReport v2 client: create a service request on a partner's Open311 server, read
it back, and read status updates (the `servicerequestupdates` extension).

Protocol decisions:

- POST ``requests.{xml|json}``, form-encoded: api_key, service_code (mapped through the
  settings), jurisdiction_id, lat/long, address_string, address_id (the UPRN), email,
  first_name/last_name, phone, description, ``attribute[CODE]=value`` for answers (lists as
  ``attribute[CODE][]``), and the idempotency key as ``attribute[<id attribute>]``, so a server
  that de-duplicates on it (as reporting apps expect) never creates a request twice.
- The answer gives a ``service_request_id``, or a ``token``: we then poll
  ``tokens/{token}.{fmt}`` a few times; if no id appears, RetryableError. The retry POSTs again
  with the same key, and the server's de-duplication hands back the same request.
- A 2xx answer whose body is not well-formed XML/JSON raises **RetryableError**: the request
  may have been created, and only a retry with the same key can find out safely. A well-formed
  answer with neither id nor token is a protocol breach: **PermanentError**, a person looks.
- 4xx answers carry an error list (``<errors><error><code/><description/></error></errors>``
  or its JSON twin): PermanentError with the server's descriptions. 408, 429, 5xx retry.
- A ``case_update`` payload is refused (PermanentError): GeoReport v2 has no call for it.
  Cases and notifications both create a request.
- XML is parsed with defusedxml (DTDs forbidden: no XXE, no entity expansion).
- GET calls send api_key as a parameter too (servers of the updates extension expect it); the
  query never appears in our messages, and `_http` masks it in httpx's log lines.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote, urlencode
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from frontoffice.adapters._http import Response, check_status, safe_url, send, short
from frontoffice.adapters.base import (
    Adapter,
    AdapterError,
    DeliveryPayload,
    DeliveryResult,
    PermanentError,
    RetryableError,
    SettingField,
    StatusUpdate,
    register,
)

log = logging.getLogger(__name__)
WHAT = "The Open311 server"
DESCRIPTION_LIMIT = 4000
_CODE = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class Malformed(ValueError):
    """The body is not well-formed XML/JSON of the expected shape."""


def parse_body(body: bytes, fmt: str) -> list[dict[str, str]]:
    """An Open311 answer as a list of flat records (each leaf element / key as text)."""
    return _parse_xml(body) if fmt == "xml" else _parse_json(body)


def _parse_xml(body: bytes) -> list[dict[str, str]]:
    try:
        root = fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as error:
        raise Malformed(f"not well-formed XML ({type(error).__name__})") from None
    children = list(root)
    if children and all(len(child) == 0 for child in children) and _local(root.tag) != "errors":
        return [_record(root)]  # a single record, e.g. <request><token>..</token></request>
    return [_record(child) for child in children]


def _record(element: Element) -> dict[str, str]:
    record: dict[str, str] = {"_tag": _local(element.tag)}
    for child in element:
        if len(child) == 0:
            record[_local(child.tag)] = (child.text or "").strip()
    return record


def _local(tag: str) -> str:
    """The tag without an XML namespace."""
    return tag.rpartition("}")[2]


def _parse_json(body: bytes) -> list[dict[str, str]]:
    try:
        data = json.loads(body)
    except ValueError:
        raise Malformed("not valid JSON") from None
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        data = lists[0] if len(lists) == 1 else [data]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise Malformed("JSON that is not a list of objects")
    return [
        {
            str(k): "" if v is None else str(v)
            for k, v in item.items()
            if not isinstance(v, list | dict)
        }
        for item in data
    ]


def error_descriptions(records: list[dict[str, str]]) -> str:
    """The descriptions of an Open311 error list, or '' when these records are not one."""
    found = [
        r.get("description") or r.get("code", "")
        for r in records
        if "description" in r and "service_request_id" not in r and "token" not in r
    ]
    return short("; ".join(d for d in found if d))


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def build_form(payload: DeliveryPayload, settings: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The form fields of the POST, in a stable order."""
    mapping = settings.get("service_codes") or {}
    form = [
        ("api_key", settings["api_key"]),
        ("service_code", mapping.get(payload.service_code, payload.service_code)),
    ]
    if settings.get("jurisdiction_id"):
        form.append(("jurisdiction_id", settings["jurisdiction_id"]))
    if payload.has_location:
        form += [("lat", repr(float(payload.lat))), ("long", repr(float(payload.long)))]
    customer = payload.customer
    optional = {
        "address_string": payload.address_text,
        "address_id": customer.get("uprn"),
        "email": customer.get("email"),
        "first_name": customer.get("first_name"),
        "last_name": customer.get("last_name"),
        "phone": customer.get("phone"),
    }
    name = (customer.get("name") or "").strip()
    if name and not (optional["first_name"] or optional["last_name"]):
        first, _, last = name.rpartition(" ")
        optional["first_name"], optional["last_name"] = (first, last) if first else (name, "")
    form += [(key, _text(value)) for key, value in optional.items() if value not in (None, "")]
    form.append(("description", describe(payload)))
    id_attribute = settings.get("id_attribute") or "fo_dispatch_id"
    for code, value in payload.answers.items():
        if value is None or code == id_attribute:
            continue
        if isinstance(value, list | tuple | set | frozenset):
            form += [(f"attribute[{code}][]", _text(item)) for item in value]
        else:
            form.append((f"attribute[{code}]", _text(value)))
    form.append((f"attribute[{id_attribute}]", payload.idempotency_key))
    return form


def describe(payload: DeliveryPayload) -> str:
    """The description: the summary, then our reference, within Open311's 4,000 characters."""
    tail = f"\n\nFront office reference: {payload.case_reference}"
    room = DESCRIPTION_LIMIT - len(tail)
    summary = payload.summary.strip()
    if len(summary) > room:
        summary = summary[: room - 1] + "…"
    return summary + tail


@register
class Open311Adapter(Adapter):
    type_name = "open311"
    label = "Open311 GeoReport v2"
    description = "Create service requests on the partner's Open311 server and read updates."
    supports_updates = True
    settings = (
        SettingField(
            "endpoint",
            "Endpoint URL",
            "url",
            required=True,
            help="The base of the GeoReport v2 API, e.g. https://council.example/open311/v2/",
        ),
        SettingField("api_key", "API key", required=True, secret=True),
        SettingField("jurisdiction_id", "Jurisdiction ID", help="Only if the server asks for one"),
        SettingField(
            "service_codes",
            "Service code mapping",
            "mapping",
            default={},
            help="Lines of our_code=their_code; codes not listed are sent unchanged",
        ),
        SettingField("format", "Format", "choice", default="xml", choices=("xml", "json")),
        SettingField(
            "timeout", "Timeout in seconds", "float", default=30.0, minimum=0.1, maximum=300
        ),
        SettingField(
            "id_attribute",
            "De-duplication attribute code",
            default="fo_dispatch_id",
            help="The attribute that carries our dispatch id, for the server to de-duplicate on",
        ),
    )

    def __init__(
        self,
        *,
        token_polls: int = 3,
        token_poll_interval: float = 1.0,
        token_retry_after: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.token_polls = token_polls
        self.token_poll_interval = token_poll_interval
        self.token_retry_after = token_retry_after
        self.sleep = sleep

    def check_settings(self, values: dict[str, Any], errors: dict[str, str]) -> None:
        if not _CODE.fullmatch(values["id_attribute"]):
            errors["id_attribute"] = (
                "De-duplication attribute code must be letters, digits, dots, dashes or _"
            )

    # -- calls ----------------------------------------------------------------------------

    def _url(self, settings: Mapping[str, Any], path: str) -> str:
        return f"{settings['endpoint'].rstrip('/')}/{path}.{settings['format']}"

    def _get(self, settings: Mapping[str, Any], path: str, **params: str) -> Response:
        query = {k: v for k, v in params.items() if v}
        query["api_key"] = settings["api_key"]
        if settings.get("jurisdiction_id"):
            query["jurisdiction_id"] = settings["jurisdiction_id"]
        return send(
            "GET", self._url(settings, path), timeout=settings["timeout"], what=WHAT, params=query
        )

    def _records(self, response: Response, fmt: str) -> list[dict[str, str]]:
        """Records of a response; non-2xx raises with the server's error descriptions."""
        try:
            records = parse_body(response.content, fmt)
        except Malformed:
            if response.is_success:
                raise
            records, detail = [], ""
        else:
            detail = error_descriptions(records)
        check_status(response, WHAT, detail)
        return records

    def deliver(self, payload: DeliveryPayload, settings: Mapping[str, Any]) -> DeliveryResult:
        settings = self.validate_settings(settings)
        if payload.kind == "case_update":
            raise PermanentError(
                "Open311 GeoReport v2 cannot send an update to an existing request: "
                "the partner reads updates from us instead"
            )
        fmt = settings["format"]
        url = self._url(settings, "requests")
        response = send(
            "POST",
            url,
            timeout=settings["timeout"],
            what=WHAT,
            content=urlencode(build_form(payload, settings)).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            records = self._records(response, fmt)
        except Malformed as error:
            raise RetryableError(
                f"{WHAT} at {safe_url(url)} answered {response.status_code} with a body that is "
                f"{error}: the request may exist, so it will be sent again with the same key"
            ) from None
        errors = error_descriptions(records)
        if errors:
            raise PermanentError(f"{WHAT} refused the request: {errors}")
        first = records[0] if records else {}
        request_id, token = first.get("service_request_id"), first.get("token")
        if request_id:
            notice = first.get("service_notice")
            detail = f"Open311 service request {request_id} created" + (
                f": {notice}" if notice else ""
            )
            return DeliveryResult(True, request_id, short(detail))
        if token:
            return self._follow_token(settings, token)
        raise PermanentError(f"{WHAT} accepted the request but gave neither an id nor a token")

    def _follow_token(self, settings: Mapping[str, Any], token: str) -> DeliveryResult:
        for attempt in range(self.token_polls):
            if attempt:
                self.sleep(self.token_poll_interval)
            try:
                response = self._get(settings, f"tokens/{quote(token, safe='')}")
                records = (
                    parse_body(response.content, settings["format"]) if response.is_success else []
                )
            except (RetryableError, Malformed):
                continue
            request_id = next(
                (r["service_request_id"] for r in records if r.get("service_request_id")), None
            )
            if request_id:
                return DeliveryResult(
                    True,
                    request_id,
                    f"Open311 service request {request_id} created (token {token})",
                )
        raise RetryableError(
            f"{WHAT} accepted the request (token {short(token, 80)}) but gave no id yet",
            retry_after=self.token_retry_after,
        )

    def read_request(self, settings: Mapping[str, Any], service_request_id: str) -> dict[str, str]:
        """The server's record of one request (status, status_notes, updated_datetime…)."""
        settings = self.validate_settings(settings)
        response = self._get(settings, f"requests/{quote(service_request_id, safe='')}")
        try:
            records = self._records(response, settings["format"])
        except Malformed as error:
            raise PermanentError(f"{WHAT} answered with a body that is {error}") from None
        if not records or not records[0].get("service_request_id"):
            raise PermanentError(f"{WHAT} has no service request {service_request_id}")
        return records[0]

    def fetch_updates(self, settings: Mapping[str, Any], since: datetime) -> list[StatusUpdate]:
        """Updates from ``servicerequestupdates`` since `since`, oldest first. Records without
        the five fields or with a datetime lacking a timezone are skipped with a warning."""
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        settings = self.validate_settings(settings)
        response = self._get(settings, "servicerequestupdates", start_date=_iso(since))
        try:
            records = self._records(response, settings["format"])
        except Malformed as error:
            raise PermanentError(f"{WHAT} answered updates with a body that is {error}") from None
        updates = []
        for record in records:
            update = _status_update(record)
            if update is None:
                log.warning("Skipped a malformed Open311 update: %s", short(repr(record), 200))
            elif update.updated_datetime >= since:
                updates.append(update)
        return sorted(updates, key=lambda u: (u.updated_datetime, u.update_id))

    def test_connection(self, settings: Mapping[str, Any]) -> str:
        settings = self.validate_settings(settings)
        response = self._get(settings, "services")
        try:
            records = self._records(response, settings["format"])
        except Malformed as error:
            raise AdapterError(
                f"{safe_url(response.url)} answered with a body that is {error}: "
                "is this the Open311 endpoint?"
            ) from None
        codes = {r.get("service_code") for r in records}
        if None in codes or not records:
            raise AdapterError(f"{safe_url(response.url)} answered, but not with a service list")
        message = f"Connected to {safe_url(settings['endpoint'])}: it offers {len(codes)} services."
        missing = sorted(set((settings["service_codes"] or {}).values()) - codes)
        if missing:
            message += f" It does not offer these mapped codes: {', '.join(missing)}."
        return message + " The API key is only checked by some servers before a request is sent."


def _status_update(record: dict[str, str]) -> StatusUpdate | None:
    fields = ("update_id", "service_request_id", "status", "updated_datetime")
    if not all(record.get(name) for name in fields):
        return None
    try:
        when = datetime.fromisoformat(record["updated_datetime"])
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return StatusUpdate(
        update_id=record["update_id"],
        service_request_id=record["service_request_id"],
        status=record["status"].strip().lower(),
        updated_datetime=when,
        description=record.get("description", ""),
    )
