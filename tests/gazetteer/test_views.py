"""The staff address lookup page and its JSON variant."""

from __future__ import annotations

import re

import pytest

from frontoffice.gazetteer.views import safe_return_to, with_params
from tests.gazetteer.helpers import address, csv_bytes, load


@pytest.fixture
def addresses():
    load(
        csv_bytes(
            [
                address("100000000010", "10 High Street"),
                address("100000000002", "2 High Street"),
                address("100000000003", "Rose Cottage", line_2="Church Lane", postcode="NV1 2AD"),
            ]
        )
    )


def test_lookup_lists_a_postcodes_addresses_as_radios_in_order(as_role, addresses):
    adviser = as_role("adviser")
    page = adviser.get("/staff/addresses?postcode=nv12ab")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2 addresses found for NV1 2AB" in html
    radios = re.findall(r'name="uprn" type="radio" value="(\d+)"', html)
    assert radios == ["100000000002", "100000000010"]
    assert "2 High Street, Northvale, NV1 2AB" in html


def test_lookup_with_no_postcode_shows_the_box(as_role):
    page = as_role("adviser").get("/staff/addresses")
    assert page.status_code == 200 and 'name="postcode"' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("", "Enter a postcode"),
        ("NV1", "Enter a real postcode"),
        ("<script>alert(1)</script>", "Enter a real postcode"),
    ],
)
def test_a_bad_postcode_is_422_with_the_error_summary_and_message(as_role, postcode, message):
    page = as_role("adviser").get("/staff/addresses", query_string={"postcode": postcode})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "govuk-error-summary" in html and html.count(message) >= 2
    assert "<script>alert(1)</script>" not in html


def test_no_addresses_found_offers_manual_entry_to_the_calling_form(as_role, addresses):
    page = as_role("adviser").get(
        "/staff/addresses",
        query_string={"postcode": "NV9 9ZZ", "return_to": "/staff/customers/new?step=address"},
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "No addresses found for NV9 9ZZ" in html
    assert 'href="/staff/customers/new?step=address&amp;manual=1"' in html


def test_choosing_goes_back_to_the_calling_form_with_its_query(as_role, addresses):
    page = as_role("adviser").get(
        "/staff/addresses",
        query_string={
            "postcode": "NV1 2AD",
            "return_to": "/staff/customers/7/addresses/new?step=2",
        },
    )
    html = page.get_data(as_text=True)
    assert 'action="/staff/customers/7/addresses/new"' in html
    assert '<input type="hidden" name="step" value="2">' in html
    assert 'value="100000000003"' in html


@pytest.mark.parametrize(
    "unsafe",
    [
        "https://evil.example/staff/",
        "//evil.example/staff/",
        "/\\evil.example",
        "/sign-in",
        "javascript:alert(1)",
        "/staff/\nx",
    ],
)
def test_return_to_must_stay_in_the_staff_pages(as_role, addresses, unsafe):
    assert safe_return_to(unsafe) is None
    html = (
        as_role("adviser")
        .get("/staff/addresses", query_string={"postcode": "NV1 2AB", "return_to": unsafe})
        .get_data(as_text=True)
    )
    assert "evil.example" not in html and "I cannot find the address" not in html


def test_with_params_replaces_and_drops_uprn():
    assert with_params("/staff/x?uprn=1&a=b", manual="1") == "/staff/x?a=b&manual=1"


def test_standalone_choice_shows_the_address(as_role, addresses):
    page = as_role("adviser").get("/staff/addresses?postcode=NV1+2AD&uprn=100000000003")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "E07000001" in html and "E05000101" in html


def test_json_search(as_role, addresses):
    client = as_role("partner_user")
    response = client.get("/staff/addresses.json?q=high+st")
    assert response.status_code == 200
    assert [a["uprn"] for a in response.json["addresses"]] == ["100000000002", "100000000010"]
    first = response.json["addresses"][0]
    assert first["label"] == "2 High Street, Northvale, NV1 2AB"
    assert first["district_code"] == "E07000001" and first["latitude"] == 52.6
    assert (
        client.get("/staff/addresses.json?q=NV1&limit=1").json["addresses"][0]["postcode"]
        == "NV1 2AB"
    )
    assert client.get("/staff/addresses.json?q=nowhere").json == {
        "query": "nowhere",
        "addresses": [],
    }


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "missing_query"),
        ("?q=", "missing_query"),
        ("?q=" + "x" * 201, "query_too_long"),
        ("?q=a&limit=0", "bad_limit"),
        ("?q=a&limit=abc", "bad_limit"),
        ("?q=a&limit=101", "bad_limit"),
    ],
)
def test_json_bad_requests(as_role, query, code):
    response = as_role("adviser").get("/staff/addresses.json" + query)
    assert response.status_code == 400 and response.json["error"]["code"] == code


def test_administrators_may_not_look_up_addresses_and_anonymous_must_sign_in(as_role, client):
    assert client.get("/staff/addresses.json?q=NV1").status_code == 302
    admin = as_role("administrator")
    assert admin.get("/staff/addresses?postcode=NV1+2AB").status_code == 403
    assert admin.get("/staff/addresses.json?q=NV1").status_code == 403
