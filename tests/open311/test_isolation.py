"""A key reads only what its own partner's keys sent: another partner's request is "not found"
by id, list, token and updates, and a missing, invalid or revoked key is the spec's 403."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.cases.models import CaseEvent
from frontoffice.extensions import db
from frontoffice.partner_api import keys
from frontoffice.partner_api.models import ApiKey
from tests.open311.conftest import URL, case_of, error, partner_says, submit


@pytest.fixture
def a_request(client, apps):
    reference, token = submit(client, apps.a, description="Partner A's resident")
    partner_says(case_of(reference), "in_progress", "A's crew is booked", clock.now(), "p-1")
    return reference, token


def _events() -> int:
    return db.session.scalar(select(func.count()).select_from(CaseEvent))


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_another_partners_key_finds_nothing(client, apps, a_request, fmt):
    reference, token = a_request
    b = {"api_key": apps.b}
    assert "no such service request" in error(
        client.get(f"{URL}/requests/{reference}.{fmt}", query_string=b), 404
    )
    assert "no such token" in error(client.get(f"{URL}/tokens/{token}.{fmt}", query_string=b), 404)
    for params in ({}, {"service_request_id": reference}, {"status": "open"}):
        response = client.get(f"{URL}/requests.{fmt}", query_string={**b, **params})
        assert response.status_code == 200
        assert reference not in response.get_data(as_text=True)
        assert "Partner A" not in response.get_data(as_text=True)
    updates = client.get(f"{URL}/servicerequestupdates.{fmt}", query_string=b)
    assert updates.status_code == 200
    assert reference not in updates.get_data(as_text=True)
    assert "crew" not in updates.get_data(as_text=True)

    before = _events()
    posted = client.post(
        f"{URL}/servicerequestupdates.{fmt}",
        data={
            **b,
            "service_request_id": reference,
            "update_id": "b-1",
            "updated_datetime": clock.now().isoformat(),
            "status": "open",
            "description": "Not mine",
        },
    )
    assert "no such service request" in error(posted, 404)
    assert _events() == before
    # and partner A still reads its own
    own = client.get(f"{URL}/requests/{reference}.{fmt}", query_string={"api_key": apps.a})
    assert own.status_code == 200 and reference in own.get_data(as_text=True)


def test_a_partners_other_key_reads_what_its_first_key_sent(client, apps, a_request):
    reference, _ = a_request
    _, second = keys.create(Actor.system("test"), apps.a_partner.id, "Rotated key")
    db.session.commit()
    response = client.get(f"{URL}/requests/{reference}.json", query_string={"api_key": second})
    assert response.status_code == 200


def _every_endpoint(reference: str, token: str):
    for fmt in ("xml", "json"):
        yield "GET", f"{URL}/requests.{fmt}", {}
        yield "GET", f"{URL}/requests/{reference}.{fmt}", {}
        yield "GET", f"{URL}/tokens/{token}.{fmt}", {}
        yield "GET", f"{URL}/servicerequestupdates.{fmt}", {}
        yield (
            "POST",
            f"{URL}/requests.{fmt}",
            {"service_code": "missed-bin", "lat": "52", "long": "-1"},
        )
        yield (
            "POST",
            f"{URL}/servicerequestupdates.{fmt}",
            {
                "service_request_id": reference,
                "update_id": "x-1",
                "updated_datetime": clock.now().isoformat(),
                "status": "open",
                "description": "hello",
            },
        )


@pytest.mark.parametrize("which", ["missing", "invalid", "revoked", "hostile"])
def test_without_a_valid_key_every_endpoint_is_403(client, apps, a_request, which):
    reference, token = a_request
    key = {
        "missing": None,
        "invalid": "fo_000000000000_" + "A" * 43,
        "revoked": apps.a,
        "hostile": "<script>alert(1)</script>" * 1000,
    }[which]
    if which == "revoked":
        row = db.session.scalar(select(ApiKey).where(ApiKey.partner_id == apps.a_partner.id))
        keys.revoke(Actor.system("test"), row)
        db.session.commit()
    before = _events()
    for method, url, data in _every_endpoint(reference, token):
        params = {} if key is None else {"api_key": key}
        if method == "GET":
            response = client.get(url, query_string=params)
        else:
            response = client.post(url, data={**params, **data})
        assert "api_key" in error(response, 403), url
        assert "<script>" not in response.get_data(as_text=True)
    assert _events() == before


@pytest.mark.parametrize("path", ["requests.xml", "servicerequestupdates.json"])
def test_a_body_of_several_megabytes_is_refused_and_changes_nothing(client, apps, path):
    reference, _ = submit(client, apps.a)
    before = _events()
    response = client.post(
        f"{URL}/{path}",
        data={
            "api_key": apps.a,
            "service_code": "missed-bin",
            "service_request_id": reference,
            "address_string": "x",
            "description": "d" * (3 * 1024 * 1024),
        },
    )
    assert "too large" in error(response, 400)
    assert _events() == before
