"""Chasing through a real Celery worker on Redis and a real local partner receiver: the
periodic task (run by beat every second, so many times per chase) reminds the partner exactly
once per chase, retries a reminder with the same key, stops once the case is acknowledged, and
escalates after N."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.cases import operations as cases
from frontoffice.cases.models import Case, Channel
from frontoffice.catalogue.models import Service
from frontoffice.chasing.models import Chase, ChaseEnd, ChaseEndKind, ChaseStatus
from frontoffice.crypto import encrypt_json
from frontoffice.customers.models import Customer
from frontoffice.dispatch.models import Dispatch, DispatchStatus, PartnerAdapter
from frontoffice.extensions import db
from frontoffice.partner_api import actions
from frontoffice.partners.models import Partner, PartnerKind
from frontoffice.routing.models import AreaKind, RoutingRule
from tests.live import live_worker, wait_until
from tests.partner_servers import WebhookReceiver

pytestmark = pytest.mark.no_db

ACTOR = Actor(None, "test", "127.0.0.1")
SECRET = "s3cret-for-tests"


@pytest.fixture(scope="module")
def receiver():
    with WebhookReceiver() as r:
        r.secret = SECRET
        yield r


@pytest.fixture(scope="module")
def live(app, database_url, tmp_path_factory, receiver):
    tmp = tmp_path_factory.mktemp("chasing-live")

    def setup(the_app):
        _partnership(the_app.config["SECRET_KEY"], receiver.url)

    with live_worker(
        app,
        database_url,
        tmp,
        "chasing",
        setup,
        FRONTOFFICE_CHASE_MAX="2",
        FRONTOFFICE_CHASE_INTERVAL_DAYS="1",
        FRONTOFFICE_CHASE_SECONDS="1",  # beat runs the periodic task every second
    ) as (the_app, w, _env, _tmp):
        yield the_app, w


def _partnership(secret_key: str, url: str) -> None:
    north = Partner(code="NORTH", name="Northvale District Council", kind=PartnerKind.DISTRICT)
    db.session.add(north)
    db.session.flush()
    db.session.add(
        PartnerAdapter(
            partner_id=north.id,
            name="Northvale webhook",
            adapter_type="webhook",
            settings={"url": url, "timeout": 5},
            secret_settings=encrypt_json(secret_key, {"secret": SECRET}),
        )
    )
    service = Service(
        code="missed-bin", name="Missed bin", owning_partner_id=north.id, ack_working_days=1
    )
    db.session.add(service)
    db.session.flush()
    rule = RoutingRule(
        service_id=service.id, area_kind=AreaKind.ANY, effective_from=date(2020, 1, 1)
    )
    rule.partners = [north]
    db.session.add(rule)
    customer = Customer(given_name="", family_name="")
    customer.set_names(given_name="Ada", family_name="Lovelace")
    db.session.add(customer)


def _late_case(the_app, receiver) -> int:
    """A case delivered by the worker, whose acknowledgement day was last week."""
    with the_app.app_context():
        service = db.session.scalar(select(Service))
        case = cases.raise_case(
            ACTOR, db.session.scalar(select(Customer)), service, Channel.PHONE, "Bin missed"
        )
        db.session.commit()
        case_id = case.id
        db.session.remove()
    wait_until(lambda: _dispatch_status(the_app, case_id) is DispatchStatus.DELIVERED, timeout=30)
    with the_app.app_context():
        db.session.execute(
            update(Case)
            .where(Case.id == case_id)
            .values(ack_due_date=clock.today() - timedelta(days=7))
        )
        db.session.commit()
        db.session.remove()
    return case_id


def _dispatch_status(the_app, case_id):
    with the_app.app_context():
        status = db.session.scalar(select(Dispatch.status).where(Dispatch.case_id == case_id))
        db.session.remove()
        return status


def _chases(the_app, case_id) -> list[tuple[int, ChaseStatus]]:
    with the_app.app_context():
        rows = db.session.execute(
            select(Chase.id, Chase.status).where(Chase.case_id == case_id).order_by(Chase.id)
        ).all()
        db.session.remove()
        return [tuple(r) for r in rows]


def _days_pass(the_app, case_id) -> None:
    """The interval goes by: the case's chases were made a week ago."""
    with the_app.app_context():
        db.session.execute(
            update(Chase)
            .where(Chase.case_id == case_id)
            .values(created_at=clock.now() - timedelta(days=7))
        )
        db.session.commit()
        db.session.remove()


def _reminders(receiver, case_id, the_app) -> dict[str, int]:
    keys = {f"chs-{i}" for i, _ in _chases(the_app, case_id)}
    with receiver.lock:
        return {k: receiver.attempts[k] for k in keys if k in receiver.received}


def test_reminded_once_per_chase_retried_with_its_key_then_escalated(live, receiver):
    the_app, w = live
    case_id = _late_case(the_app, receiver)
    wait_until(
        lambda: [s for _, s in _chases(the_app, case_id)] == [ChaseStatus.SENT],
        timeout=30,
        message=w.log,
    )
    [(first, _)] = _chases(the_app, case_id)
    assert receiver.events[f"chs-{first}"] == "case.reminder"
    assert receiver.received[f"chs-{first}"]["case"]["summary"].startswith("REMINDER 1: ")

    receiver.failures_left = 2  # the partner's system is down for the next two calls
    _days_pass(the_app, case_id)
    wait_until(lambda: len(_reminders(receiver, case_id, the_app)) == 2, timeout=30, message=w.log)
    second = max(i for i, _ in _chases(the_app, case_id))
    assert _reminders(receiver, case_id, the_app) == {f"chs-{first}": 1, f"chs-{second}": 3}
    assert receiver.received[f"chs-{second}"]["extra"]["chase"]["number"] == 2

    _days_pass(the_app, case_id)
    wait_until(lambda: _end(the_app, case_id) is not None, timeout=30, message=w.log)
    assert _end(the_app, case_id) == (ChaseEndKind.ESCALATED, 2)

    _days_pass(the_app, case_id)
    marker = _late_case(the_app, receiver)  # chased by the same run: shows the run was made
    wait_until(lambda: len(_reminders(receiver, marker, the_app)) == 1, timeout=30, message=w.log)
    assert len(_chases(the_app, case_id)) == 2, "no reminder after escalation"
    assert len(_reminders(receiver, case_id, the_app)) == 2


def _end(the_app, case_id):
    with the_app.app_context():
        end = db.session.scalar(select(ChaseEnd).where(ChaseEnd.case_id == case_id))
        found = (end.kind, end.chases) if end else None
        db.session.remove()
        return found


def test_an_acknowledgement_stops_the_chasing(live, receiver):
    the_app, w = live
    case_id = _late_case(the_app, receiver)
    wait_until(
        lambda: [s for _, s in _chases(the_app, case_id)] == [ChaseStatus.SENT],
        timeout=30,
        message=w.log,
    )
    with the_app.app_context():
        case = db.session.get(Case, case_id)
        partner = db.session.scalar(select(Partner))
        actions.acknowledge(ACTOR, partner, case)
        db.session.commit()
        db.session.remove()
    _days_pass(the_app, case_id)
    time.sleep(2.5)  # two runs of the periodic task
    _days_pass(the_app, case_id)
    # A case chased after it, in the same runs, shows the runs were made.
    other = _late_case(the_app, receiver)
    wait_until(lambda: len(_reminders(receiver, other, the_app)) == 1, timeout=30, message=w.log)
    assert len(_chases(the_app, case_id)) == 1
    assert len(_reminders(receiver, case_id, the_app)) == 1
