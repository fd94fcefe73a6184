"""The servicerequestupdates extension: GET the public updates on a client's requests, POST a
resident's update on one (as FixMyStreet's Open311 extension uses them)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from frontoffice import clock
from frontoffice.audit.models import AuditEvent
from frontoffice.cases.models import CaseEvent, CaseEventKind
from frontoffice.cases.status import CaseStatus
from frontoffice.extensions import db
from frontoffice.open311.models import Open311Update
from tests.open311.conftest import URL, case_of, error, partner_says, submit, xml

UPDATE_FIELDS = [
    "update_id",
    "service_request_id",
    "status",
    "updated_datetime",
    "description",
    "media_url",
]


def _when(delta: timedelta = timedelta()) -> str:
    return (clock.now() + delta).isoformat()


def _post(client, key, reference, fmt="xml", **fields):
    data = {
        "api_key": key,
        "service_request_id": reference,
        "update_id": "fms-1",
        "updated_datetime": _when(),
        "status": "OPEN",
        "description": "Still not collected",
        "email": "ada@example.org",
        "first_name": "Ada",
        "last_name": "Lovelace",
    }
    data.update({k: v for k, v in fields.items() if v is not None})
    for name in [k for k, v in fields.items() if v is None]:
        data.pop(name)
    return client.post(f"{URL}/servicerequestupdates.{fmt}", data=data)


def _counts(reference):
    db.session.expire_all()
    case = case_of(reference)
    return (
        case.status,
        len(case.events),
        db.session.scalar(select(func.count()).select_from(Open311Update)),
    )


def test_updates_are_the_public_timeline_of_the_clients_requests(client, apps):
    reference, _ = submit(client, apps.a)
    case = case_of(reference)
    partner_says(case, "in_progress", "A crew is booked for Tuesday", clock.now(), "p-1")
    internal = CaseEvent(
        case_id=case.id, kind=CaseEventKind.NOTE, note="Internal: resident is known to be difficult"
    )
    db.session.add(internal)
    db.session.commit()
    response = client.get(f"{URL}/servicerequestupdates.xml", query_string={"api_key": apps.a})
    root = xml(response)
    assert root.tag == "service_request_updates"
    updates = root.findall("request_update")
    assert [c.tag for c in updates[0]] == UPDATE_FIELDS
    said = [(u.findtext("service_request_id"), u.findtext("description")) for u in updates]
    assert (reference, "A crew is booked for Tuesday") in said
    assert any("in progress" in d for _, d in said)  # the case's own status change
    assert "difficult" not in response.get_data(as_text=True)
    assert str(internal.id) not in {u.findtext("update_id") for u in updates}
    assert all(u.findtext("status") == "open" for u in updates)

    partner_says(case, "closed", "Collected", clock.now() + timedelta(minutes=1), "p-2")
    body = client.get(
        f"{URL}/servicerequestupdates.json", query_string={"api_key": apps.a}
    ).get_json()
    assert body[-1]["status"] == "closed" and body[-1]["updated_datetime"]
    assert len({u["update_id"] for u in body}) == len(body)


def test_updates_keep_to_their_window(client, apps):
    reference, _ = submit(client, apps.a)
    partner_says(case_of(reference), "in_progress", "Booked", clock.now(), "p-1")
    later = {"start_date": _when(timedelta(hours=1)), "end_date": _when(timedelta(hours=2))}
    body = client.get(
        f"{URL}/servicerequestupdates.json", query_string={"api_key": apps.a, **later}
    ).get_json()
    assert body == []


def test_a_residents_update_lands_on_the_timeline_once(client, apps):
    reference, _ = submit(client, apps.a)
    response = _post(client, apps.a, reference)
    root = xml(response)
    assert root.tag == "service_request_updates"
    our_id = root.find("request_update").findtext("update_id")
    case = case_of(reference)
    note = case.events[-1]
    assert (note.kind, str(note.id)) == (CaseEventKind.NOTE, our_id)
    assert note.note == "Ada Lovelace via FixMyStreet reporting app: Still not collected"
    assert note.details["from"] == "resident" and note.details["email"] == "ada@example.org"
    assert db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "add_note", AuditEvent.record_id == str(case.id))
    )
    before = _counts(reference)
    again = _post(client, apps.a, reference, "json", description="Sent twice")
    assert again.get_json() == [{"update_id": our_id}]
    assert _counts(reference) == before
    # residents' own words are not echoed back as the council's updates
    body = client.get(
        f"{URL}/servicerequestupdates.json", query_string={"api_key": apps.a}
    ).get_json()
    assert our_id not in {u["update_id"] for u in body}


def test_open_on_a_resolved_case_reopens_it(client, apps):
    reference, _ = submit(client, apps.a)
    partner_says(case_of(reference), "closed", "Collected", clock.now(), "p-1")
    assert case_of(reference).status is CaseStatus.RESOLVED
    response = _post(client, apps.a, reference, updated_datetime=_when(timedelta(minutes=5)))
    assert response.status_code == 200
    assert case_of(reference).status is CaseStatus.IN_PROGRESS


def test_an_update_written_before_the_case_was_resolved_does_not_roll_it_back(client, apps):
    reference, _ = submit(client, apps.a)
    written = _when(timedelta(minutes=-30))
    partner_says(case_of(reference), "closed", "Collected", clock.now(), "p-1")
    response = _post(client, apps.a, reference, updated_datetime=written)
    assert response.status_code == 200
    case = case_of(reference)
    assert case.status is CaseStatus.RESOLVED
    assert case.events[-1].kind is CaseEventKind.NOTE


def test_closed_from_a_resident_adds_the_note_and_leaves_the_case_to_the_partner(client, apps):
    reference, _ = submit(client, apps.a)
    response = _post(client, apps.a, reference, status="CLOSED", description="Done, thanks")
    assert response.status_code == 200
    assert case_of(reference).status is CaseStatus.NEW


@pytest.mark.parametrize(
    ("case_status", "status"),
    [
        (CaseStatus.CLOSED, "OPEN"),
        (CaseStatus.CANCELLED, "OPEN"),
        (CaseStatus.CLOSED, "CLOSED"),
        (CaseStatus.RESOLVED, "CLOSED"),
    ],
)
def test_updates_on_a_finished_case_are_refused(client, apps, case_status, status):
    reference, _ = submit(client, apps.a)
    case_of(reference).status = case_status
    db.session.commit()
    before = _counts(reference)
    response = _post(client, apps.a, reference, status=status)
    assert "make a new request" in error(response, 400)
    assert _counts(reference) == before


@pytest.mark.parametrize(
    ("fields", "status", "says"),
    [
        ({"update_id": None}, 400, "update_id is required"),
        ({"update_id": "x" * 101}, 400, "update_id"),
        ({"update_id": "a\x00b"}, 400, "update_id"),
        ({"service_request_id": "FO-999999"}, 404, "no such service request"),
        ({"service_request_id": "<script>"}, 404, "no such service request"),
        ({"updated_datetime": None}, 400, "updated_datetime is required"),
        ({"updated_datetime": "soon"}, 400, "ISO 8601"),
        ({"updated_datetime": "2026-03-01T10:00:00"}, 400, "time zone"),
        ({"updated_datetime": "2999-01-01T00:00:00Z"}, 400, "future"),
        ({"status": "FIXED"}, 400, "status must be one of"),
        ({"status": None}, 400, "status must be one of"),
        ({"description": "d" * 5001}, 400, "description"),
        ({"description": "bell\x07"}, 400, "control"),
        ({"email": "nobody"}, 400, "email"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"media_url": "https://x.example/" + "a" * 500}, 400, "media_url"),
    ],
)
def test_bad_updates_are_the_specs_errors_and_change_nothing(client, apps, fields, status, says):
    reference, _ = submit(client, apps.a)
    before = _counts(reference)
    response = _post(client, apps.a, reference, **fields)
    assert says in error(response, status)
    assert "<script>" not in response.get_data(as_text=True)
    assert _counts(reference) == before


def test_hostile_text_goes_in_and_out_as_text(client, apps):
    hostile = "]]><script>alert('x')</script>&amp; \u202e 'quoted' \"double\""
    reference, _ = submit(client, apps.a, description=hostile)
    partner_says(case_of(reference), "in_progress", hostile, clock.now(), "p-1")
    request = xml(
        client.get(f"{URL}/requests/{reference}.xml", query_string={"api_key": apps.a})
    ).find("request")
    assert request.findtext("description") == hostile
    assert request.findtext("status_notes") == hostile
    assert _post(client, apps.a, reference, description=hostile).status_code == 200
    assert case_of(reference).events[-1].note.endswith(hostile)
