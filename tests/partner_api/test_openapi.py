"""The OpenAPI document is valid and says what the endpoints really answer."""

from __future__ import annotations

import re

import jsonschema
import pytest
from openapi_spec_validator import validate

from frontoffice.partner_api.openapi import document
from tests.partner_api.conftest import case_for


def _check(response, path: str, method: str, spec: dict) -> None:
    """The response's status is documented for this operation and its body fits the schema."""
    operation = spec["paths"][path][method]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {path} answered undocumented {status}"
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    resolver_schema = {**schema, "components": spec["components"]}
    jsonschema.validate(response.get_json(), resolver_schema)


def test_the_document_is_valid_openapi(client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    validate(served.get_json())
    assert served.get_json() == document()


def test_every_api_route_is_in_the_document(app):
    spec = document()
    documented = {
        (path, method.upper())
        for path, operations in spec["paths"].items()
        for method in operations
    }
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("partner_api.") or rule.endpoint.endswith(
            "openapi_document"
        ):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path} is not in the OpenAPI document"


@pytest.mark.parametrize("who", ["ours", "theirs", "nobody"])
def test_answers_fit_the_document(api, partnership, who):
    spec = document()
    case = case_for(partnership.ours)
    key = {"ours": partnership.our_key, "theirs": partnership.their_key, "nobody": None}[who]
    client = api(key)
    _check(client.get("/cases"), "/cases", "get", spec)
    _check(client.get("/cases", query_string={"limit": "x"}), "/cases", "get", spec)
    _check(client.get(f"/cases/{case.reference}"), "/cases/{reference}", "get", spec)
    _check(client.get("/cases/FO-424242"), "/cases/{reference}", "get", spec)
    _check(
        client.post(f"/cases/{case.reference}/accept"), "/cases/{reference}/accept", "post", spec
    )
    for body in ({"reason": ""}, None, {"reason": "Not ours"}):
        _check(
            client.post(f"/cases/{case.reference}/reject", json=body),
            "/cases/{reference}/reject",
            "post",
            spec,
        )
    case = case_for(partnership.ours)
    for body in ({"status": "in_progress", "public_note": "On it"}, {"status": "?"}, None):
        _check(
            client.post(f"/cases/{case.reference}/updates", json=body),
            "/cases/{reference}/updates",
            "post",
            spec,
        )
