"""Real Open311 client libraries from PyPI against our server, over real HTTP.

civicbot's GeoReport v2 client submits a request and reads it back (by id, in the list, by its
token). Its reads send no api_key of their own, so it is given a transport (which the library
takes for this) that adds the key to each read, as our reads require. georeport reads the
service list and a definition in XML; it cannot send a key at all, so it reads only what is
public.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.open311.conftest import case_of


class _Quiet(WSGIRequestHandler):
    def log(self, *args, **kwargs):
        pass


@pytest.fixture
def live_url(app) -> Iterator[str]:
    """The app served over HTTP on this test's own database connection (one request at a
    time, while the test waits for the answer)."""
    server = make_server("127.0.0.1", 0, app, threaded=False, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/open311/v2"
    finally:
        server.shutdown()
        thread.join(5)


class KeyedTransport(HttpTransport):
    def __init__(self, api_key: str) -> None:
        super().__init__(rate_limiter=RateLimiter(min_interval=0))
        self.api_key = api_key

    def get_bytes(self, url, params=None, headers=None):
        return super().get_bytes(url, {**(params or {}), "api_key": self.api_key}, headers)


def _client(live_url: str, key: str) -> Open311Client:
    endpoint = Endpoint(id="frontoffice", name="Front office", base_url=live_url, write=True)
    return Open311Client(endpoint, transport=KeyedTransport(key))


def test_civicbot_submits_a_request_and_reads_it_back(live_url, apps):
    client = _client(live_url, apps.a)
    sent = client.create_request(
        "missed-bin",
        dry_run=False,
        confirm="SEND",
        api_key=apps.a,
        validate_remote=True,
        lat=52.68,
        lng=-1.16,
        description="Grey bin missed again",
        email="grace@example.org",
        first_name="Grace",
        last_name="Hopper",
        attributes={"client_request_id": "civicbot-1"},
    )
    [answer] = sent.response
    reference, token = answer["service_request_id"], answer["token"]
    case = case_of(reference)
    assert (case.summary, case.latitude, case.customer.given_name) == (
        "Grey bin missed again",
        52.68,
        "Grace",
    )

    read = client.get_request(reference)
    assert read["service_request_id"] == reference
    assert (read["status"], read["service_code"], read["lat"]) == ("open", "missed-bin", 52.68)
    listed = client.list_requests(service_code="missed-bin", status="open")
    assert [r["service_request_id"] for r in listed] == [reference]
    assert client.list_requests(service_request_ids=[reference])[0]["description"] == (
        "Grey bin missed again"
    )
    assert client.get_token(token) == [{"service_request_id": reference, "token": token}]

    # the client's retry finds the first case
    again = client.create_request(
        "missed-bin",
        dry_run=False,
        confirm="SEND",
        api_key=apps.a,
        lat=52.68,
        lng=-1.16,
        attributes={"client_request_id": "civicbot-1"},
    )
    assert again.response[0]["service_request_id"] == reference


def test_civicbot_sees_the_specs_errors(live_url, apps):
    with pytest.raises(HttpError) as refused:
        _client(live_url, apps.b).get_request("FO-000001")
    assert refused.value.status == 404
    with pytest.raises(HttpError) as forbidden:
        _client(live_url, "fo_nope").list_requests()
    assert forbidden.value.status == 403 and "api_key" in forbidden.value.body


def test_georeport_reads_our_services_in_xml(live_url, apps):
    from georeport import GeoReport

    reader = GeoReport(live_url, output_format="xml")
    assert {"missed-bin", "pothole"} <= {s["service_code"] for s in reader.get_service_list()}
    definition = reader.get_service_definition("missed-bin")
    assert definition["service_code"] == "missed-bin"
    assert definition["attributes"]["attribute"]["code"] == "bin"
