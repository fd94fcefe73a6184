"""Pure functions: grid conversion, search keys, reading a query."""

import math

import pytest

from frontoffice.gazetteer.coordinates import grid_to_wgs84
from frontoffice.gazetteer.keys import address_keys, natural_key, parse_query, text_key

pytestmark = pytest.mark.no_db

# Worked out with PROJ 9 (pyproj, EPSG:27700 -> EPSG:4326, Helmert; no OSTN15 grid).
PROJ = {
    (651409.903, 313177.270): (52.65797859857984, 1.7160519903750366),
    (455000, 310000): (52.68490915091609, -1.1878187984299653),
    (530000, 180000): (51.50399082763378, -0.12835394047946935),
    (400000, 1000000): (58.8873545109664, -2.0017296812100405),
    (200000, 50000): (50.315930290493995, -4.810609157067159),
}


@pytest.mark.parametrize(("grid", "expected"), PROJ.items())
def test_grid_to_wgs84_agrees_with_proj_to_within_a_metre(grid, expected):
    lat, lon = grid_to_wgs84(*grid)
    metres = math.hypot(
        (lat - expected[0]) * 111_320,
        (lon - expected[1]) * 111_320 * math.cos(math.radians(lat)),
    )
    assert metres < 1


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("St Mary’s Close", "st marys close"),
        ("Lock Keeper's Way", "lock keepers way"),
        ("  12-14  HIGH   Street, ", "12 14 high street"),
        ("Heol-y-Felin", "heol y felin"),
        ("Siân’s Cottage", "sians cottage"),
        ("<script>", "script"),
        (None, ""),
    ],
)
def test_text_key(value, key):
    assert text_key(value) == key


@pytest.mark.parametrize(
    ("lines", "keys"),
    [
        (("12 High Street",), ("high street", 12, "12 high street")),
        (("12a High Street",), ("high street", 12, "12a high street")),
        (("12-14 High Street",), ("high street", 12, "12 14 high street")),
        (("Flat 2", "14 Mill Court"), ("mill court", 14, "flat 2")),
        (("Rose Cottage", "Church Lane"), ("church lane", None, "rose cottage")),
        (("The Old Forge",), ("the old forge", None, "the old forge")),
        (("Unit 4 Riverside Park",), ("unit 4 riverside park", None, "unit 4 riverside park")),
    ],
)
def test_address_keys(lines, keys):
    assert address_keys(*lines) == keys


def test_parse_query_postcodes():
    assert parse_query("nv1 2ab").postcode_key == "NV12AB"
    assert parse_query(" NV12AB ").postcode_key == "NV12AB"
    assert parse_query("NV1").postcode_prefix == "NV1"
    assert parse_query("nv1 2").postcode_prefix == "NV12"
    assert parse_query("SW1A").postcode_prefix == "SW1A"


def test_parse_query_words_numbers_and_a_trailing_postcode():
    query = parse_query("Flat 3, 12 High St")
    assert (query.house_number, query.words) == (12, ("high", "st"))
    query = parse_query("12 high street nv1 2ab")
    assert (query.postcode_key, query.house_number, query.words) == (
        "NV12AB",
        12,
        ("high", "street"),
    )
    query = parse_query("rose cottage")
    assert (query.house_number, query.words, query.text) == (
        None,
        ("rose", "cottage"),
        "rose cottage",
    )


@pytest.mark.parametrize("value", ["", "   ", "12", "'; DROP TABLE x; --"[:2], "%%%", None])
def test_parse_query_with_nothing_to_search(value):
    assert parse_query(value).is_empty


def test_parse_query_keeps_only_safe_characters():
    query = parse_query("'%_ high\\ street; --")
    assert query.words == ("high", "street")
    assert parse_query("x" * 5000).text == "x" * 200


def test_natural_key_sorts_numbers_as_numbers():
    assert sorted(["Flat 10", "Flat 2", "Flat 1"], key=natural_key) == [
        "Flat 1",
        "Flat 2",
        "Flat 10",
    ]
