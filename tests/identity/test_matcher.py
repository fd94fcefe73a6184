"""The matcher on hand-made pairs: the level each field reaches, its weight, the explanation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from frontoffice.identity import blocking
from frontoffice.identity.comparisons import (
    COMPARISONS,
    NULL,
    address_level,
    are_nicknames,
    dob_level,
    family_name_level,
    given_name_level,
)
from frontoffice.identity.model import VETO_WEIGHT
from frontoffice.identity.records import Person, prepare

pytestmark = pytest.mark.no_db

ALICE = Person(
    id="a",
    given_name="William",
    family_name="Ashworth",
    date_of_birth=date(1980, 3, 7),
    address_line_1="12 Mill Road",
    town="Northvale",
    postcode="NV1 2AB",
    phone="07700 900123",
    email="w.ashworth@example.org",
)


def pair(**changes):
    """ALICE and a copy with `changes`; a changed family name is changed on both sides."""
    left = replace(ALICE, family_name=changes.get("family_name", ALICE.family_name))
    return prepare(left), prepare(replace(ALICE, id="b", **changes))


def evidence(score, field):
    return next(item for item in score.evidence if item.field == field)


def test_nickname_table_ships_with_the_package():
    assert are_nicknames("william", "bill")
    assert are_nicknames("margaret", "peggy")
    assert not are_nicknames("william", "margaret")


@pytest.mark.parametrize(
    ("left", "right", "label"),
    [
        ("William", "William", "exact"),
        ("William", "Bill", "nickname"),
        ("Bill", "Will", "nickname"),
        ("Jonathon", "Jonathan", "very similar spelling"),
        ("Phillipa", "Filipa", "sounds the same"),
        ("W", "William", "initial agrees"),
        ("Mary Ann", "Mary", "exact"),
        ("William", "Oliver", "different"),
        ("W", "Oliver", "different"),
    ],
)
def test_given_name_levels(left, right, label):
    a = prepare(replace(ALICE, given_name=left))
    b = prepare(replace(ALICE, given_name=right))
    assert COMPARISONS[0].levels[given_name_level(a, b)] == label


@pytest.mark.parametrize(
    ("left", "right", "label"),
    [
        ("Ashworth", "ashworth", "exact"),
        ("O'Brien", "OBrien", "exact"),
        ("Smith", "Jones-Smith", "one part of a double name"),
        ("Ashworth", "Ashwroth", "very similar spelling"),
        ("Ashworth", "Taylor", "different"),
    ],
)
def test_family_name_levels(left, right, label):
    a = prepare(replace(ALICE, family_name=left))
    b = prepare(replace(ALICE, family_name=right))
    assert COMPARISONS[1].levels[family_name_level(a, b)] == label


@pytest.mark.parametrize(
    ("right", "label"),
    [
        (date(1980, 3, 7), "exact"),
        (date(1980, 7, 3), "day and month swapped"),
        (date(1980, 3, 8), "one part differs"),
        (date(1981, 3, 7), "one part differs"),
        (date(1979, 9, 7), "about a year apart"),
        (date(1955, 11, 30), "different"),
    ],
)
def test_date_of_birth_levels(right, label):
    a, b = pair(date_of_birth=right)
    assert COMPARISONS[2].levels[dob_level(a, b)] == label


@pytest.mark.parametrize(
    ("postcode", "line_1", "label"),
    [
        ("nv12ab", "12 Mill Rd", "same postcode and address"),
        ("NV1 2AB", "Flat 2, 12 Mill Road", "same postcode, similar address"),
        ("NV1 2AB", "14 Mill Road", "same postcode, another address"),
        ("NV1 2AQ", "12 Mill Road", "same address, another or no postcode"),
        ("", "12 Mill Road", "same address, another or no postcode"),
        ("NV1 2XY", "3 Elm Close", "same postcode sector"),
        ("NV1 7AB", "3 Elm Close", "same postcode district"),
        ("EM3 2AB", "3 Elm Close", "different"),
    ],
)
def test_address_levels_weigh_postcode_and_address_together(postcode, line_1, label):
    a, b = pair(postcode=postcode, address_line_1=line_1)
    assert COMPARISONS[3].levels[address_level(a, b)] == label


def test_a_missing_or_invalid_value_is_no_evidence(model):
    a, b = pair(email="", postcode="not a postcode", address_line_1="", date_of_birth=None)
    assert dob_level(a, b) == NULL
    score = model.score(a, b)
    for field in ("email", "address", "date_of_birth"):
        assert evidence(score, field).level == "missing"
        assert evidence(score, field).weight == 0


def test_the_same_record_matches_and_the_explanation_adds_up(model):
    a, b = pair()
    score = model.score(a, b)
    assert score.probability > 0.99
    assert [item.field for item in score.evidence] == [c.field for c in COMPARISONS]
    assert {item.level for item in score.evidence} == {"exact", "same postcode and address"}
    assert score.prior_weight + sum(item.weight for item in score.evidence) == pytest.approx(
        score.weight, abs=0.01
    )
    text = score.explain()
    assert "given_name" in text and "exact" in text and "'William' / 'William'" in text


def test_a_nickname_with_a_new_phone_still_matches(model):
    a, b = pair(given_name="Bill", phone="07700 900999", email="")
    score = model.score(a, b)
    assert evidence(score, "given_name").level == "nickname"
    assert evidence(score, "given_name").weight > 2
    assert evidence(score, "phone").weight < 0
    assert score.probability > 0.9


def test_day_and_month_swapped_counts_for_nearly_as_much_as_exact(model):
    a, b = pair(date_of_birth=date(1980, 7, 3), phone="", email="")
    score = model.score(a, b)
    swapped = evidence(score, "date_of_birth")
    assert swapped.level == "day and month swapped"
    assert swapped.weight > 5
    assert score.probability > 0.9


def test_twins_never_match(model):
    """Same surname, birthday, home, phone: only the given names differ."""
    a, b = pair(given_name="Oliver", email="")
    score = model.score(a, b)
    assert evidence(score, "given_name").level == "different"
    assert score.weight <= VETO_WEIGHT
    assert score.probability < 0.5
    assert "given names differ" in score.explain()


def test_a_common_surname_counts_for_less_than_a_rare_one(model):
    assert model.frequencies[1]["smith"] > 0.005
    assert "ashworth" not in model.frequencies[1]  # rarer than any surname in the data
    little = {"phone": "", "email": "", "postcode": "", "address_line_1": "", "town": ""}
    common = model.score(*pair(family_name="Smith", **little))
    a, b = pair(**little)
    rare = model.score(a, b)
    assert evidence(common, "family_name").frequency_adjustment < 0
    assert evidence(rare, "family_name").frequency_adjustment > 0
    assert evidence(rare, "family_name").weight > evidence(common, "family_name").weight + 2
    assert rare.probability > common.probability


def test_different_people_do_not_match(model):
    other = Person(
        id="z",
        given_name="Margaret",
        family_name="Taylor",
        date_of_birth=date(1951, 12, 30),
        address_line_1="4 Station Lane",
        postcode="EM3 4QT",
    )
    assert model.score(prepare(ALICE), prepare(other)).probability < 0.01


def test_blocking_finds_swapped_dates_and_skips_huge_blocks():
    a, b = pair(given_name="Bill", family_name="Ashwroth", date_of_birth=date(1980, 7, 3))
    assert list(blocking.candidate_pairs([a, b])) == [(0, 1)]
    crowd = [prepare(replace(ALICE, id=str(i))) for i in range(30)]
    report = blocking.BlockReport()
    assert list(blocking.candidate_pairs(crowd, max_block=10, report=report)) == []
    assert len(report.skipped) == len(blocking.PREDICTION_RULES)
    assert {size for _, _, size in report.skipped} == {30}
