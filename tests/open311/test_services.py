"""The Open311 server's discovery, service list and definitions, in XML (parsed by a real XML
parser) and JSON, as the GeoReport v2 spec shows them."""

from __future__ import annotations

import pytest
from defusedxml import ElementTree

from frontoffice.catalogue.models import QuestionType, ServiceQuestion
from frontoffice.extensions import db
from tests.factories import ServiceFactory


@pytest.fixture
def catalogue():
    bins = ServiceFactory(
        code="missed-bin", name="Missed bin", group="Bins", keywords="wheelie bin, brown bin"
    )
    db.session.add(
        ServiceQuestion(
            service=bins,
            code="bin",
            label="Which bin?",
            datatype=QuestionType.SINGLEVALUELIST,
            required=True,
            order=0,
            hint="The colour of the lid",
            values=[
                {"key": "grey", "name": "Grey <general> & waste"},
                {"key": "green", "name": "Green"},
            ],
        )
    )
    ServiceFactory(code="pothole", name="Pothole", group="Roads")
    ServiceFactory(code="retired", name="Retired", active=False)
    db.session.commit()
    return bins


def test_services_in_xml(client, catalogue):
    response = client.get("/open311/v2/services.xml")
    assert response.status_code == 200 and response.content_type.startswith("text/xml")
    root = ElementTree.fromstring(response.data)
    assert root.tag == "services"
    services = {s.findtext("service_code"): s for s in root.findall("service")}
    assert {"missed-bin", "pothole"} <= set(services) and "retired" not in services
    bins = services["missed-bin"]
    assert [c.tag for c in bins] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert (bins.findtext("metadata"), bins.findtext("type")) == ("true", "realtime")
    assert services["pothole"].findtext("metadata") == "false"
    assert bins.findtext("keywords") == "wheelie bin, brown bin"


def test_service_definition_in_xml_and_json(client, catalogue):
    root = ElementTree.fromstring(client.get("/open311/v2/services/missed-bin.xml").data)
    assert root.tag == "service_definition" and root.findtext("service_code") == "missed-bin"
    [attribute] = root.find("attributes").findall("attribute")
    assert attribute.findtext("variable") == "true" and attribute.findtext("code") == "bin"
    assert attribute.findtext("datatype") == "singlevaluelist"
    assert attribute.findtext("required") == "true" and attribute.findtext("order") == "1"
    values = [(v.findtext("key"), v.findtext("name")) for v in attribute.find("values")]
    assert values == [("grey", "Grey <general> & waste"), ("green", "Green")]
    body = client.get("/open311/v2/services/missed-bin.json").get_json()
    assert body["attributes"][0]["values"][0] == {"key": "grey", "name": "Grey <general> & waste"}


def test_discovery(client):
    root = ElementTree.fromstring(client.get("/open311/v2/discovery.xml").data)
    endpoint = root.find("endpoints").find("endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url").endswith("/open311/v2")
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
    assert (
        client.get("/open311/v2/discovery.json").get_json()["endpoints"][0]["type"] == "production"
    )


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/open311/v2/services/retired.xml", 404),
        ("/open311/v2/services/nope.json", 404),
        ("/open311/v2/services/%3Cscript%3E.xml", 404),
        ("/open311/v2/services.yaml", 404),
        ("/open311/v2/services/missed-bin.html", 404),
    ],
)
def test_errors_are_the_specs_error_list(client, catalogue, url, status):
    response = client.get(url)
    assert response.status_code == status
    if url.endswith(".json"):
        [error] = response.get_json()
    else:
        root = ElementTree.fromstring(response.data)
        assert root.tag == "errors"
        error = {
            "code": int(root.find("error").findtext("code")),
            "description": root.find("error").findtext("description"),
        }
    assert error["code"] == status and error["description"]
    assert "<script>" not in response.get_data(as_text=True)
