"""What the chased partner sees: the reminder on its case in the partner UI, a `case.changed`
event for its registered webhooks (not for the front office's escalation), and that
acknowledging there ends the chasing."""

from __future__ import annotations

import html
from datetime import date

from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.chasing import operations, selection
from frontoffice.chasing.policy import ChasePolicy
from frontoffice.extensions import db
from frontoffice.partner_webhooks import operations as webhooks
from frontoffice.partner_webhooks.models import WebhookDelivery
from tests.chasing.world import ACTOR, at, delivered_case, partner_with
from tests.conftest import csrf_token, sign_in
from tests.factories import StaffUserFactory

POLICY = ChasePolicy()


def test_a_portal_partner_sees_the_chase_and_its_webhooks_hear_of_it(app):
    partner, service = partner_with(None, app.config["SECRET_KEY"])
    subscription, _secret = webhooks.create(
        Actor.system("test"), partner.id, None, url="http://127.0.0.1:9/hook"
    )
    case = delivered_case(service)
    db.session.commit()
    before = set(db.session.scalars(select(WebhookDelivery.id)))
    with at(date(2026, 6, 3)):
        operations.chase(ACTOR, case, 1, POLICY)
    db.session.commit()
    events = db.session.scalars(
        select(WebhookDelivery.event).where(
            WebhookDelivery.subscription_id == subscription.id, WebhookDelivery.id.not_in(before)
        )
    ).all()
    assert events == ["case.changed"]
    with at(date(2026, 6, 30)):
        operations.escalate(ACTOR, case, 1)
    db.session.commit()
    assert len(db.session.scalars(select(WebhookDelivery.id)).all()) == len(before) + 1

    worker = sign_in(app.test_client(), StaffUserFactory(role="partner_user", partner=partner))
    page = html.unescape(worker.get(f"/partner/cases/{case.reference}").get_data(as_text=True))
    assert "Reminder 1 of 3 to" in page
    assert "escalated to supervisors" not in page, "the front office's own business"


def test_acknowledging_in_the_partner_ui_ends_the_chasing(app):
    partner, service = partner_with(None, app.config["SECRET_KEY"])
    case = delivered_case(service)
    with at(date(2026, 6, 3)):
        operations.chase(ACTOR, case, 1, POLICY)
    db.session.commit()
    worker = sign_in(app.test_client(), StaffUserFactory(role="partner_user", partner=partner))
    url = f"/partner/cases/{case.reference}"
    page = worker.get(url).get_data(as_text=True)
    response = worker.client.post(
        f"{url}/acknowledge", data={"csrf_token": csrf_token(page), "update_id": "ack-1"}
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    db.session.refresh(case)
    assert case.acknowledged_at is not None
    assert selection.due(date(2026, 6, 30), POLICY) == []
