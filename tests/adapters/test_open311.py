"""The Open311 client against a real local GeoReport v2 server (XML and JSON)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from frontoffice import adapters
from frontoffice.adapters import AdapterError, PermanentError, RetryableError, SettingsInvalid
from frontoffice.adapters.open311 import Open311Adapter, build_form
from tests.adapters.conftest import make_payload

pytestmark = pytest.mark.no_db

API_KEY = "open311-key-123"


def settings_for(server, **overrides) -> dict:
    values = {
        "endpoint": server.endpoint,
        "api_key": API_KEY,
        "service_codes": "missed_bin=MB01\nfly_tipping=FT01",
        "format": "xml",
        "timeout": "5",
    }
    values.update(overrides)
    return values


def quick(**kwargs) -> Open311Adapter:
    return Open311Adapter(token_poll_interval=0, **kwargs)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_deliver_creates_a_request_with_every_field(open311_server, payload, fmt):
    result = quick().deliver(payload, settings_for(open311_server, format=fmt))

    assert result.delivered and result.partner_reference == "SR-1001"
    assert "SR-1001" in result.detail and "We will look at it" in result.detail
    form = open311_server.calls[-1]["form"]
    fields = dict(form)
    assert open311_server.calls[-1]["path"] == "requests"
    assert fields["api_key"] == API_KEY
    assert fields["service_code"] == "MB01"
    assert (fields["lat"], fields["long"]) == ("52.1", "-1.25")
    assert fields["address_string"] == "Outside 1 High Street"
    assert fields["address_id"] == "100012345678"
    assert fields["email"] == "ann@example.org"
    assert (fields["first_name"], fields["last_name"]) == ("Ann Marie", "Smith")
    assert fields["phone"] == "01632 960001"
    assert fields["description"].startswith("Bin not collected on Tuesday\nSecond line")
    assert fields["description"].endswith("Front office reference: FO-000123")
    assert fields["attribute[bin_type]"] == "green"
    assert fields["attribute[assisted]"] == "true"
    assert [v for k, v in form if k == "attribute[containers][]"] == ["food", "garden"]
    assert fields["attribute[fo_dispatch_id]"] == "dsp-42"


def test_a_retry_with_the_same_key_is_deduplicated_by_the_server(open311_server, payload):
    adapter = quick()
    settings = settings_for(open311_server)
    first = adapter.deliver(payload, settings)
    second = adapter.deliver(payload, settings)
    other = adapter.deliver(make_payload(idempotency_key="dsp-43"), settings)

    assert first.partner_reference == second.partner_reference == "SR-1001"
    assert other.partner_reference == "SR-1002"
    assert open311_server.duplicates == 1 and len(open311_server.requests) == 2


def test_unmapped_codes_go_as_they_are_and_the_id_attribute_is_configurable(open311_server):
    open311_server.id_attribute = "client_ref"
    open311_server.services["bulky"] = "Bulky waste"
    payload = make_payload(service_code="bulky", answers={"client_ref": "spoof"}, lat=None)
    settings = settings_for(open311_server, id_attribute="client_ref")

    quick().deliver(payload, settings)
    quick().deliver(payload, settings)

    fields = dict(open311_server.calls[-1]["form"])
    assert fields["service_code"] == "bulky"
    assert fields["attribute[client_ref]"] == "dsp-42"  # the answer cannot overwrite the key
    assert "lat" not in fields and "long" not in fields
    assert open311_server.duplicates == 1


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_token_flow_polls_until_the_id_appears(open311_server, payload, fmt):
    open311_server.token_mode = True
    open311_server.token_delay = 1  # the first poll has no id yet

    result = quick().deliver(payload, settings_for(open311_server, format=fmt))

    assert result.partner_reference == "SR-1001"
    polls = [c for c in open311_server.calls if c["path"].startswith("tokens/")]
    assert len(polls) == 2


def test_token_without_an_id_is_retried_later_with_the_same_key(open311_server, payload):
    open311_server.token_mode = True
    open311_server.token_delay = 10
    sleeps = []
    adapter = Open311Adapter(token_polls=3, token_poll_interval=0.5, sleep=sleeps.append)
    settings = settings_for(open311_server)

    with pytest.raises(RetryableError) as caught:
        adapter.deliver(payload, settings)
    assert caught.value.retry_after == 60
    assert "(token tok-SR-1001) but gave no id yet" in str(caught.value)
    assert sleeps == [0.5, 0.5]

    open311_server.tokens["tok-SR-1001"]["polls_left"] = 0  # the server catches up
    result = adapter.deliver(payload, settings)
    assert result.partner_reference == "SR-1001"
    posts = [dict(c["form"]) for c in open311_server.calls if c["method"] == "POST"]
    assert [p["attribute[fo_dispatch_id]"] for p in posts] == ["dsp-42", "dsp-42"]
    assert len(open311_server.requests) == 1


@pytest.mark.parametrize(
    ("mode", "error", "words"),
    [
        ("500", RetryableError, "answered 500"),
        ("503-json", RetryableError, "answered 503"),
        ("429", RetryableError, "answered 429"),
        ("400", PermanentError, "lat must be a number"),
        ("malformed", RetryableError, "not well-formed XML"),
        ("xxe", RetryableError, "not well-formed XML (DTDForbidden)"),
        ("empty", PermanentError, "neither an id nor a token"),
        ("timeout", RetryableError, "did not answer within 0.5 seconds"),
    ],
)
def test_failures_are_classified(open311_server, payload, mode, error, words):
    open311_server.fail_next(mode)
    with pytest.raises(error) as caught:
        quick().deliver(payload, settings_for(open311_server, timeout="0.5"))
    assert words in str(caught.value)
    assert "root:" not in str(caught.value)


def test_429_honours_retry_after(open311_server, payload):
    open311_server.fail_next("429")
    with pytest.raises(RetryableError) as caught:
        quick().deliver(payload, settings_for(open311_server))
    assert caught.value.retry_after == 42


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_refusals_carry_the_servers_description(open311_server, payload, fmt):
    with pytest.raises(PermanentError, match="api_key is not valid"):
        quick().deliver(payload, settings_for(open311_server, api_key="wrong-key", format=fmt))
    with pytest.raises(PermanentError, match="service_code nope not found"):
        quick().deliver(make_payload(service_code="nope"), settings_for(open311_server, format=fmt))


def test_a_case_update_cannot_be_sent_over_open311(open311_server):
    with pytest.raises(PermanentError, match="cannot send an update"):
        quick().deliver(make_payload(kind="case_update"), settings_for(open311_server))
    assert open311_server.calls == []


def test_unreachable_server_is_retryable(payload, closed_port):
    settings = {"endpoint": f"http://127.0.0.1:{closed_port}/open311/v2", "api_key": "k"}
    with pytest.raises(RetryableError, match="Could not connect to http://127.0.0.1"):
        quick().deliver(payload, settings)


def test_bad_settings_are_permanent_with_a_message_per_field(payload):
    with pytest.raises(SettingsInvalid) as caught:
        quick().deliver(payload, {"endpoint": "ftp://x", "format": "yaml", "timeout": "soon"})
    assert isinstance(caught.value, PermanentError)
    assert caught.value.errors == {
        "endpoint": "Endpoint URL must be a full web address starting with https://",
        "api_key": "Enter the API key",
        "format": "Format must be one of: xml, json",
        "timeout": "Timeout in seconds must be a number",
    }


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_read_request(open311_server, payload, fmt):
    settings = settings_for(open311_server, format=fmt)
    adapter = quick()
    adapter.deliver(payload, settings)

    record = adapter.read_request(settings, "SR-1001")

    assert record["status"] == "open" and record["service_code"] == "MB01"
    with pytest.raises(PermanentError, match="service request SR-9 not found"):
        adapter.read_request(settings, "SR-9")
    open311_server.fail_next("xxe")
    with pytest.raises(PermanentError, match="DTDForbidden|not valid JSON"):
        adapter.read_request(settings, "SR-1001")


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_fetch_updates_oldest_first_skipping_malformed(open311_server, fmt, caplog):
    open311_server.updates = [
        {
            "update_id": "u2",
            "service_request_id": "SR-1001",
            "status": "CLOSED",
            "updated_datetime": "2026-03-15T10:00:00+00:00",
            "description": "Collected",
        },
        {
            "update_id": "u1",
            "service_request_id": "SR-1001",
            "status": "open",
            "updated_datetime": "2026-03-14T11:00:00Z",
            "description": "",
        },
        {
            "update_id": "u0",
            "service_request_id": "SR-1000",
            "status": "open",
            "updated_datetime": "2026-03-01T11:00:00Z",
        },
        {"update_id": "bad", "service_request_id": "SR-1", "status": "open"},
        {
            "update_id": "naive",
            "service_request_id": "SR-1",
            "status": "open",
            "updated_datetime": "2026-03-14T12:00:00",
        },
    ]
    since = dt.datetime(2026, 3, 14, tzinfo=dt.UTC)

    updates = quick().fetch_updates(settings_for(open311_server, format=fmt), since)

    assert [(u.update_id, u.status) for u in updates] == [("u1", "open"), ("u2", "closed")]
    assert updates[1].updated_datetime == dt.datetime(2026, 3, 15, 10, tzinfo=dt.UTC)
    assert updates[1].description == "Collected"
    query = open311_server.calls[-1]["query"]
    assert query["start_date"] == "2026-03-14T00:00:00Z"
    assert caplog.text.count("Skipped a malformed Open311 update") == 2


def test_test_connection_messages(open311_server, closed_port):
    adapter = quick()
    message = adapter.test_connection(settings_for(open311_server, service_codes="a=MB01\nb=ZZ9"))
    assert "offers 2 services" in message
    assert "does not offer these mapped codes: ZZ9" in message

    with pytest.raises(AdapterError, match="refused our credentials \\(403\\): api_key is not"):
        adapter.test_connection(settings_for(open311_server, api_key="wrong"))

    unreachable = {"endpoint": f"http://127.0.0.1:{closed_port}/", "api_key": "k"}
    with pytest.raises(AdapterError, match="Could not connect to http://127.0.0.1:\\d+/services"):
        adapter.test_connection(unreachable)

    with pytest.raises(AdapterError, match="answered 404"):
        adapter.test_connection(settings_for(open311_server, endpoint=open311_server.base_url))


def test_api_key_never_reaches_logs_or_errors(open311_server, payload, caplog):
    caplog.set_level(logging.DEBUG)
    adapter = quick()
    settings = settings_for(open311_server, api_key="s3cret-open311-key")
    open311_server.api_key = "s3cret-open311-key"
    adapter.deliver(payload, settings)
    adapter.fetch_updates(settings, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    adapter.test_connection(settings)
    open311_server.fail_next("500")
    with pytest.raises(RetryableError) as caught:
        adapter.fetch_updates(settings, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))

    assert "HTTP Request: GET" in caplog.text  # the request was logged, with the key masked
    assert "api_key=********" in caplog.text
    assert "s3cret-open311-key" not in caplog.text
    assert "s3cret-open311-key" not in str(caught.value)
    validated = adapter.validate_settings(settings)
    assert "s3cret-open311-key" not in repr(validated) + str(validated)
    assert adapters.redact("open311", validated)["api_key"] == "********"


def test_form_is_stable_and_has_no_location_fields_without_data():
    payload = make_payload(lat=None, long=None, address=None, customer={}, answers={"n": None})
    form = build_form(payload, {"api_key": "k", "id_attribute": "fo_dispatch_id"})
    assert form == [
        ("api_key", "k"),
        ("service_code", "missed_bin"),
        (
            "description",
            "Bin not collected on Tuesday\nSecond line\n\nFront office reference: FO-000123",
        ),
        ("attribute[fo_dispatch_id]", "dsp-42"),
    ]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_real_open311_client_reads_what_we_created(open311_server, payload, fmt):
    """georeport (a GeoReport v2 client from PyPI) reads our fake server: the fake speaks
    the protocol as real clients expect, and the request our adapter made is there."""
    from georeport import GeoReport

    open311_server.check_key_on_reads = False
    quick().deliver(payload, settings_for(open311_server, format=fmt))

    client = GeoReport(open311_server.endpoint, output_format=fmt)
    services = client.get_service_list()
    request = client.get_service_request("SR-1001")

    assert {s["service_code"] for s in services} == {"MB01", "FT01"}
    assert request["service_request_id"] == "SR-1001"
    assert request["service_code"] == "MB01"
    assert "Front office reference: FO-000123" in request["description"]
