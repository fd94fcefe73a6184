"""Which partners' webhooks are told of what: rows written in the change's own transaction."""

from __future__ import annotations

from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.cases import operations as cases
from frontoffice.cases.models import Channel
from frontoffice.cases.status import CaseStatus
from frontoffice.dispatch import timeline
from frontoffice.extensions import db
from frontoffice.partner_webhooks import operations
from frontoffice.partner_webhooks.events import OUTBOX_KEY
from frontoffice.partner_webhooks.models import WebhookDelivery
from frontoffice.routing.operations import reroute
from tests import service_builder
from tests.dispatch.test_outbox import claim, record_delivered, routed_case
from tests.factories import CustomerFactory, PartnerFactory, ServiceFactory

STAFF = Actor(None, "adviser", "127.0.0.1")


def subscribe(partner, events=("case.new", "case.changed"), url="https://hooks.example.org/x"):
    subscription, _ = operations.create(
        Actor.system("test"), partner.id, None, url=url, events=list(events)
    )
    db.session.commit()
    return subscription


def sent_to(subscription) -> list[tuple[str, str]]:
    rows = db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription.id)
        .order_by(WebhookDelivery.id)
    )
    return [(d.event, d.payload["case"]["reference"]) for d in rows]


def routed(*partners):
    case, dispatches = routed_case(*partners)
    db.session.commit()
    return case, dispatches


def test_a_case_routed_to_a_partner_is_case_new_with_a_thin_payload_and_is_enqueued():
    north, east = PartnerFactory(), PartnerFactory()
    hook, other = subscribe(north), subscribe(east)
    case, _ = routed_case(north)
    db.session.flush()
    (delivery,) = db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.subscription_id == hook.id)
    ).all()
    assert delivery.event == "case.new" and delivery.case_id == case.id
    assert delivery.id in db.session.info[OUTBOX_KEY], "sent once the transaction commits"
    assert delivery.payload == {
        "event": "case.new",
        "case": {
            "reference": case.reference,
            "status": "new",
            "updated_at": delivery.payload["case"]["updated_at"],
            "href": f"/api/v1/cases/{case.reference}",
        },
    }
    assert sent_to(other) == [], "a case not routed to a partner is never told to it"


def test_a_change_that_is_rolled_back_writes_no_event():
    north = PartnerFactory()
    hook = subscribe(north)
    case, _ = routed(north)
    before = sent_to(hook)
    savepoint = db.session.begin_nested()
    cases.change_status(STAFF, case, CaseStatus.IN_PROGRESS, "working on it")
    db.session.flush()
    assert len(sent_to(hook)) == len(before) + 1, "written in the change's transaction"
    savepoint.rollback()
    assert sent_to(hook) == before
    cases.add_note(STAFF, case, "After the rollback")
    db.session.commit()
    assert sent_to(hook) == [*before, ("case.changed", case.reference)]


def test_a_staff_change_tells_every_partner_the_case_went_to_once_per_transaction():
    north, revs = PartnerFactory(), PartnerFactory()
    north_hook, revs_hook = subscribe(north), subscribe(revs)
    case, _ = routed(north, revs)
    cases.change_status(STAFF, case, CaseStatus.IN_PROGRESS)
    cases.add_note(STAFF, case, "Called the resident")
    cases.change_status(STAFF, case, CaseStatus.WAITING_ON_PARTNER)
    db.session.commit()
    for hook in (north_hook, revs_hook):
        events = sent_to(hook)
        assert events == [("case.new", case.reference), ("case.changed", case.reference)]
    last = db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.subscription_id == north_hook.id)
    ).all()[-1]
    assert last.payload["case"]["status"] == "waiting_on_partner", "the latest state is sent"


def test_a_partners_own_update_is_not_echoed_but_reaches_the_other_partner(api, partnership):
    ours, theirs = partnership.ours, partnership.theirs
    our_hook, their_hook = subscribe(ours), subscribe(theirs)
    case, _ = routed(ours, theirs)
    response = api(partnership.our_key).post(
        f"/cases/{case.reference}/updates",
        json={"status": "in_progress", "public_note": "A crew is booked for Tuesday"},
    )
    assert response.status_code == 201
    assert sent_to(our_hook) == [("case.new", case.reference)], "no echo of our own update"
    assert sent_to(their_hook) == [
        ("case.new", case.reference),
        ("case.changed", case.reference),
    ]


def test_re_routing_tells_the_partner_it_left_and_the_one_it_went_to():
    north, east = PartnerFactory(), PartnerFactory()
    north_hook, east_hook = subscribe(north), subscribe(east)
    case, _ = routed(north)
    reroute(case, STAFF, partner_ids=[east.id], reason="East delivers this street")
    db.session.commit()
    assert sent_to(north_hook) == [("case.new", case.reference), ("case.changed", case.reference)]
    assert sent_to(east_hook) == [("case.new", case.reference)]
    cases.change_status(STAFF, case, CaseStatus.IN_PROGRESS)
    db.session.commit()
    assert len(sent_to(north_hook)) == 2, "once re-routed away, its changes are not told"
    assert sent_to(east_hook)[-1] == ("case.changed", case.reference)


def test_a_rejection_tells_the_other_partners_not_the_one_that_rejected(api, partnership):
    our_hook, their_hook = subscribe(partnership.ours), subscribe(partnership.theirs)
    case, _ = routed(partnership.ours, partnership.theirs)
    response = api(partnership.our_key).post(
        f"/cases/{case.reference}/reject", json={"reason": "Not our district"}
    )
    assert response.status_code == 200
    assert [e for e, _ in sent_to(our_hook)] == ["case.new"]
    assert [e for e, _ in sent_to(their_hook)] == ["case.new", "case.changed"]


def test_another_partners_cases_never_reach_a_webhook():
    north, east = PartnerFactory(), PartnerFactory()
    north_hook = subscribe(north)
    case, _ = routed(east)
    cases.change_status(STAFF, case, CaseStatus.IN_PROGRESS)
    cases.add_note(STAFF, case, "A note")
    db.session.commit()
    assert sent_to(north_hook) == []


def test_only_subscribed_events_and_active_webhooks_are_written():
    north = PartnerFactory()
    changes_only = subscribe(north, events=["case.changed"])
    stopped = subscribe(north)
    operations.disable(Actor.system("test"), stopped, "deleted by the partner")
    db.session.commit()
    case, _ = routed(north)
    assert sent_to(changes_only) == []
    cases.change_status(STAFF, case, CaseStatus.IN_PROGRESS)
    db.session.commit()
    assert sent_to(changes_only) == [("case.changed", case.reference)]
    assert sent_to(stopped) == []


def test_delivery_attempts_on_the_timeline_are_not_changes_of_the_case():
    north = PartnerFactory()
    hook = subscribe(north)
    case, (dispatch,) = routed(north)
    record_delivered(claim(dispatch.id))
    timeline.failed(dispatch, "timeout", final=False)
    db.session.commit()
    assert sent_to(hook) == [("case.new", case.reference)]


def test_a_raised_case_is_case_new_and_a_change_in_its_transaction_updates_that_event():
    """Raising writes its rows without the unit of work: the partner is told all the same."""
    north, east = PartnerFactory(), PartnerFactory()
    hook, other = subscribe(north), subscribe(east)
    service = ServiceFactory(owning_partner=east)
    service_builder.route(service, north)
    db.session.commit()
    case = cases.raise_case(STAFF, CustomerFactory(), service, Channel.PHONE, "Raised")
    (delivery,) = db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.subscription_id == hook.id)
    ).all()
    assert delivery.id in db.session.info[OUTBOX_KEY], "sent once the transaction commits"
    cases.change_status(STAFF, case, CaseStatus.IN_PROGRESS)
    db.session.commit()
    assert sent_to(hook) == [("case.new", case.reference)]
    db.session.refresh(delivery)
    assert delivery.payload["case"]["status"] == "in_progress", "the latest state is sent"
    assert sent_to(other) == []
