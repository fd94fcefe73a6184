"""The nudge after a death is committed, on a real Redis broker with no worker to take it: one
task per partner (so a partner that is down holds up only its own), put on the broker together;
a broker that cannot be reached loses no notification (the rows wait for the sweeper)."""

from __future__ import annotations

import base64
import json
import time

import pytest
import redis
from sqlalchemy import select

from frontoffice import worker
from frontoffice.access.actor import Actor
from frontoffice.catalogue.models import Service
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.extensions import db
from frontoffice.life_events import operations
from frontoffice.life_events.models import Notification
from tests.life_events import partnership
from tests.live import REDIS_URL, fresh_database, live_app, live_environment

pytestmark = pytest.mark.no_db

ACTOR = Actor(None, "test", "127.0.0.1")
CODES = ("COUNTY", "NORTH", "REVS", "PENSIONS")


@pytest.fixture
def reporting(app, database_url, tmp_path):
    """A reporting process's app on a fresh database; yields (app, env)."""

    def start(**extra: str):
        env = live_environment(url, tmp_path, **extra)
        the_app = live_app(env)
        with the_app.app_context():
            partnership.build(
                the_app.config["SECRET_KEY"],
                {c: f"http://127.0.0.1:9/{c.lower()}" for c in CODES},
            )
            db.session.commit()
        apps.append(the_app)
        return the_app, env

    apps: list = []
    with fresh_database(database_url, tmp_path, "nudge") as url:
        try:
            yield start
        finally:
            for the_app in apps:
                with the_app.app_context():
                    db.session.remove()
                    db.engine.dispose()
            worker.init_app(app)


def report_death(the_app) -> dict[int, str]:
    """One death told to all 12 services, committed; returns its dispatches' partner codes."""
    with the_app.app_context():
        services = tuple(db.session.scalars(select(Service.id).where(Service.code.like("tuo-%"))))
        customer = partnership.new_customer("Ada", f"Lovelace{time.monotonic_ns()}")
        db.session.flush()
        event = operations.report(ACTOR, customer, partnership.death_report(services))
        db.session.commit()
        rows = db.session.execute(
            select(Dispatch.id, Dispatch.partner_id, Dispatch.status)
            .join(Notification, Notification.case_id == Dispatch.case_id)
            .where(Notification.life_event_id == event.id)
        ).all()
        db.session.remove()
    assert {status for _, _, status in rows} == {DispatchStatus.PENDING}
    return {dispatch_id: partner_id for dispatch_id, partner_id, _ in rows}


def test_each_partner_gets_its_own_task_on_the_broker(app, reporting):
    with app.app_context():  # the tests' memory broker used first, as rolled-back tests do
        worker.celery_app.send_task("frontoffice.heartbeat")
    the_app, env = reporting()
    queue = env["FRONTOFFICE_QUEUE_PREFIX"] + "dispatch"
    broker = redis.Redis.from_url(REDIS_URL)
    try:
        partner_of = report_death(the_app)
        messages = [json.loads(m) for m in broker.lrange(queue, 0, -1)]
    finally:
        broker.delete(queue)
        broker.close()

    assert len(partner_of) == 12
    assert len(messages) == 4  # one task per partner, not one per dispatch nor one for all
    sent: list[int] = []
    for message in messages:
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        task = message["headers"]["task"]
        if task == "frontoffice.dispatch.deliver":  # a partner told of one service
            ids = args
        else:
            assert task == "frontoffice.dispatch.deliver_batch"
            (ids,) = args
        assert len({partner_of[i] for i in ids}) == 1, "a task holds one partner's dispatches"
        sent.extend(ids)
    assert sorted(sent) == sorted(partner_of)  # each dispatch nudged once


def test_a_broker_out_of_reach_loses_nothing(reporting):
    the_app, _env = reporting(FRONTOFFICE_BROKER_URL="redis://127.0.0.1:9/0")
    started = time.monotonic()
    partner_of = report_death(the_app)  # committed, and pending for the sweeper
    assert len(partner_of) == 12
    assert time.monotonic() - started < 30
