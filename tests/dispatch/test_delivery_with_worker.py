"""Fault tests against a real Celery worker on Redis and real local partner servers."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from frontoffice.access.actor import Actor
from frontoffice.cases.models import Case, CaseEvent, CaseEventKind, Channel
from frontoffice.crypto import encrypt_json
from frontoffice.dispatch.models import (
    AttemptOutcome,
    Dispatch,
    DispatchAttempt,
    DispatchStatus,
    PartnerAdapter,
)
from frontoffice.extensions import db
from frontoffice.models import Customer, Partner, PartnerKind, Service
from frontoffice.routing.operations import route_case
from tests import service_builder
from tests.live import live_worker, running_worker, wait_until
from tests.partner_servers import WebhookReceiver

pytestmark = pytest.mark.no_db

ACTOR = Actor(None, "test", "127.0.0.1")


@pytest.fixture(scope="module")
def receivers():
    with WebhookReceiver() as good, WebhookReceiver() as refusing:
        yield good, refusing


@pytest.fixture(scope="module")
def live(app, database_url, tmp_path_factory, receivers):
    tmp = tmp_path_factory.mktemp("dispatch-live")

    def setup(the_app):
        _partnership(the_app, *receivers)

    with live_worker(app, database_url, tmp, "dispatch", setup) as running:
        yield running


def _partnership(the_app, good, refusing):
    secret = the_app.config["SECRET_KEY"]
    north = Partner(code="NORTH", name="Northvale District Council", kind=PartnerKind.DISTRICT)
    east = Partner(code="EAST", name="Eastmoor District Council", kind=PartnerKind.DISTRICT)
    db.session.add_all([north, east])
    db.session.flush()
    for partner, url in ((north, good.url), (east, refusing.url)):
        db.session.add(
            PartnerAdapter(
                partner_id=partner.id,
                name=f"{partner.name} webhook",
                adapter_type="webhook",
                settings={"url": url, "timeout": 5},
                secret_settings=encrypt_json(secret, {"secret": "s3cret-for-tests"}),
            )
        )
    for code, partner in (("missed-bin", north), ("pest-control", east)):
        service = Service(
            code=code, name=code.replace("-", " ").title(), owning_partner_id=partner.id
        )
        db.session.add(service)
        db.session.flush()
        service_builder.route(service, partner, priority=100)
    customer = Customer(given_name="", family_name="")
    customer.set_names(given_name="Ada", family_name="Lovelace")
    db.session.add(customer)


def raise_cases(the_app, service_code: str, n: int) -> list[int]:
    with the_app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == service_code))
        customer = db.session.scalar(select(Customer))
        ids = []
        for i in range(n):
            case = Case(
                customer_id=customer.id,
                service_id=service.id,
                owning_partner_id=service.owning_partner_id,
                channel=Channel.PHONE,
                summary=f"case {i}",
                answers={},
            )
            db.session.add(case)
            db.session.flush()
            ids.extend(d.id for d in route_case(case, ACTOR))
        db.session.commit()  # the outbox rows are committed with the cases, then enqueued
        return ids


def statuses(the_app, ids: list[int]) -> dict[int, DispatchStatus]:
    with the_app.app_context():
        rows = db.session.execute(select(Dispatch.id, Dispatch.status).where(Dispatch.id.in_(ids)))
        result = {i: s for i, s in rows}
        db.session.remove()
        return result


def all_in(the_app, ids, status) -> bool:
    return all(s is status for s in statuses(the_app, ids).values())


def test_partner_failing_with_500_then_recovering_gets_each_case_exactly_once(live, receivers):
    the_app, w, _env, _tmp = live
    good, _ = receivers
    good.failures_left = 12  # the partner is down for the first 12 requests, then recovers
    ids = raise_cases(the_app, "missed-bin", 20)
    wait_until(lambda: all_in(the_app, ids, DispatchStatus.DELIVERED), timeout=90, message=w.log)
    keys = {f"dsp-{i}" for i in ids}
    assert keys <= set(good.received)
    assert all(good.attempts[k] >= 1 for k in keys)
    assert any(good.attempts[k] > 1 for k in keys), "the 500s should have caused retries"
    with the_app.app_context():
        delivered = db.session.scalars(select(Dispatch).where(Dispatch.id.in_(ids))).all()
        assert {d.partner_reference for d in delivered} == {f"P-dsp-{i}" for i in ids}
        retried = next(d for d in delivered if good.attempts[d.idempotency_key] > 1)
        kinds = [
            e.kind
            for e in db.session.scalars(
                select(CaseEvent).where(CaseEvent.case_id == retried.case_id).order_by(CaseEvent.id)
            )
        ]
        assert kinds[0] is CaseEventKind.ROUTED
        assert CaseEventKind.DISPATCH_FAILED in kinds and kinds[-1] is CaseEventKind.DISPATCHED
        db.session.remove()


def test_worker_killed_mid_batch_then_restarted_delivers_every_dispatch_once(live, receivers):
    the_app, w, env, tmp = live
    good, _ = receivers
    good.fail_until = 0
    good.delay = 0.15
    try:
        ids = raise_cases(the_app, "missed-bin", 30)
        keys = {f"dsp-{i}" for i in ids}
        wait_until(lambda: len(keys & set(good.received)) >= 4, timeout=60, message=w.log)
        w.kill()
        assert len(keys & set(good.received)) < len(keys), "the kill should land mid-batch"
        with running_worker(env, tmp / "worker2.log") as restarted:
            wait_until(
                lambda: all_in(the_app, ids, DispatchStatus.DELIVERED),
                timeout=120,
                message=restarted.log,
            )
    finally:
        good.delay = 0
        w.start()
    assert keys <= set(good.received)
    assert len([k for k in good.received if k in keys]) == len(ids)


def test_partner_answering_400_is_dead_lettered_with_the_reason(live, receivers):
    the_app, w, _env, _tmp = live
    _, refusing = receivers
    refusing.status_code = 400
    ids = raise_cases(the_app, "pest-control", 1)
    wait_until(lambda: all_in(the_app, ids, DispatchStatus.DEAD), timeout=60, message=w.log)
    with the_app.app_context():
        dispatch = db.session.get(Dispatch, ids[0])
        assert "400" in dispatch.last_error
        assert dispatch.attempts == 1, "a 400 is not retried"
        assert refusing.attempts[dispatch.idempotency_key] == 1
        assert refusing.copies() == 0
        failed = db.session.scalar(
            select(func.count())
            .select_from(CaseEvent)
            .where(
                CaseEvent.case_id == dispatch.case_id,
                CaseEvent.kind == CaseEventKind.DISPATCH_FAILED,
            )
        )
        assert failed == 1
        db.session.remove()


def _deferred(the_app, ids) -> int:
    with the_app.app_context():
        count = db.session.scalar(
            select(func.count())
            .select_from(DispatchAttempt)
            .where(
                DispatchAttempt.dispatch_id.in_(ids),
                DispatchAttempt.outcome == AttemptOutcome.DEFERRED,
            )
        )
        db.session.remove()
        return count


def test_one_partner_down_does_not_hold_up_the_others(live, receivers):
    """East answers 503 after three seconds: north's cases go straight through on the other
    worker process, and east's breaker opens so its remaining cases wait without calling it.
    Held up behind east's calls until its breaker opens, north would wait 15 s or more."""
    the_app, w, _env, _tmp = live
    good, failing = receivers
    failing.status_code, failing.delay = 503, 3.0
    try:
        east = raise_cases(the_app, "pest-control", 12)
        north = raise_cases(the_app, "missed-bin", 10)
        started = time.monotonic()
        wait_until(
            lambda: all_in(the_app, north, DispatchStatus.DELIVERED), timeout=30, message=w.log
        )
        north_seconds = time.monotonic() - started
        assert {f"dsp-{i}" for i in north} <= set(good.received)
        assert north_seconds < 8, f"north waited {north_seconds:.1f} s behind the failing partner"
        wait_until(lambda: _deferred(the_app, east) > 0, timeout=30, message=w.log)
        calls = sum(failing.attempts[f"dsp-{i}"] for i in east)
        assert calls < len(east), "the breaker should have stopped calls to the failing partner"
        assert not any(s is DispatchStatus.DELIVERED for s in statuses(the_app, east).values())
    finally:
        failing.status_code, failing.delay = None, 0.0
