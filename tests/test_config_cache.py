"""Set-up kept per process (frontoffice.config_cache): a change committed by one process is
seen by the next report in another, never stale routing; a worker's breaker bookkeeping is not
a change. Two apps on one committed database stand for two processes (each its own engine and
so its own cache), on SQLite and on PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy import select, update

from frontoffice import worker
from frontoffice.access.actor import Actor
from frontoffice.catalogue.models import Service
from frontoffice.config_cache import ConfigVersion
from frontoffice.dispatch.models import Dispatch, PartnerAdapter
from frontoffice.extensions import db
from frontoffice.life_events import operations
from frontoffice.life_events.models import EventKind, Notification, TellRule
from frontoffice.partners.models import Partner
from frontoffice.routing.models import RoutingRule
from tests.life_events import partnership
from tests.live import REDIS_URL, fresh_database, live_app, live_environment
from tests.statements import counted

pytestmark = pytest.mark.no_db

ACTOR = Actor(None, "test", "127.0.0.1")
CODES = ("COUNTY", "NORTH", "REVS", "PENSIONS")
SET_UP_READS = ("FROM tell_rule", "FROM routing_rule", "FROM partner_adapter", "FROM webhook_sub")


@pytest.fixture
def processes(app, database_url, tmp_path) -> Iterator[tuple]:
    """Two apps (a reporting process, an administrator's) on one fresh, committed database."""
    with fresh_database(database_url, tmp_path, "config_cache") as url:
        # The tests' own Redis (no worker takes the nudges): a memory broker here would be
        # the one Celery's connection pool keeps for the live tests that follow.
        env = live_environment(url, tmp_path)
        reporter, admin = live_app(env), live_app(env)
        try:
            with admin.app_context():
                partnership.build(
                    admin.config["SECRET_KEY"], {c: f"http://127.0.0.1:9/{c}" for c in CODES}
                )
                db.session.commit()
            yield reporter, admin
        finally:
            for the_app in (reporter, admin):
                with the_app.app_context():
                    db.session.remove()
                    db.engine.dispose()
            worker.init_app(app)
            broker = redis.Redis.from_url(REDIS_URL)
            for key in broker.scan_iter(env["FRONTOFFICE_QUEUE_PREFIX"] + "*"):
                broker.delete(key)
            broker.close()


def report(the_app, codes=tuple(partnership.SERVICES)) -> tuple[list[str], dict[str, tuple]]:
    """A death told to these services, committed: its statements, and for each service the
    partner and adapter type of its dispatch."""
    with the_app.app_context():
        ids = {code: i for code, i in db.session.execute(select(Service.code, Service.id))}
        customer = partnership.new_customer("Ada", f"Lovelace{time.monotonic_ns()}")
        db.session.commit()
        with counted(db.engine) as statements:
            event = operations.report(
                ACTOR, customer, partnership.death_report(tuple(ids[c] for c in codes))
            )
            db.session.commit()
        rows = db.session.execute(
            select(Service.code, Partner.code, Dispatch.adapter_type)
            .join(Notification, Notification.service_id == Service.id)
            .join(Dispatch, Dispatch.case_id == Notification.case_id)
            .join(Partner, Partner.id == Dispatch.partner_id)
            .where(Notification.life_event_id == event.id)
        ).all()
        db.session.remove()
    return statements, {service: (partner, adapter) for service, partner, adapter in rows}


def version(the_app) -> int:
    with the_app.app_context():
        try:
            return db.session.scalar(select(ConfigVersion.version))
        finally:
            db.session.remove()


def set_up_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if any(table in s for table in SET_UP_READS)]


def test_a_second_report_reads_no_set_up(processes):
    reporter, _admin = processes
    first, _ = report(reporter)
    second, told = report(reporter)
    assert len(set_up_reads(first)) == 4, "\n".join(first)
    assert set_up_reads(second) == [], "\n".join(second)
    # tell rules, their services, routing rules and partners, adapters, subscriptions
    assert len(first) - len(second) == 5
    assert told["tuo-libraries"] == ("COUNTY", "webhook")


def test_a_routing_change_elsewhere_is_seen_by_the_next_report(processes):
    reporter, admin = processes
    report(reporter)  # the reporter now keeps the set-up
    with admin.app_context():
        libraries = db.session.scalar(select(Service).where(Service.code == "tuo-libraries"))
        rule = db.session.scalar(select(RoutingRule).where(RoutingRule.service_id == libraries.id))
        north = db.session.scalar(select(Partner).where(Partner.code == "NORTH"))
        rule.partners = [north]  # only routing_rule_partner rows change
        db.session.commit()
        db.session.remove()

    _, told = report(reporter)

    assert told["tuo-libraries"] == ("NORTH", "webhook")
    assert told["tuo-blue-badge"] == ("COUNTY", "webhook")


def test_an_adapter_or_tell_rule_change_elsewhere_is_seen_by_the_next_report(processes):
    reporter, admin = processes
    report(reporter)
    with admin.app_context():
        county = db.session.scalar(select(Partner).where(Partner.code == "COUNTY"))
        adapter = db.session.scalar(
            select(PartnerAdapter).where(PartnerAdapter.partner_id == county.id)
        )
        adapter.active = False  # the county works its cases in the portal from now on
        db.session.commit()
        db.session.remove()

    _, told = report(reporter)
    assert told["tuo-libraries"] == ("COUNTY", "portal")
    assert told["tuo-pensions"] == ("PENSIONS", "webhook")

    with admin.app_context():
        pensions = db.session.scalar(select(Service).where(Service.code == "tuo-pensions"))
        db.session.execute(
            update(TellRule)
            .where(TellRule.service_id == pensions.id, TellRule.event_kind == EventKind.DEATH)
            .values(active=False)
        )
        db.session.commit()
        db.session.remove()

    with pytest.raises(operations.LifeEventError, match="Choose only from the services listed"):
        report(reporter)
    _, told = report(reporter, [c for c in partnership.SERVICES if c != "tuo-pensions"])
    assert "tuo-pensions" not in told and len(told) == 11


def test_a_breaker_opening_is_not_a_change_of_set_up(processes):
    reporter, admin = processes
    before = version(reporter)
    with admin.app_context():
        db.session.execute(
            update(PartnerAdapter).values(
                consecutive_failures=PartnerAdapter.consecutive_failures + 1
            )
        )
        adapter = db.session.scalar(select(PartnerAdapter))
        adapter.consecutive_failures = 0  # through the unit of work too (updated_at with it)
        db.session.commit()
        db.session.remove()
    assert version(reporter) == before

    with admin.app_context():
        adapter = db.session.scalar(select(PartnerAdapter))
        adapter.settings = {**adapter.settings, "timeout": 7}
        db.session.commit()
        db.session.remove()
    assert version(reporter) == before + 1


def test_a_change_rolled_back_leaves_no_stale_copy(processes):
    """A transaction that changed the set-up reads it as it stands within itself and keeps
    nothing: after its rollback the next report routes as before."""
    reporter, _admin = processes
    report(reporter)
    with reporter.app_context():
        libraries = db.session.scalar(select(Service).where(Service.code == "tuo-libraries"))
        rule = db.session.scalar(select(RoutingRule).where(RoutingRule.service_id == libraries.id))
        rule.partners = [db.session.scalar(select(Partner).where(Partner.code == "NORTH"))]
        db.session.flush()
        customer = partnership.new_customer("Ada", f"Lovelace{time.monotonic_ns()}")
        db.session.flush()
        event = operations.report(ACTOR, customer, partnership.death_report((libraries.id,)))
        partner = db.session.scalar(
            select(Partner.code)
            .join(Dispatch, Dispatch.partner_id == Partner.id)
            .join(Notification, Notification.case_id == Dispatch.case_id)
            .where(Notification.life_event_id == event.id)
        )
        assert partner == "NORTH"  # its own change, seen within it
        db.session.rollback()
        db.session.remove()

    _, told = report(reporter)
    assert told["tuo-libraries"] == ("COUNTY", "webhook")
