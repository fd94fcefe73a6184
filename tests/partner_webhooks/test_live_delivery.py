"""Webhook events end to end: a real Celery worker on Redis, real local receivers that check
our signature, a receiver that is down for a while."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.cases import operations as cases
from frontoffice.cases.models import Case, Channel
from frontoffice.cases.status import CaseStatus
from frontoffice.extensions import db
from frontoffice.models import Customer, Partner, PartnerKind, Service
from frontoffice.partner_webhooks import operations
from frontoffice.partner_webhooks.models import DeliveryStatus, WebhookDelivery
from tests import service_builder
from tests.live import live_worker, wait_until
from tests.partner_servers import WebhookReceiver

pytestmark = pytest.mark.no_db

STAFF = Actor(None, "adviser", "127.0.0.1")


@pytest.fixture(scope="module")
def receivers():
    with WebhookReceiver() as north, WebhookReceiver() as east:
        yield north, east


@pytest.fixture(scope="module")
def live(app, database_url, tmp_path_factory, receivers):
    tmp = tmp_path_factory.mktemp("webhooks-live")

    def setup(_app):
        _partnership(*receivers)

    with live_worker(app, database_url, tmp, "webhooks", setup) as (the_app, w, _env, _tmp):
        yield the_app, w


def _partnership(north_receiver, east_receiver):
    for code, name, receiver in (
        ("NORTH", "Northvale District Council", north_receiver),
        ("EAST", "Eastmoor District Council", east_receiver),
    ):
        partner = Partner(code=code, name=name, kind=PartnerKind.DISTRICT)
        db.session.add(partner)
        db.session.flush()
        service = Service(code=code.lower(), name=f"{name} service", owning_partner_id=partner.id)
        db.session.add(service)
        db.session.flush()
        service_builder.route(service, partner, priority=100)
        _, receiver.secret = operations.create(STAFF, partner.id, None, url=receiver.url)
    customer = Customer(given_name="", family_name="")
    customer.set_names(given_name="Ada", family_name="Lovelace")
    db.session.add(customer)
    db.session.commit()


def raise_cases(the_app, code: str, n: int) -> list[str]:
    with the_app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == code))
        customer = db.session.scalar(select(Customer))
        references = []
        for i in range(n):
            case = cases.raise_case(STAFF, customer, service, Channel.PHONE, f"case {i}")
            references.append(case.reference)
        db.session.commit()  # the events are committed with the cases, then enqueued
        db.session.remove()
        return references


def deliveries(the_app) -> list[tuple[str, DeliveryStatus]]:
    with the_app.app_context():
        rows = db.session.execute(select(WebhookDelivery.id, WebhookDelivery.status)).all()
        db.session.remove()
        return [(f"whk-{i}", s) for i, s in rows]


def all_delivered(the_app, count: int) -> bool:
    rows = deliveries(the_app)
    return len(rows) == count and all(s is DeliveryStatus.DELIVERED for _, s in rows)


def test_a_receiver_down_for_a_while_gets_each_event_once_signed_and_only_its_own(live, receivers):
    the_app, w = live
    north, east = receivers
    north.failures_left = 9  # down for its first nine requests (a worker may start late)
    north_refs = raise_cases(the_app, "north", 6)
    east_refs = raise_cases(the_app, "east", 2)
    wait_until(lambda: all_delivered(the_app, 8), timeout=90, message=w.log)
    assert north.bad_signatures == 0 and east.bad_signatures == 0
    north_cases = [body["case"]["reference"] for body in north.received.values()]
    assert sorted(north_cases) == sorted(north_refs), "each event exactly once"
    # Two worker processes may send one partner's events in either order: each is once.
    assert sorted(body["case"]["reference"] for body in east.received.values()) == east_refs
    assert set(north.events.values()) == {"case.new"}
    assert sum(north.attempts.values()) > len(north_refs), "the receiver refused some at first"
    assert set(north.attempts) == set(north.received), "retries reused the Idempotency-Key"
    assert not set(north.attempts) & set(east.attempts)
    for key, body in north.received.items():
        assert body["id"] == key and "customer" not in body


def test_a_change_is_told_to_the_partner_after_commit(live, receivers):
    the_app, w = live
    north, east = receivers
    before_east = set(east.received)
    (reference,) = raise_cases(the_app, "north", 1)
    with the_app.app_context():
        case = db.session.scalar(select(Case).order_by(Case.id.desc()).limit(1))
        assert case.reference == reference
        cases.change_status(STAFF, case, CaseStatus.IN_PROGRESS, "on it")
        db.session.commit()
        db.session.remove()

    def told() -> bool:
        return any(
            body["case"]["reference"] == reference and body["event"] == "case.changed"
            for body in list(north.received.values())
        )

    wait_until(told, timeout=60, message=w.log)
    changed = [b for b in north.received.values() if b["case"]["reference"] == reference]
    assert changed[-1]["case"]["status"] == "in_progress"
    assert set(east.received) == before_east
