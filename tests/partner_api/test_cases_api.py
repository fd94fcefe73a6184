"""The partner API over HTTP: keys, the cases routed to the partner, updates coming back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.cases.models import CaseEvent, CaseEventKind
from frontoffice.cases.status import CaseStatus
from frontoffice.extensions import db
from frontoffice.partner_api import keys
from tests.partner_api.conftest import case_for


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer fo_000000000000_" + "A" * 43},
        {"X-Api-Key": "<script>alert(1)</script>"},
    ],
)
def test_no_valid_key_is_401_in_json(client, partnership, headers):
    response = client.get("/api/v1/cases", headers=headers)
    _error(response, 401, "unauthorised")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "script" not in response.get_data(as_text=True)


def test_a_revoked_key_is_refused(api, partnership):
    key = keys.authenticate(partnership.our_key)
    keys.revoke(Actor.system("test"), key)
    db.session.commit()
    _error(api(partnership.our_key).get("/cases"), 401, "unauthorised")


def test_a_partner_lists_only_its_own_cases_page_by_page(api, partnership):
    ours = [case_for(partnership.ours) for _ in range(5)]
    theirs = case_for(partnership.theirs)
    client = api(partnership.our_key)
    seen, cursor = [], None
    while True:
        response = client.get(
            "/cases", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})}
        )
        assert response.status_code == 200
        body = response.get_json()
        seen.extend(c["reference"] for c in body["cases"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(c.reference for c in ours)
    assert theirs.reference not in seen
    by_status = client.get("/cases", query_string={"status": "resolved"}).get_json()
    assert by_status["cases"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"limit": "0"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "2026-03-14T09:00:00"}, "updated_since"),
        ({"cursor": "not-ours"}, "cursor"),
    ],
)
def test_bad_filters_are_422_naming_the_field(api, partnership, query, field):
    error = _error(api(partnership.our_key).get("/cases", query_string=query), 422, "invalid")
    assert field in error["fields"]


def test_reading_a_case_gives_what_the_partner_needs(api, partnership):
    case = case_for(partnership.ours)
    body = api(partnership.our_key).get(f"/cases/{case.reference}").get_json()
    assert body["reference"] == case.reference and body["status"] == "new"
    assert body["customer"]["family_name"] == case.customer.family_name
    assert "date_of_birth" not in body["customer"]


def test_another_partners_case_is_403_and_an_unknown_one_404(api, partnership):
    theirs = case_for(partnership.theirs)
    client = api(partnership.our_key)
    _error(client.get(f"/cases/{theirs.reference}"), 403, "forbidden")
    _error(
        client.post(f"/cases/{theirs.reference}/updates", json={"status": "closed"}),
        403,
        "forbidden",
    )
    for missing in ("FO-999999", "FO-99999999999", "nonsense", "FO-1%27%20OR%201=1"):
        _error(client.get(f"/cases/{missing}"), 404, "not_found")
    assert theirs.status is CaseStatus.NEW


def test_an_update_lands_on_the_case_once_and_closing_resolves_it(api, partnership):
    case = case_for(partnership.ours)
    client = api(partnership.our_key)
    first = client.post(
        f"/cases/{case.reference}/updates",
        json={
            "status": "in_progress",
            "public_note": "A crew is booked for Tuesday",
            "internal_note": "Crew 4",
            "your_reference": "NV-77",
            "update_id": "u-1",
        },
    )
    assert first.status_code == 201 and first.get_json()["outcome"] == "applied"
    again = client.post(
        f"/cases/{case.reference}/updates", json={"status": "in_progress", "update_id": "u-1"}
    )
    assert again.status_code == 200 and again.get_json()["outcome"] == "repeated"
    closed = client.post(
        f"/cases/{case.reference}/updates", json={"status": "closed", "public_note": "Done"}
    )
    assert closed.get_json()["case"]["status"] == "resolved"
    assert closed.get_json()["case"]["your_reference"] == "NV-77"
    db.session.expire_all()
    notes = db.session.scalars(
        select(CaseEvent.note)
        .where(
            CaseEvent.case_id == case.id,
            CaseEvent.kind.in_([CaseEventKind.PARTNER_UPDATE, CaseEventKind.NOTE]),
        )
        .order_by(CaseEvent.id)
    ).all()
    assert notes == [
        "Northvale District Council says in progress: A crew is booked for Tuesday",
        "Internal note from Northvale District Council: Crew 4",
        "Northvale District Council says closed: Done",
    ]


def test_an_update_older_than_the_last_does_not_roll_back(api, partnership):
    case = case_for(partnership.ours)
    client = api(partnership.our_key)
    client.post(
        f"/cases/{case.reference}/updates",
        json={"status": "closed", "updated_at": "2026-03-14T10:00:00Z"},
    )
    late = client.post(
        f"/cases/{case.reference}/updates",
        json={"status": "in_progress", "updated_at": "2026-03-14T09:00:00+00:00"},
    )
    assert late.get_json()["outcome"] == "stale"
    assert late.get_json()["case"]["status"] == "resolved"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "status"),
        ({"status": "done"}, "status"),
        ({"status": "closed", "public_note": 7}, "public_note"),
        ({"status": "closed", "public_note": "x" * 5001}, "public_note"),
        ({"status": "closed", "your_reference": "r" * 101}, "your_reference"),
        ({"status": "closed", "updated_at": "soon"}, "updated_at"),
        ({"status": "closed", "updated_at": 12}, "updated_at"),
    ],
)
def test_bad_updates_are_422_and_change_nothing(api, partnership, body, field):
    case = case_for(partnership.ours)
    before = db.session.scalar(select(CaseEvent.id).order_by(CaseEvent.id.desc()).limit(1))
    error = _error(
        api(partnership.our_key).post(f"/cases/{case.reference}/updates", json=body), 422, "invalid"
    )
    assert field in error["fields"]
    after = db.session.scalar(select(CaseEvent.id).order_by(CaseEvent.id.desc()).limit(1))
    assert before == after and case.status is CaseStatus.NEW


def test_malformed_huge_and_illegal_bodies(api, partnership, client):
    case = case_for(partnership.ours)
    url = f"/api/v1/cases/{case.reference}/updates"
    headers = {"Authorization": f"Bearer {partnership.our_key}", "Content-Type": "application/json"}
    _error(client.post(url, data="{not json", headers=headers), 400, "bad_json")
    _error(client.post(url, data="[1, 2]", headers=headers), 400, "bad_json")
    _error(client.post(url, data="x" * (3 * 1024 * 1024), headers=headers), 413, "too_large")
    api(partnership.our_key).post(f"/cases/{case.reference}/updates", json={"status": "closed"})
    _error(
        api(partnership.our_key).post(
            f"/cases/{case.reference}/updates", json={"status": "in_progress"}
        ),
        409,
        "case_closed",
    )


def test_accepting_starts_work(api, partnership):
    case = case_for(partnership.ours)
    body = api(partnership.our_key).post(f"/cases/{case.reference}/accept").get_json()
    assert body["outcome"] == "applied" and body["case"]["status"] == "in_progress"
    assert body["case"]["your_status"] == "accepted"


def test_rejecting_returns_the_case_to_triage_and_out_of_the_partners_sight(
    api, partnership, as_role
):
    case = case_for(partnership.ours)
    client = api(partnership.our_key)
    missing = client.post(f"/cases/{case.reference}/reject", json={"reason": "  "})
    _error(missing, 422, "invalid")
    done = client.post(f"/cases/{case.reference}/reject", json={"reason": "Not our district"})
    assert done.status_code == 200
    db.session.expire_all()
    assert case.triage_reason == f"Rejected by {partnership.ours.name}: Not our district"
    _error(client.get(f"/cases/{case.reference}"), 403, "forbidden")
    assert case.reference not in {c["reference"] for c in client.get("/cases").get_json()["cases"]}
    triage = as_role("supervisor").get("/staff/deliveries/triage").get_data(as_text=True)
    assert case.reference in triage and "Not our district" in triage


def test_a_closed_case_cannot_be_accepted_or_rejected(api, partnership):
    case = case_for(partnership.ours)
    client = api(partnership.our_key)
    client.post(f"/cases/{case.reference}/updates", json={"status": "closed"})
    _error(client.post(f"/cases/{case.reference}/accept"), 409, "case_closed")
    _error(client.post(f"/cases/{case.reference}/reject", json={"reason": "x"}), 409, "case_closed")


def test_the_partners_word_shows_on_the_customer_record(api, partnership, as_role):
    case = case_for(partnership.ours)
    api(partnership.our_key).post(f"/cases/{case.reference}/updates", json={"status": "waiting"})
    page = as_role("adviser").get(f"/staff/customers/{case.customer_id}").get_data(as_text=True)
    assert f"{partnership.ours.name}: waiting" in page
