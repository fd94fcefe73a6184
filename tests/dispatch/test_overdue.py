"""Acknowledgement targets and the supervisors' overdue view by partner and service."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine

from frontoffice.access.actor import Actor
from frontoffice.adapters.base import StatusUpdate
from frontoffice.cases import operations
from frontoffice.cases.models import Channel
from frontoffice.dispatch.updates import apply_update
from frontoffice.extensions import db
from frontoffice.routing.models import AreaKind, RoutingRule
from tests.factories import CustomerFactory, PartnerFactory, ServiceFactory

ACTOR = Actor.system("test")
MONDAY = datetime(2026, 6, 1, 9, tzinfo=UTC)


def _raise(service, at=MONDAY):
    with time_machine.travel(at, tick=False):
        return operations.raise_case(ACTOR, CustomerFactory(), service, Channel.PHONE, "Help")


def _routed_service(partner, **kwargs):
    service = ServiceFactory(owning_partner=partner, **kwargs)
    rule = RoutingRule(
        service_id=service.id, area_kind=AreaKind.ANY, effective_from=date(2020, 1, 1)
    )
    rule.partners = [partner]
    db.session.add(rule)
    db.session.flush()
    return service


def test_a_case_gets_an_acknowledgement_date_and_the_first_partner_word_meets_it():
    partner = PartnerFactory()
    service = _routed_service(partner, ack_working_days=1, sla_working_days=5)
    case = _raise(service)
    assert (case.ack_due_date, case.due_date) == (date(2026, 6, 2), date(2026, 6, 8))
    assert case.acknowledged_at is None
    dispatch = case_dispatch(case)
    update = StatusUpdate("u1", case.reference, "acknowledged", MONDAY)
    apply_update(ACTOR, partner, dispatch, update)
    assert case.acknowledged_at is not None
    assert _raise(ServiceFactory(ack_working_days=None)).ack_due_date is None


def case_dispatch(case):
    from sqlalchemy import select

    from frontoffice.dispatch.models import Dispatch

    return db.session.scalar(select(Dispatch).where(Dispatch.case_id == case.id))


def test_supervisors_see_what_is_overdue_per_partner_and_service(as_role):
    north, east = PartnerFactory(name="North"), PartnerFactory(name="East")
    bins = _routed_service(north, ack_working_days=1, sla_working_days=2)
    pests = _routed_service(east, ack_working_days=1, sla_working_days=10)
    late_bin = _raise(bins)
    _raise(bins)  # acknowledged below
    _raise(pests)
    acknowledged = _raise(bins)
    apply_update(ACTOR, north, case_dispatch(acknowledged), StatusUpdate("a", "x", "open", MONDAY))
    _raise(bins, at=datetime(2026, 6, 8, 9, tzinfo=UTC))  # not late yet
    db.session.commit()
    with time_machine.travel(datetime(2026, 6, 5, 12, tzinfo=UTC), tick=False):
        supervisor = as_role("supervisor")
        page = supervisor.get("/staff/deliveries/overdue").get_data(as_text=True)
        queue = supervisor.get(
            f"/staff/cases/?tab=all&partner={north.id}&service={bins.id}&overdue=y"
        ).get_data(as_text=True)
    rows = _rows(page)
    assert rows[north.code, bins.code] == ("2", "3")
    assert rows[east.code, pests.code] == ("1", "0")
    assert f"partner={north.id}" in page and f"service={bins.id}" in page and "overdue=y" in page
    assert late_bin.reference in queue


def _rows(page: str) -> dict[tuple[str, str], tuple[str, str]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    return {
        (tr["data-partner"], tr["data-service"]): (
            tr.select_one('[data-count="unacknowledged"]').get_text(strip=True),
            tr.select_one('[data-count="past-due"]').get_text(strip=True)[:1],
        )
        for tr in soup.select("tr[data-partner]")
    }


def test_nothing_overdue_says_so(as_role):
    page = as_role("supervisor").get("/staff/deliveries/overdue").get_data(as_text=True)
    assert "Nothing is overdue" in page
