"""Ranking: transparent points, exact before prefix before sounds-like."""

from datetime import date

import pytest

from frontoffice.customers import normalise
from frontoffice.customers.search import Candidate, parse_query, rank, score

pytestmark = pytest.mark.no_db


def candidate(cid, given, family, dob=None, current=(), previous=(), hits=()):
    return Candidate(
        customer_id=cid,
        given_key=normalise.name_key(given),
        family_key=normalise.name_key(family),
        family_soundex=normalise.soundex(family),
        family_metaphone=normalise.metaphone(family),
        date_of_birth=dob,
        current_postcodes=frozenset(current),
        previous_postcodes=frozenset(previous),
        hits=frozenset(hits),
    )


def test_exact_beats_prefix_beats_phonetic():
    q = parse_query("smith")
    ranked = rank(
        q,
        [
            candidate(1, "Ann", "Smyth"),
            candidate(2, "Ann", "Smithson"),
            candidate(3, "Ann", "Smith"),
        ],
    )
    assert [r.customer_id for r in ranked] == [3, 2, 1]
    assert ranked[0].reasons == ("Surname matches",)
    assert ranked[1].reasons == ("Surname starts with ‘smith’",)
    assert ranked[2].reasons == ("Surname sounds like ‘smith’",)


def test_misspelt_surname_still_scores():
    r = score(parse_query("Smyth"), candidate(1, "John", "Smith"))
    assert r.score > 0
    assert "sounds like" in r.reasons[0]


def test_first_name_and_date_of_birth_lift_a_candidate():
    q = parse_query("John Smith 31/12/1980")
    plain = candidate(1, "Mary", "Smith")
    named = candidate(2, "John", "Smith")
    born = candidate(3, "John", "Smith", dob=date(1980, 12, 31))
    assert [r.customer_id for r in rank(q, [plain, named, born])] == [3, 2, 1]
    assert score(q, born).reasons == (
        "Surname matches",
        "First name matches",
        "Date of birth matches",
    )


def test_either_order_of_names():
    c = candidate(1, "John", "Smith")
    assert score(parse_query("Smith John"), c).score == score(parse_query("John Smith"), c).score


def test_postcode_current_beats_previous_beats_area():
    q = parse_query("smith NV1 2AB")
    current = candidate(1, "A", "Smith", current={"NV12AB"})
    previous = candidate(2, "A", "Smith", previous={"NV12AB"})
    neither = candidate(3, "A", "Smith", current={"NV99ZZ"})
    assert [r.customer_id for r in rank(q, [neither, previous, current])] == [1, 2, 3]
    area = score(parse_query("smith NV1"), candidate(4, "A", "Smith", current={"NV12AB"}))
    assert "Lives in postcode area NV1" in area.reasons
    assert score(
        parse_query("smith NV1"), candidate(5, "A", "Smith", current={"NV102AB"})
    ).reasons == ("Surname matches",)


def test_identifiers_outrank_names():
    q = parse_query("smith 07700 900123")
    by_phone = candidate(1, "Zed", "Jones", hits={"phone"})
    by_name = candidate(2, "Ann", "Smith")
    assert [r.customer_id for r in rank(q, [by_name, by_phone])] == [1, 2]
    assert score(q, by_phone).reasons == ("Phone number matches",)


def test_case_reason_names_the_case():
    r = score(parse_query("FO-000042"), candidate(1, "A", "B", hits={"case"}))
    assert r.reasons == ("Has case FO-000042",)


def test_ties_are_alphabetical_then_by_id():
    q = parse_query("smith")
    ranked = rank(
        q,
        [candidate(3, "Zoe", "Smith"), candidate(2, "Amy", "Smith"), candidate(1, "Amy", "Smith")],
    )
    assert [r.customer_id for r in ranked] == [1, 2, 3]


def test_one_typing_slip_ranks_with_sound_alikes():
    r = score(parse_query("Walmeres"), candidate(1, "Ann", "Wameres"))
    assert r.reasons == ("Surname is one letter from ‘walmeres’",)
    assert 20 <= r.score < 30


def test_spelling_variants():
    from frontoffice.customers.search import spelling_variants

    assert {"jonson", "jhonson", "johnsno", "johnsen"} <= spelling_variants("johnson")
    assert "johnson" not in spelling_variants("johnson")
    assert spelling_variants("li") == set()
