"""parse_query: free text into search parts, without Flask or a database."""

from datetime import date

import pytest

from frontoffice.customers.search import clean_text, parse_query

pytestmark = pytest.mark.no_db


def test_name_date_and_postcode_together():
    q = parse_query("Smith, John 31/12/1980 NV1 2AB")
    assert q.names == ("smith", "john")
    assert q.family_first
    assert q.dates == (date(1980, 12, 31),)
    assert q.postcodes == ("NV12AB",)
    assert q.name_words == ("Smith", "John")


@pytest.mark.parametrize(
    "text",
    [
        "31/12/1980",
        "31-12-1980",
        "1980-12-31",
        "31 12 1980",
        "31.12.1980",
        "31 Dec 1980",
        "31st December 1980",
    ],
)
def test_date_formats(text):
    assert parse_query(text).dates == (date(1980, 12, 31),)
    assert parse_query(text).names == ()


def test_an_impossible_date_is_reported_not_used():
    q = parse_query("Jones 31/02/1980")
    assert q.dates == ()
    assert q.ignored == ("31/02/1980",)
    assert q.names == ("jones",)


@pytest.mark.parametrize(
    "text",
    [
        "07700 900123",
        "07700900123",
        "+44 7700 900123",
        "+447700900123",
        "0044 7700 900123",
        "07700-900-123",
    ],
)
def test_mobile_formats(text):
    assert parse_query(text).phones == ("+447700900123",)


@pytest.mark.parametrize(
    "text", ["(01632) 960001", "01632 960001", "01632 960 001", "+44 1632 960001"]
)
def test_landline_formats(text):
    assert parse_query(text).phones == ("+441632960001",)


@pytest.mark.parametrize("text", ["NV1 2AB", "nv12ab", "nv1  2ab", "Nv1 2aB"])
def test_postcode_spacing_and_case(text):
    q = parse_query(text)
    assert q.postcodes == ("NV12AB",)
    assert q.outward_codes == ()


def test_outward_code():
    q = parse_query("smith NV1")
    assert q.outward_codes == ("NV1",)
    assert q.names == ("smith",)


@pytest.mark.parametrize("text", ["FO-000123", "fo123", "FO 123", "fo-123"])
def test_case_reference(text):
    assert parse_query(text).case_ids == (123,)


def test_email_is_lower_cased():
    assert parse_query("Jo.Bloggs@Example.ORG").emails == ("jo.bloggs@example.org",)


def test_partner_reference():
    assert parse_query("CT-1234 5678").references == ("CT1234", "5678")
    assert parse_query("ct12345678").references == ("CT12345678",)
    assert parse_query("6001234567").references == ("6001234567",)


def test_titles_are_dropped_and_names_fold_accents():
    q = parse_query("Mrs Siân O'Brien-Jones")
    assert q.names == ("sian", "obrienjones")


def test_empty_and_unusable():
    assert parse_query("").is_empty
    assert parse_query("   ").is_empty
    q = parse_query("😀 محمد")
    assert q.is_empty
    assert q.ignored == ("😀", "محمد")


def test_control_and_bidi_characters_are_spaces():
    assert clean_text("smi\x00th\u202e 1980") == "smi th 1980"
    assert parse_query("smith\x00").names == ("smith",)


def test_sql_and_markup_are_only_words():
    q = parse_query("'; DROP TABLE customer; --")
    assert q.names == ("drop", "table", "customer")
    assert parse_query("<script>alert(1)</script>").names == ()


def test_each_kind_is_bounded():
    q = parse_query(" ".join(f"name{'x' * i}" for i in range(20)))
    assert len(q.names) <= 5


def test_describe_says_what_was_searched_for():
    parts = parse_query("smith 31/12/1980 NV12AB FO-7").describe()
    assert ("Name", "smith") in parts
    assert ("Date of birth", "31 December 1980") in parts
    assert ("Postcode", "NV1 2AB") in parts
    assert ("Case", "FO-000007") in parts
