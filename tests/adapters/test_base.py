"""The shared adapter machinery: payload, settings schema, registry, secrets, HTTP errors."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle

import httpx
import pytest
import time_machine

from frontoffice import adapters
from frontoffice.adapters import (
    Adapter,
    DeliveryPayload,
    DeliveryResult,
    PermanentError,
    SettingField,
    Settings,
    SettingsInvalid,
)
from frontoffice.adapters._http import check_status, retry_after, safe_url
from frontoffice.adapters.settings import validate
from tests.adapters.conftest import make_payload

pytestmark = pytest.mark.no_db


def test_registry_knows_every_adapter():
    assert adapters.all_types() == ["csv_batch", "email", "open311", "portal", "webhook"]
    assert adapters.get("open311").supports_updates
    assert not adapters.get("webhook").supports_updates
    with pytest.raises(PermanentError, match="There is no adapter of type 'fax'"):
        adapters.get("fax")


def test_registering_a_new_type_and_refusing_a_clash():
    @adapters.register
    class Pigeon(Adapter):
        type_name = "pigeon-test"
        label = "Pigeon"

        def deliver(self, payload, settings):
            return DeliveryResult(True, "coo")

    try:
        assert adapters.get("pigeon-test").deliver(make_payload(), {}).partner_reference == "coo"
        with pytest.raises(ValueError, match="already registered"):
            adapters.register(type("Other", (Pigeon,), {}))
    finally:
        from frontoffice.adapters import base

        base._REGISTRY.pop("pigeon-test")


def test_portal_delivers_nothing(payload):
    result = adapters.get("portal").deliver(payload, {})
    assert result == DeliveryResult(True, None, "available in the partner portal")
    with pytest.raises(NotImplementedError):
        adapters.get("portal").fetch_updates({}, dt.datetime.now(dt.UTC))


def test_payload_checks_and_round_trips(payload):
    with pytest.raises(ValueError, match="timezone-aware"):
        make_payload(created_at=dt.datetime(2026, 3, 14, 9, 30))
    with pytest.raises(ValueError, match="kind must be one of"):
        make_payload(kind="fax")
    with pytest.raises(ValueError, match="idempotency_key"):
        make_payload(idempotency_key="dsp 42\r\n")
    with pytest.raises(dataclasses.FrozenInstanceError):
        payload.status = "closed"

    dated = make_payload(answers={"when": dt.date(2026, 3, 1), "list": ("a", "b")})
    data = dated.to_dict()
    assert data["created_at"] == "2026-03-14T09:30:00+00:00"
    assert data["answers"] == {"when": "2026-03-01", "list": ["a", "b"]}
    again = DeliveryPayload.from_dict({**payload.to_dict(), "unknown": 1})
    assert again == payload


def test_validate_coerces_form_strings_and_fills_defaults():
    fields = (
        SettingField("name", "Name", required=True),
        SettingField("count", "Count", "int", default=3, minimum=1, maximum=9),
        SettingField("ratio", "Ratio", "float", default=0.5, minimum=0),
        SettingField("on", "On", "bool", default=False),
        SettingField("pick", "Pick", "choice", default="a", choices=("a", "b")),
        SettingField("map", "Map", "mapping", default={}),
        SettingField("token", "Token", secret=True),
    )
    values = validate(
        fields,
        {
            "name": "  x  ",
            "count": "7",
            "on": "on",
            "map": 'a=1\n\n b : two=2 \n{"x": 1}=y',
            "token": " keep spaces ",
            "csrf_token": "dropped",
        },
    )
    assert values == {
        "name": "x",
        "count": 7,
        "ratio": 0.5,
        "on": True,
        "pick": "a",
        "map": {"a": "1", "b": "two=2", '{"x"': "1}=y"},
        "token": " keep spaces ",
    }
    assert validate(fields, values) == values  # validating again changes nothing
    assert validate(fields, {"name": "x", "map": '{"k": "v"}'})["map"] == {"k": "v"}

    with pytest.raises(SettingsInvalid) as caught:
        validate(fields, {"count": "0", "ratio": "nan", "on": "maybe", "pick": "c", "map": "x"})
    assert caught.value.errors == {
        "name": "Enter the name",
        "count": "Count must be between 1 and 9",
        "ratio": "Ratio must be a number",
        "on": "On must be yes or no",
        "pick": "Pick must be one of: a, b",
        "map": "Map must be lines of name=value",
    }


def test_settings_repr_pickle_redact_split_and_keep():
    settings = adapters.get("webhook").validate_settings(
        {"url": "https://partner.example/hook", "secret": "s" * 20}
    )
    assert isinstance(settings, dict) and isinstance(settings, Settings)
    assert "s" * 20 not in repr(settings) and "'secret': '********'" in str(settings)
    restored = pickle.loads(pickle.dumps(settings))  # noqa: S301 - our own bytes
    assert restored.secret_names == {"secret", "headers"}
    assert adapters.secret_fields("email") == {"password"}
    assert adapters.redact("webhook", settings)["secret"] == "********"
    assert adapters.redact("webhook", {"secret": ""}) == {"secret": ""}

    plain, secret = adapters.split_secrets("webhook", settings)
    assert secret == {"secret": "s" * 20, "headers": {}}
    assert "secret" not in plain and plain["url"] == "https://partner.example/hook"

    edited = adapters.keep_secrets(
        "webhook", {"url": "https://new.example", "secret": "********"}, secret
    )
    assert edited == {"url": "https://new.example", "secret": "s" * 20}


def test_settings_invalid_is_permanent_and_names_no_values():
    with pytest.raises(SettingsInvalid) as caught:
        adapters.get("webhook").validate_settings({"url": "nope", "secret": "tiny-secret"})
    assert isinstance(caught.value, PermanentError)
    assert "tiny-secret" not in str(caught.value)
    assert "url: Receiver URL must be a full web address" in str(caught.value)


def _response(status: int, headers=None) -> httpx.Response:
    request = httpx.Request("POST", "https://partner.example/hook?api_key=abc")
    return httpx.Response(status, headers=headers or {}, request=request)


def test_retry_after_reads_seconds_and_dates():
    with time_machine.travel("2026-03-14T10:00:00+00:00", tick=False):
        assert retry_after(_response(503, {"Retry-After": "120"})) == 120
        date = "Sat, 14 Mar 2026 10:05:00 GMT"
        assert retry_after(_response(503, {"Retry-After": date})) == 300
        assert retry_after(_response(503, {"Retry-After": "Sat, 14 Mar 2026 09:00:00 GMT"})) == 0
        assert retry_after(_response(503, {"Retry-After": "soon"})) is None
        assert retry_after(_response(503, {"Retry-After": "9999999"})) == 86400
        assert retry_after(_response(503)) is None


@pytest.mark.parametrize(
    ("status", "kind"),
    [(200, None), (204, None), (408, "retry"), (429, "retry"), (500, "retry"), (502, "retry")]
    + [(301, "permanent"), (400, "permanent"), (401, "permanent"), (404, "permanent")]
    + [(409, "permanent"), (410, "permanent"), (422, "permanent")],
)
def test_http_statuses_are_classified(status, kind):
    response = _response(status, {"Location": "https://other.example/x?y=1"})
    if kind is None:
        check_status(response)
        return
    error = adapters.RetryableError if kind == "retry" else adapters.PermanentError
    with pytest.raises(error) as caught:
        check_status(response)
    assert "api_key" not in str(caught.value) and "abc" not in str(caught.value)


def test_safe_url_drops_query_and_credentials():
    assert (
        safe_url("https://u:p@host.example:8443/a/b?api_key=x#f") == "https://host.example:8443/a/b"
    )
    assert safe_url("/relative?x=1") == "/relative"
