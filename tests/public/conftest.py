"""A resident's browser over HTTP: forms fetched before they are posted, so each post carries
the CSRF token (and, on check your answers, the idempotency token) the page gave."""

from __future__ import annotations

import re

import pytest

from frontoffice.extensions import db
from frontoffice.public import guard
from tests import factories as f
from tests import service_builder
from tests.conftest import csrf_token
from tests.life_events.partnership import frozen, p  # noqa: F401  (tell us once on the web)


class Resident:
    def __init__(self, client):
        self.client = client

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url, data=None, *, form_url=None, **kwargs):
        page = self.client.get(form_url or url)
        data = dict(data or {})
        data.setdefault("csrf_token", csrf_token(page.get_data(as_text=True)))
        return self.client.post(url, data=data, **kwargs)

    def check_page(self, url="/request/check"):
        page = self.client.get(url)
        html = page.get_data(as_text=True)
        match = re.search(r'name="token"[^>]*value="([^"]+)"', html) or re.search(
            r'value="([^"]+)"[^>]*name="token"', html
        )
        assert match, html[:3000]
        return html, {"csrf_token": csrf_token(html), "token": match.group(1)}


@pytest.fixture
def resident(client):
    return Resident(client)


@pytest.fixture(autouse=True)
def _forget_limits(app):
    with app.test_request_context():
        guard.reset()
    yield
    with app.test_request_context():
        guard.reset()


@pytest.fixture
def bins():
    """A service with a required choice and an optional text question (not routed: its cases
    go to triage), and 1 High Street, NV1 2AB in the gazetteer."""
    service = service_builder.missed_bin(
        f.PartnerFactory(),
        name="Report a missed bin collection",
        routed=False,
        group="Bins and recycling",
        description="A bin that was out on time but was not emptied.",
        keywords="wheelie bin, rubbish, refuse, recycling",
        sla_working_days=10,
    )
    db.session.commit()
    return service


def complete(resident, service, *, contact=None, address=None, answers=None):
    """Answers every page up to check your answers; returns the check page's tokens."""
    r = resident.post(f"/request/service/{service.code}")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    for data in answers or service_builder.ANSWERS:
        location = r.headers["Location"]
        r = resident.post(location, data)
        assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    if address is None:
        r = resident.post("/request/address", {"postcode": "nv1 2ab"})
        assert r.headers["Location"].startswith("/request/address/choose")
        r = resident.post("/request/address/choose", {"uprn": "100000000001"})
    else:
        r = resident.post("/request/address/manual", address)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    r = resident.post(
        "/request/contact",
        contact
        or {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.org",
            "phone": "",
            "reply_by": "email",
            "language": "en",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    return resident.check_page()
