"""Raising a case routes it at once: two-tier areas by the customer's address, or triage."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.cases import operations
from frontoffice.cases.models import CaseEvent, CaseEventKind, Channel
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.extensions import db
from frontoffice.gazetteer.models import GazetteerAddress
from frontoffice.routing.models import AreaKind, RoutingRule
from tests.factories import CustomerAddressFactory, CustomerFactory, PartnerFactory, ServiceFactory

ACTOR = Actor(None, "test", "")
NORTH, SOUTH = "E07000001", "E07000003"


def _resident_of(district_code: str, uprn: str):
    db.session.add(
        GazetteerAddress(
            uprn=uprn,
            line_1="1 Mill Lane",
            town="Northvale",
            postcode="NV1 2AB",
            postcode_key="NV12AB",
            district_code=district_code,
            ward_code=None,
        )
    )
    customer = CustomerFactory()
    CustomerAddressFactory(customer=customer, uprn=uprn)
    db.session.flush()
    db.session.refresh(customer)
    return customer


def _rule(service, partner, kind=AreaKind.ANY, code=""):
    rule = RoutingRule(
        service_id=service.id, area_kind=kind, area_code=code, effective_from=date(2020, 1, 1)
    )
    rule.partners = [partner]
    db.session.add(rule)


def _events(case, kind):
    return db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == kind)
    ).all()


def test_district_service_goes_to_the_customers_district_and_county_service_to_the_county():
    county, north, south = PartnerFactory(), PartnerFactory(), PartnerFactory()
    bins = ServiceFactory(owning_partner=north)  # catalogue kept by a lead district
    roads = ServiceFactory(owning_partner=county)
    _rule(bins, north, AreaKind.DISTRICT, NORTH)
    _rule(bins, south, AreaKind.DISTRICT, SOUTH)
    _rule(roads, county)
    customer = _resident_of(SOUTH, "200000000001")

    bin_case = operations.raise_case(ACTOR, customer, bins, Channel.PHONE, "Bin missed")
    road_case = operations.raise_case(ACTOR, customer, roads, Channel.PHONE, "Pothole")

    assert (bin_case.owning_partner_id, bin_case.district_code) == (south.id, SOUTH)
    assert road_case.owning_partner_id == county.id
    for case, partner in ((bin_case, south), (road_case, county)):
        [dispatch] = db.session.scalars(select(Dispatch).where(Dispatch.case_id == case.id)).all()
        assert (dispatch.partner_id, dispatch.status) == (partner.id, DispatchStatus.PENDING)
        assert dispatch.payload["case_reference"] == case.reference
        assert [e.note for e in _events(case, CaseEventKind.ROUTED)] == [
            f"Routed to {partner.name}"
        ]


def test_a_case_that_cannot_be_routed_is_raised_into_triage_not_lost():
    north = PartnerFactory()
    bins = ServiceFactory(owning_partner=north)
    _rule(bins, north, AreaKind.DISTRICT, NORTH)
    customer = _resident_of(SOUTH, "200000000002")  # no rule covers the south

    case = operations.raise_case(ACTOR, customer, bins, Channel.WEB, "Bin missed")

    assert case.id is not None and case.triage_reason.startswith("No routing rule")
    assert db.session.scalars(select(Dispatch).where(Dispatch.case_id == case.id)).all() == []
    assert len(_events(case, CaseEventKind.TRIAGE)) == 1


def test_an_hours_target_is_due_on_the_uk_day_it_falls():
    service = ServiceFactory(sla_working_days=None, sla_hours=4)
    customer = CustomerFactory()
    # 22:30 in London in summer: four hours later is the next day.
    with time_machine.travel(datetime(2026, 7, 10, 21, 30, tzinfo=UTC), tick=False):
        case = operations.raise_case(ACTOR, customer, service, Channel.PHONE, "Wall falling")
    assert case.due_date == date(2026, 7, 11)
