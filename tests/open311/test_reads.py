"""GET requests, requests/{id} and tokens/{token}: the spec's fields, filters, window and cap,
in XML (parsed by a real XML parser) and JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from frontoffice import clock
from frontoffice.audit.models import AuditEvent
from frontoffice.cases.status import CaseStatus
from frontoffice.extensions import db
from frontoffice.open311 import queries
from tests.open311.conftest import URL, case_of, error, partner_says, submit, xml

SPEC_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def _aware(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None, text
    return value


def _ids(client, key, fmt="xml", **params) -> list[str]:
    response = client.get(f"{URL}/requests.{fmt}", query_string={"api_key": key, **params})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    if fmt == "json":
        return [r["service_request_id"] for r in response.get_json()]
    root = xml(response)
    assert root.tag == "service_requests"
    return [r.findtext("service_request_id") for r in root.findall("request")]


def test_a_request_reads_back_as_the_spec_shows_it(client, apps):
    reference, _ = submit(
        client,
        apps.a,
        description="Grey bin <missed> & again",
        lat="52.68",
        long="-1.16",
        address_id="100010000001",
        media_url="https://photos.example.org/bin.jpg",
    )
    response = client.get(f"{URL}/requests/{reference}.xml", query_string={"api_key": apps.a})
    root = xml(response)
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert [child.tag for child in request] == SPEC_FIELDS
    case = case_of(reference)
    assert request.findtext("service_request_id") == reference
    assert request.findtext("status") == "open"
    assert request.findtext("status_notes") == ""
    assert (request.findtext("service_code"), request.findtext("service_name")) == (
        "missed-bin",
        "Missed bin",
    )
    assert request.findtext("description") == "Grey bin <missed> & again"
    assert request.findtext("agency_responsible") == case.owning_partner.name
    assert (request.findtext("address"), request.findtext("address_id")) == (
        "4 Mill Lane",
        "100010000001",
    )
    assert (float(request.findtext("lat")), float(request.findtext("long"))) == (52.68, -1.16)
    assert request.findtext("media_url") == "https://photos.example.org/bin.jpg"
    assert _aware(request.findtext("requested_datetime")) == case.created_at
    _aware(request.findtext("updated_datetime"))

    [record] = client.get(
        f"{URL}/requests/{reference}.json", query_string={"api_key": apps.a}
    ).get_json()
    assert list(record) == SPEC_FIELDS
    assert record["lat"] == 52.68 and record["status_notes"] is None


def test_the_due_date_is_the_expected_datetime(client, apps):
    reference, _ = submit(client, apps.a)
    case = case_of(reference)
    case.due_date = clock.today() + timedelta(days=5)
    db.session.commit()
    [record] = client.get(
        f"{URL}/requests/{reference}.json", query_string={"api_key": apps.a}
    ).get_json()
    expected = _aware(record["expected_datetime"])
    assert expected.date() == case.due_date and expected.hour == 23


def test_status_and_notes_follow_what_the_partner_said_for_the_resident(client, apps):
    reference, _ = submit(client, apps.a)
    case = case_of(reference)
    now = clock.now()
    partner_says(case, "in_progress", "A crew is booked for Tuesday", now, "p-1")
    partner_says(case, "in_progress", "", now + timedelta(minutes=1), "p-2")
    [record] = client.get(
        f"{URL}/requests/{reference}.json", query_string={"api_key": apps.a}
    ).get_json()
    assert (record["status"], record["status_notes"]) == ("open", "A crew is booked for Tuesday")

    partner_says(case, "closed", "Collected on Tuesday", now + timedelta(minutes=2), "p-3")
    assert case_of(reference).status is CaseStatus.RESOLVED
    request = xml(
        client.get(f"{URL}/requests/{reference}.xml", query_string={"api_key": apps.a})
    ).find("request")
    assert request.findtext("status") == "closed"
    assert request.findtext("status_notes") == "Collected on Tuesday"


def test_reads_are_audited(client, apps):
    reference, _ = submit(client, apps.a)
    client.get(f"{URL}/requests/{reference}.xml", query_string={"api_key": apps.a})
    reads = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "read", AuditEvent.record_id == str(case_of(reference).id)
        )
    ).all()
    assert len(reads) == 1 and reads[0].actor_label.startswith("open311:")


def test_a_token_finds_its_request(client, apps):
    reference, token = submit(client, apps.a)
    assert len(token) >= 32
    root = xml(client.get(f"{URL}/tokens/{token}.xml", query_string={"api_key": apps.a}))
    request = root.find("request")
    assert (request.findtext("service_request_id"), request.findtext("token")) == (
        reference,
        token,
    )
    [record] = client.get(f"{URL}/tokens/{token}.json", query_string={"api_key": apps.a}).get_json()
    assert record == {"service_request_id": reference, "token": token}
    other = token[:-1] + ("y" if token.endswith("x") else "x")  # one character off, never itself
    missing = client.get(f"{URL}/tokens/{other}.xml", query_string={"api_key": apps.a})
    assert "no such token" in error(missing, 404)


def test_the_list_is_the_last_90_days_newest_first_by_default(client, apps):
    now = clock.now()
    with time_machine.travel(now - timedelta(days=100), tick=False):
        old, _ = submit(client, apps.a)
    with time_machine.travel(now - timedelta(days=80), tick=False):
        older, _ = submit(client, apps.a)
    with time_machine.travel(now - timedelta(days=1), tick=False):
        recent, _ = submit(client, apps.a)
    assert _ids(client, apps.a) == [recent, older]
    assert _ids(client, apps.a, "json") == [recent, older]
    window = {
        "start_date": (now - timedelta(days=120)).isoformat(),
        "end_date": (now - timedelta(days=50)).isoformat(),
    }
    assert _ids(client, apps.a, **window) == [older, old]
    # only a start: 90 days from it; only an end: 90 days up to it
    start_only = (now - timedelta(days=101)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _ids(client, apps.a, start_date=start_only) == [older, old]
    end_only = (now - timedelta(days=90)).astimezone(UTC).isoformat()
    assert _ids(client, apps.a, end_date=end_only) == [old]


def test_the_list_holds_at_most_the_cap_newest_first(client, apps, monkeypatch):
    monkeypatch.setattr(queries, "MAX_RESULTS", 3)
    made = []
    for n in range(5):
        with time_machine.travel(clock.now() - timedelta(hours=10 - n), tick=False):
            made.append(submit(client, apps.a)[0])
    assert _ids(client, apps.a) == made[::-1][:3]


def test_filters_by_service_code_and_status(client, apps):
    bin_open, _ = submit(client, apps.a)
    pothole, _ = submit(client, apps.a, service_code="pothole")
    bin_done, _ = submit(client, apps.a)
    case = case_of(bin_done)
    case.status = CaseStatus.CLOSED
    db.session.commit()
    assert set(_ids(client, apps.a, service_code="missed-bin")) == {bin_open, bin_done}
    assert set(_ids(client, apps.a, service_code="pothole,missed-bin")) == {
        bin_open,
        bin_done,
        pothole,
    }
    assert set(_ids(client, apps.a, status="open")) == {bin_open, pothole}
    assert _ids(client, apps.a, status="closed") == [bin_done]
    assert len(_ids(client, apps.a, status="open,closed")) == 3
    assert _ids(client, apps.a, "json", service_code="missed-bin", status="CLOSED") == [bin_done]


def test_service_request_ids_override_every_other_filter(client, apps):
    first, _ = submit(client, apps.a)
    second, _ = submit(client, apps.a)
    submit(client, apps.a)
    found = _ids(
        client,
        apps.a,
        service_request_id=f"{first}, {second.lower()}",
        service_code="pothole",
        status="closed",
        start_date="2001-01-01T00:00:00Z",
        end_date="2001-01-02T00:00:00Z",
    )
    assert set(found) == {first, second}
    assert _ids(client, apps.a, service_request_id="FO-999999") == []


@pytest.mark.parametrize(
    ("path", "params", "status", "says"),
    [
        ("requests.xml", {"start_date": "yesterday"}, 400, "start_date must be an ISO 8601"),
        ("requests.json", {"end_date": "2026-13-40T00:00:00Z"}, 400, "end_date must be"),
        ("requests.xml", {"start_date": "2026-03-01T09:00:00"}, 400, "time zone"),
        (
            "requests.xml",
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            400,
            "more than 90 days",
        ),
        (
            "requests.xml",
            {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
            400,
            "not be before",
        ),
        ("requests.xml", {"status": "pending"}, 400, "status must be"),
        ("requests.json", {"status": ""}, 400, "status must be"),
        ("requests.xml", {"service_code": "<script>alert(1)</script>"}, 404, "not a service"),
        ("requests.xml", {"service_request_id": "FO-1,DROP TABLE case"}, 400, "not a reference"),
        ("requests.xml", {"service_request_id": ",".join(["FO-1"] * 101)}, 400, "at most 100"),
        ("requests.xml", {"start_date": "9" * 5000}, 400, "start_date"),
        ("requests/FO-000001.yaml", {}, 404, "format"),
        ("requests/not-a-reference.xml", {}, 404, "no such service request"),
        ("requests/FO-99999999999999.json", {}, 404, "no such service request"),
        ("servicerequestupdates.xml", {"start_date": "last week"}, 400, "ISO 8601"),
        ("servicerequestupdates.json", {"end_date": "2026-01-01"}, 400, "time zone"),
    ],
)
def test_bad_reads_are_the_specs_errors(client, apps, path, params, status, says):
    response = client.get(f"{URL}/{path}", query_string={"api_key": apps.a, **params})
    assert says in error(response, status)
    assert "<script>" not in response.get_data(as_text=True)


def test_a_read_changes_nothing_on_the_case(client, apps):
    reference, _ = submit(client, apps.a)
    before = (case_of(reference).updated_at, len(case_of(reference).events))
    client.get(f"{URL}/requests.xml", query_string={"api_key": apps.a})
    client.get(f"{URL}/requests/{reference}.json", query_string={"api_key": apps.a})
    db.session.expire_all()
    assert (case_of(reference).updated_at, len(case_of(reference).events)) == before
