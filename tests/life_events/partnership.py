"""A two-tier partnership told of life events: plain rows, so a live worker's fresh database
can have it too. Twelve death services across four partners for a resident of Northvale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
import time_machine

from frontoffice.catalogue.models import Service
from frontoffice.crypto import encrypt_json
from frontoffice.customers.models import Customer, CustomerAddress, CustomerEmail
from frontoffice.dispatch.models import PartnerAdapter
from frontoffice.extensions import db
from frontoffice.gazetteer.models import GazetteerAddress
from frontoffice.life_events.models import EventKind, TellRule
from frontoffice.partners.models import Partner, PartnerKind
from frontoffice.routing.models import AreaKind, RoutingRule

NORTH, SOUTH = "E07000001", "E07000003"
NORTH_UPRN, SOUTH_UPRN = "100000000001", "100000000002"
# service code -> the partner delivering it ("district": the resident's own district)
SERVICES = {
    "tuo-council-tax": "REVS",
    "tuo-benefits": "REVS",
    "tuo-electoral": "district",
    "tuo-assisted-waste": "district",
    "tuo-housing": "district",
    "tuo-parking": "district",
    "tuo-libraries": "COUNTY",
    "tuo-blue-badge": "COUNTY",
    "tuo-bus-pass": "COUNTY",
    "tuo-social-care": "COUNTY",
    "tuo-school-transport": "COUNTY",
    "tuo-pensions": "PENSIONS",
}
MOVE_SERVICES = ("tuo-council-tax", "tuo-electoral", "tuo-libraries")


@dataclass
class Partnership:
    partners: dict[str, Partner]
    services: dict[str, Service]
    customer: Customer


def build(secret: str = "", urls: dict[str, str] | None = None) -> Partnership:
    """The rows, flushed; `urls` gives partners (by code) a webhook adapter at that URL."""
    partners = {
        code: Partner(code=code, name=name, kind=kind)
        for code, name, kind in (
            ("COUNTY", "Shire County Council", PartnerKind.COUNTY),
            ("NORTH", "Northvale District Council", PartnerKind.DISTRICT),
            ("SOUTH", "Southdown District Council", PartnerKind.DISTRICT),
            ("REVS", "Shire Revenues and Benefits", PartnerKind.PARTNERSHIP),
            ("PENSIONS", "Shire Pension Fund", PartnerKind.PARTNERSHIP),
        )
    }
    db.session.add_all(partners.values())
    db.session.flush()
    for code, url in (urls or {}).items():
        db.session.add(
            PartnerAdapter(
                partner_id=partners[code].id,
                name=f"{code} webhook",
                adapter_type="webhook",
                settings={"url": url, "timeout": 5},
                secret_settings=encrypt_json(secret, {"secret": "s3cret-for-tests"}),
            )
        )
    services = {}
    for code, delivered_by in SERVICES.items():
        lead = "NORTH" if delivered_by == "district" else delivered_by
        service = Service(
            code=code,
            name="Tell us once: " + code.removeprefix("tuo-").replace("-", " "),
            owning_partner_id=partners[lead].id,
            ack_working_days=2,
            sla_working_days=10,
        )
        db.session.add(service)
        db.session.flush()
        services[code] = service
        areas = (
            [(AreaKind.DISTRICT, NORTH, "NORTH"), (AreaKind.DISTRICT, SOUTH, "SOUTH")]
            if delivered_by == "district"
            else [(AreaKind.ANY, "", delivered_by)]
        )
        for kind, area, partner in areas:
            rule = RoutingRule(
                service_id=service.id,
                area_kind=kind,
                area_code=area,
                effective_from=date(2020, 1, 1),
            )
            rule.partners = [partners[partner]]
            db.session.add(rule)
        db.session.add(TellRule(event_kind=EventKind.DEATH, service_id=service.id, purpose=code))
        if code in MOVE_SERVICES:
            db.session.add(TellRule(event_kind=EventKind.MOVE, service_id=service.id))
    for uprn, district, line in ((NORTH_UPRN, NORTH, "1 Mill Lane"), (SOUTH_UPRN, SOUTH, "9 Quay")):
        db.session.add(
            GazetteerAddress(
                uprn=uprn,
                line_1=line,
                town="Shire",
                postcode="NV1 2AB" if district == NORTH else "SD1 1AA",
                postcode_key="NV12AB" if district == NORTH else "SD11AA",
                district_code=district,
                ward_code=None,
            )
        )
    customer = new_customer("Ada", "Lovelace")
    db.session.flush()
    return Partnership(partners, services, customer)


def death_report(service_ids: tuple[int, ...], on: date = date(2026, 1, 2)):
    """A death told by the next of kin to these services, as a live test or bench reports it."""
    from frontoffice.cases.models import Channel
    from frontoffice.life_events import operations
    from frontoffice.life_events.models import Authority

    return operations.Report(
        kind=EventKind.DEATH,
        event_date=on,
        channel=Channel.PHONE,
        informant=operations.PersonDetails("Walter Hopper", "Brother"),
        authority=Authority.NEXT_OF_KIN,
        service_ids=service_ids,
        consent_wording=operations.consent_wording(EventKind.DEATH),
    )


def new_customer(given: str, family: str, uprn: str = NORTH_UPRN) -> Customer:
    customer = Customer(given_name="", family_name="", date_of_birth=date(1940, 5, 1))
    customer.set_names(given_name=given, family_name=family)
    customer.addresses.append(
        CustomerAddress(
            uprn=uprn,
            line_1="1 Mill Lane",
            town="Shire",
            postcode="NV1 2AB",
            postcode_key="NV12AB",
            valid_from=date(2010, 1, 1),
        )
    )
    customer.emails.append(CustomerEmail(address="ada@example.org", address_key="ada@example.org"))
    db.session.add(customer)
    return customer


# Fixtures for the tell-us-once tests (imported by tests/life_events and tests/public conftests)


@pytest.fixture
def frozen():
    """20 November 2026, 10:00, the clock still moving (a report's deaths are just before)."""
    with time_machine.travel("2026-11-20 10:00:00+00:00", tick=True):
        yield


@pytest.fixture
def p() -> Partnership:
    """The partnership built and committed."""
    built = build()
    db.session.commit()
    return built
