"""POST requests: a report from an Open311 client becomes a routed case on the right record."""

from __future__ import annotations

import pytest
from defusedxml import ElementTree
from sqlalchemy import func, select

from frontoffice.access.actor import Actor
from frontoffice.cases.models import Case, Channel
from frontoffice.customers.models import Customer
from frontoffice.extensions import db
from frontoffice.partner_api import keys
from tests.factories import CustomerEmailFactory, CustomerFactory, PartnerFactory, ServiceFactory
from tests.open311.conftest import add_bin_question

URL = "/open311/v2/requests"


@pytest.fixture
def setup():
    app_partner = PartnerFactory(name="FixMyStreet reporting app")
    _, key = keys.create(Actor.system("test"), app_partner.id, "Reporting app")
    bins = ServiceFactory(code="missed-bin", name="Missed bin")
    add_bin_question(bins, required=True)
    db.session.commit()
    return key, bins


def _post(client, key, fmt="xml", **fields):
    data = {"api_key": key, "service_code": "missed-bin", "attribute[bin]": "grey"}
    data.update({k: v for k, v in fields.items() if v is not None})
    for k in [k for k, v in fields.items() if v is None]:
        data.pop(k, None)
    return client.post(f"{URL}.{fmt}", data=data)


def _error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    root = ElementTree.fromstring(response.data)
    assert root.tag == "errors"
    return root.find("error").findtext("description")


def test_a_report_becomes_a_case_on_the_matching_record(client, setup):
    key, bins = setup
    known = CustomerFactory(given_name="Ada", family_name="Lovelace")
    CustomerEmailFactory(customer=known, address="ada@example.org")
    db.session.commit()
    response = _post(
        client,
        key,
        email="ADA@example.org",
        address_string="Outside 4 Mill Lane",
        lat="52.68",
        long="-1.16",
        description="Grey bin missed again",
    )
    assert response.status_code == 200 and response.content_type.startswith("text/xml")
    request = ElementTree.fromstring(response.data).find("request")
    reference = request.findtext("service_request_id")
    case = db.session.scalar(select(Case).where(Case.id == int(reference[3:])))
    assert (case.customer_id, case.channel, case.summary) == (
        known.id,
        Channel.WEB,
        "Grey bin missed again",
    )
    assert (case.location_text, case.latitude, case.answers) == (
        "Outside 4 Mill Lane",
        52.68,
        {"bin": "grey"},
    )
    assert reference in request.findtext("service_notice")


def test_an_unknown_resident_gets_a_new_record_and_json_works(client, setup):
    key, _ = setup
    before = db.session.scalar(select(func.count()).select_from(Customer))
    body = _post(
        client,
        key,
        "json",
        phone="07700 900123",
        first_name="Grace",
        last_name="Hopper",
        address_id="100010000001",
    ).get_json()
    assert body[0]["service_request_id"].startswith("FO-")
    assert db.session.scalar(select(func.count()).select_from(Customer)) == before + 1
    customer = db.session.scalars(select(Customer).order_by(Customer.id.desc())).first()
    assert (customer.given_name, customer.family_name) == ("Grace", "Hopper")
    assert customer.phones[0].number == "+447700900123"


def test_a_retried_report_makes_one_case(client, setup):
    key, _ = setup
    first = _post(
        client, key, "json", address_string="High St", **{"attribute[client_request_id]": "app-77"}
    )
    again = _post(
        client, key, "json", address_string="High St", **{"attribute[client_request_id]": "app-77"}
    )
    assert first.get_json()[0]["service_request_id"] == again.get_json()[0]["service_request_id"]
    assert db.session.scalar(select(func.count()).select_from(Case)) == 1


@pytest.mark.parametrize(
    ("fields", "status", "says"),
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "fo_nope"}, 403, "api_key"),
        ({"service_code": ""}, 400, "service_code is required"),
        ({"service_code": "<script>x</script>"}, 404, "not a service we offer"),
        ({}, 400, "Give lat and long, address_string or address_id"),
        ({"lat": "north", "long": "1"}, 400, "decimal degrees"),
        ({"lat": "95", "long": "1"}, 400, "within"),
        ({"address_id": "12 High St"}, 400, "UPRN"),
        ({"address_string": "x", "attribute[bin]": "purple"}, 400, "attribute[bin]"),
        ({"address_string": "x", "attribute[bin]": None}, 400, "attribute[bin]"),
        ({"address_string": "x", "email": "not-an-email"}, 400, "email"),
        ({"address_string": "x", "phone": "123"}, 400, "phone"),
        ({"address_string": "x", "description": "d" * 5001}, 400, "description"),
    ],
)
def test_bad_reports_are_the_specs_errors_and_change_nothing(client, setup, fields, status, says):
    key, _ = setup
    before = db.session.scalar(select(func.count()).select_from(Case))
    if "api_key" in fields and fields["api_key"] is not None:
        response = _post(client, fields.pop("api_key"), **fields)
    else:
        response = _post(
            client,
            key if "api_key" not in fields else None,
            **{k: v for k, v in fields.items() if k != "api_key"},
        )
    assert says in _error(response, status)
    assert "<script>" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Case)) == before
