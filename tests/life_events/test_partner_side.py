"""What a partner sees of a life event: each notification is a case in its own queue and API,
with the event and whom to contact, never another partner's; acknowledging and closing it
there is what the informant's receipt then says."""

from __future__ import annotations

import html
from datetime import date

import pytest

from frontoffice.access.actor import Actor
from frontoffice.accounts.models import Role
from frontoffice.cases.models import Channel
from frontoffice.extensions import db
from frontoffice.life_events import operations, queries
from frontoffice.life_events.models import Authority, EventKind, NotificationStatus
from frontoffice.partner_api import keys
from tests.life_events import partnership

ACTOR = Actor(None, "test", "")
pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def told():
    """Ada's death told to every service; the notifications by service code."""
    p = partnership.build()
    event = operations.report(
        ACTOR,
        p.customer,
        operations.Report(
            kind=EventKind.DEATH,
            event_date=date(2026, 11, 18),
            channel=Channel.PHONE,
            informant=operations.PersonDetails("Walter Hopper", "Neighbour", "07700 900555"),
            authority=Authority.ACTING_FOR,
            service_ids=tuple(s.id for s in p.services.values()),
            consent_wording=operations.consent_wording(EventKind.DEATH),
            next_of_kin=operations.PersonDetails("Byron Lovelace", "Son", "07700 900123"),
            executor=operations.PersonDetails("Mary Somerville", "Solicitor", email="ms@law.ex"),
        ),
    )
    db.session.commit()
    return p, event, {n.service.code: n for n in event.notifications}


def status(event, code: str) -> NotificationStatus:
    db.session.expire_all()
    lines = {line.notification.service.code: line for line in queries.receipt(event).lines}
    return lines[code].status


def test_a_partner_user_sees_and_works_only_its_own_services_notifications(told, as_role):
    p, event, by_code = told
    county = as_role(Role.PARTNER_USER, partner=p.partners["COUNTY"])
    queue = html.unescape(county.get("/partner/").get_data(as_text=True))
    for code, partner in partnership.SERVICES.items():
        assert (by_code[code].case.reference in queue) is (partner == "COUNTY"), code

    libraries = by_code["tuo-libraries"].case
    url = f"/partner/cases/{libraries.reference}"
    page = html.unescape(county.get(url).get_data(as_text=True))
    assert f"Tell us once ({event.reference}): Ada Lovelace died on 18 November 2026" in page
    assert "Byron Lovelace" in page and "07700 900123" in page  # whom to contact
    assert "Mary Somerville" in page and "ms@law.ex" in page
    assert "07700 900555" not in page  # the informant is not a contact for the services
    council_tax = by_code["tuo-council-tax"].case.reference
    assert county.get(f"/partner/cases/{council_tax}").status_code == 404

    assert county.post(f"{url}/acknowledge", {}, form_url=url).status_code == 302
    assert status(event, "tuo-libraries") is NotificationStatus.ACKNOWLEDGED
    closed = county.post(f"{url}/close", {"close-outcome": "Library account closed"}, form_url=url)
    assert closed.status_code == 302
    assert status(event, "tuo-libraries") is NotificationStatus.ACTIONED
    assert status(event, "tuo-blue-badge") is NotificationStatus.PENDING


def test_a_partner_system_reads_and_acknowledges_its_notification_through_the_api(told, client):
    p, event, by_code = told
    _key, secret = keys.create(ACTOR, p.partners["PENSIONS"].id, "Pension fund system")
    db.session.commit()
    auth = {"Authorization": f"Bearer {secret}"}

    listed = client.get("/api/v1/cases", headers=auth).get_json()["cases"]
    pensions = by_code["tuo-pensions"].case.reference
    assert [c["reference"] for c in listed] == [pensions]
    detail = client.get(f"/api/v1/cases/{pensions}", headers=auth).get_json()
    assert detail["answers"]["life_event"] == event.reference
    assert detail["answers"]["event_date"] == "2026-11-18"
    assert detail["answers"]["executor"]["email"] == "ms@law.ex"
    assert "informant" not in detail["answers"]
    other = by_code["tuo-council-tax"].case.reference
    assert client.get(f"/api/v1/cases/{other}", headers=auth).status_code == 403

    answer = client.post(
        f"/api/v1/cases/{pensions}/updates",
        json={"status": "acknowledged", "update_id": "pf-1"},
        headers=auth,
    )
    assert answer.status_code == 201, answer.get_json()
    assert status(event, "tuo-pensions") is NotificationStatus.ACKNOWLEDGED
