"""Telling services of a death through a real Celery worker on Redis and real local partner
systems: partners down for a while, a worker killed mid fan-out, a partner rejecting."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.catalogue.models import Service
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.extensions import db
from frontoffice.life_events import operations, queries
from frontoffice.life_events.models import (
    LifeEvent,
    Notification,
    NotificationStatus,
)
from frontoffice.partner_api import keys
from frontoffice.partners.models import Partner
from tests.life_events import partnership
from tests.live import live_worker, running_worker, wait_until
from tests.partner_servers import WebhookReceiver

pytestmark = pytest.mark.no_db

ACTOR = Actor(None, "test", "127.0.0.1")
CODES = ("COUNTY", "NORTH", "REVS", "PENSIONS")


@pytest.fixture(scope="module")
def receivers():
    with (
        WebhookReceiver() as county,
        WebhookReceiver() as north,
        WebhookReceiver() as revs,
        WebhookReceiver() as pensions,
    ):
        yield dict(zip(CODES, (county, north, revs, pensions), strict=True))


@pytest.fixture(scope="module")
def live(app, database_url, tmp_path_factory, receivers):
    tmp = tmp_path_factory.mktemp("life-events-live")

    def setup(the_app):
        partnership.build(the_app.config["SECRET_KEY"], {c: r.url for c, r in receivers.items()})

    with live_worker(app, database_url, tmp, "life_events", setup) as running:
        yield running


def report_deaths(the_app, n: int) -> list[int]:
    """n deaths, each told to all 12 services, each in one committed transaction."""
    ids = []
    with the_app.app_context():
        services = tuple(
            db.session.scalars(select(Service.id).where(Service.code.like("tuo-%"))).all()
        )
        for i in range(n):
            customer = partnership.new_customer("Grace", f"Hopper{time.monotonic_ns()}{i}")
            db.session.flush()
            event = operations.report(ACTOR, customer, partnership.death_report(services))
            db.session.commit()  # the dispatches are enqueued after this commit
            ids.append(event.id)
        db.session.remove()
    return ids


def dispatches_of(the_app, event_ids: list[int]) -> list[tuple[int, str, DispatchStatus]]:
    with the_app.app_context():
        rows = db.session.execute(
            select(Dispatch.id, Partner.code, Dispatch.status)
            .join(Notification, Notification.case_id == Dispatch.case_id)
            .join(Partner, Partner.id == Dispatch.partner_id)
            .where(Notification.life_event_id.in_(event_ids))
        ).all()
        db.session.remove()
        return [tuple(r) for r in rows]


def all_delivered(the_app, event_ids) -> bool:
    rows = dispatches_of(the_app, event_ids)
    return len(rows) == 12 * len(event_ids) and all(
        s is DispatchStatus.DELIVERED for _, _, s in rows
    )


def copies_of(receivers, rows) -> dict[str, int]:
    """How many copies each partner kept of each dispatch sent to it (keyed by dispatch)."""
    return {
        f"dsp-{i}": sum(1 for key in receivers[code].received if key == f"dsp-{i}")
        for i, code, _ in rows
    }


def test_two_partners_down_for_a_while_every_service_is_told_exactly_once(live, receivers):
    the_app, w, _env, _tmp = live
    # Down until they have refused this many calls (NORTH long enough to open its breaker).
    receivers["NORTH"].failures_left = 8
    receivers["PENSIONS"].failures_left = 3
    [event_id] = report_deaths(the_app, 1)
    time.sleep(1.5)
    with the_app.app_context():
        event = db.session.get(LifeEvent, event_id)
        waiting = {line.status for line in queries.receipt(event).lines}
        db.session.remove()
    assert NotificationStatus.PENDING in waiting, "the down partners are not told yet"

    wait_until(lambda: all_delivered(the_app, [event_id]), timeout=90, message=w.log)
    rows = dispatches_of(the_app, [event_id])
    assert {code for _, code, _ in rows} == set(CODES)
    assert set(copies_of(receivers, rows).values()) == {1}
    for code in ("NORTH", "PENSIONS"):
        keys_to = [f"dsp-{i}" for i, c, _ in rows if c == code]
        assert any(receivers[code].attempts[k] > 1 for k in keys_to), "it was retried"
    with the_app.app_context():
        lines = queries.receipt(db.session.get(LifeEvent, event_id)).lines
        assert {line.status for line in lines} == {NotificationStatus.DELIVERED}
        assert len(lines) == 12
        db.session.remove()


def test_worker_killed_mid_fan_out_then_restarted_loses_and_doubles_nothing(live, receivers):
    the_app, w, env, tmp = live
    for r in receivers.values():
        r.fail_until, r.delay = 0, 0.1
    try:
        event_ids = report_deaths(the_app, 4)
        sent = {f"dsp-{i}" for i, _, _ in dispatches_of(the_app, event_ids)}

        def kept() -> int:
            return sum(len(sent & set(r.received)) for r in receivers.values())

        wait_until(lambda: kept() >= 6, timeout=60, message=w.log)
        w.kill()
        assert kept() < len(sent), "the kill should land mid fan-out"
        with running_worker(env, tmp / "worker2.log") as restarted:
            wait_until(
                lambda: all_delivered(the_app, event_ids), timeout=120, message=restarted.log
            )
    finally:
        for r in receivers.values():
            r.delay = 0
        w.start()
    rows = dispatches_of(the_app, event_ids)
    assert len(rows) == 48 and kept() == 48
    assert set(copies_of(receivers, rows).values()) == {1}
    with the_app.app_context():
        told = db.session.scalars(
            select(Notification).where(Notification.life_event_id.in_(event_ids))
        ).all()
        assert len(told) == 48 and len({(n.life_event_id, n.service_id) for n in told}) == 48
        db.session.remove()


def test_a_partner_rejecting_shows_on_the_receipt_and_the_supervisor_queue(live, receivers):
    the_app, w, _env, _tmp = live
    [event_id] = report_deaths(the_app, 1)
    wait_until(lambda: all_delivered(the_app, [event_id]), timeout=60, message=w.log)
    with the_app.app_context():
        pensions = db.session.scalar(select(Partner).where(Partner.code == "PENSIONS"))
        _key, secret = keys.create(ACTOR, pensions.id, "Pension fund system")
        notification = db.session.scalar(
            select(Notification).where(
                Notification.life_event_id == event_id, Notification.partner_id == pensions.id
            )
        )
        reference = notification.case.reference
        db.session.commit()
        db.session.remove()
    client = the_app.test_client()
    answer = client.post(
        f"/api/v1/cases/{reference}/reject",
        json={"reason": "No pension is paid to this person"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status_code == 200, answer.get_json()
    with the_app.app_context():
        lines = queries.receipt(db.session.get(LifeEvent, event_id)).lines
        [rejected] = [line for line in lines if line.status is NotificationStatus.REJECTED]
        assert rejected.reason == "No pension is paid to this person"
        assert rejected.partner_name == "Shire Pension Fund"
        chase = queries.needing_attention()
        assert [(line.notification.id, line.status) for line in chase] == [
            (rejected.notification.id, NotificationStatus.REJECTED)
        ]
        db.session.remove()
