"""Comparison levels per field, best first, in the Fellegi–Sunter way.

Each comparison maps a pair of prepared records to the index of the first level whose test
holds (0 is the closest agreement, the last is "disagree"), or NULL when either side is
missing the field: a missing value is no evidence either way and weighs nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from jellyfish import damerau_levenshtein_distance, hamming_distance, jaro_winkler_similarity

from frontoffice.identity.records import Prepared

NULL = -1


@dataclass(frozen=True)
class Comparison:
    field: str
    levels: tuple[str, ...]  # labels, best first; the last is the disagreement
    level_of: Callable[[Prepared, Prepared], int]
    # The level whose weight is adjusted for how common the agreed value is, and that value.
    tf_level: int | None = None
    tf_value: Callable[[Prepared], str] | None = None
    # A level that says "not the same person" whatever else agrees (see settings.VETO_WEIGHT).
    veto_level: int | None = None

    @property
    def disagree(self) -> int:
        return len(self.levels) - 1


@cache
def nickname_groups() -> dict[str, frozenset[int]]:
    """Name key -> the numbers of the nickname lines it appears on (package data)."""
    groups: dict[str, set[int]] = {}
    text = resources.files("frontoffice.identity").joinpath("nicknames.csv").read_text("utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    for number, row in enumerate(csv.reader(lines)):
        for name in row:
            groups.setdefault("".join(c for c in name.lower() if c.isalpha()), set()).add(number)
    return {name: frozenset(lines) for name, lines in groups.items()}


def are_nicknames(a: str, b: str) -> bool:
    groups = nickname_groups()
    return bool(groups.get(a, frozenset()) & groups.get(b, frozenset()))


def given_name_level(a: Prepared, b: Prepared) -> int:
    x, y = a.given.key, b.given.key
    if not x or not y:
        return NULL
    if x == y:
        return 0
    if are_nicknames(x, y):
        return 1
    similarity = jaro_winkler_similarity(x, y)
    if similarity >= 0.92:
        return 2
    if a.given.metaphone == b.given.metaphone:
        return 3
    if len(x) == 1 or len(y) == 1:
        return 4 if x[0] == y[0] else 6
    if similarity >= 0.8 or (abs(len(x) - len(y)) <= 1 and damerau_levenshtein_distance(x, y) <= 1):
        return 5  # 'Zoe' and 'Zeo': short names are far apart by Jaro-Winkler
    return 6


def family_name_level(a: Prepared, b: Prepared) -> int:
    x, y = a.family.key, b.family.key
    if not x or not y:
        return NULL
    if x == y:
        return 0
    if a.family_parts & b.family_parts:
        return 1  # 'Smith' and 'Jones-Smith': a name added or dropped on marriage
    similarity = jaro_winkler_similarity(x, y)
    if similarity >= 0.92 or (
        abs(len(x) - len(y)) <= 1 and damerau_levenshtein_distance(x, y) <= 1
    ):
        return 2
    if a.family.metaphone == b.family.metaphone or a.family.soundex == b.family.soundex:
        return 3
    if similarity >= 0.8:
        return 4
    return 5


def dob_level(a: Prepared, b: Prepared) -> int:
    x, y = a.dob, b.dob
    if x is None or y is None:
        return NULL
    if x == y:
        return 0
    if x.year == y.year and x.day == y.month and x.month == y.day:
        return 1
    same = (x.year == y.year) + (x.month == y.month) + (x.day == y.day)
    if same == 2:
        return 2
    if abs((x - y).days) <= 31 * 12 and same == 1 and x.year != y.year:
        return 3  # the same day and month a year or so apart, or a year mistyped
    return 4


def address_level(a: Prepared, b: Prepared) -> int:
    """Postcode and address together: they say the same thing twice (a household shares
    both), and weighing them apart would count a shared home twice."""
    has_postcodes = bool(a.postcode and b.postcode)
    has_words = bool(a.address_words and b.address_words)
    if not has_postcodes and not has_words:
        return NULL
    same_words = has_words and a.address_words == b.address_words
    if has_postcodes and a.postcode == b.postcode:
        if same_words:
            return 0
        if has_words and _similar_address(a, b):
            return 1
        return 2
    if same_words:
        return 3
    if has_postcodes and a.postcode_sector == b.postcode_sector:
        return 4
    if has_postcodes and a.postcode_district == b.postcode_district:
        return 5
    return 6


def _similar_address(a: Prepared, b: Prepared) -> bool:
    x, y = a.address_words, b.address_words
    # 'Flat 2, 12 Mill Road' has numbers '2/12'; a shared number with most words is enough.
    numbers = set(a.address_number.split("/")) & set(b.address_number.split("/"))
    return bool(numbers - {""}) and len(x & y) / len(x | y) >= 0.5


def phone_level(a: Prepared, b: Prepared) -> int:
    if not a.phone or not b.phone:
        return NULL
    if a.phone == b.phone:
        return 0
    if len(a.phone) == len(b.phone) and hamming_distance(a.phone, b.phone) <= 1:
        return 1
    return 2


def email_level(a: Prepared, b: Prepared) -> int:
    if not a.email or not b.email:
        return NULL
    if a.email == b.email:
        return 0
    local_a, _, domain_a = a.email.partition("@")
    local_b, _, domain_b = b.email.partition("@")
    if local_a == local_b or (
        domain_a == domain_b
        and abs(len(local_a) - len(local_b)) <= 1
        and damerau_levenshtein_distance(local_a, local_b) <= 1
    ):
        return 1
    return 2


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "given_name",
        (
            "exact",
            "nickname",
            "very similar spelling",
            "sounds the same",
            "initial agrees",
            "similar spelling",
            "different",
        ),
        given_name_level,
        tf_level=0,
        tf_value=lambda p: p.given.key,
        veto_level=6,
    ),
    Comparison(
        "family_name",
        (
            "exact",
            "one part of a double name",
            "very similar spelling",
            "sounds the same",
            "similar spelling",
            "different",
        ),
        family_name_level,
        tf_level=0,
        tf_value=lambda p: p.family.key,
    ),
    Comparison(
        "date_of_birth",
        ("exact", "day and month swapped", "one part differs", "about a year apart", "different"),
        dob_level,
    ),
    Comparison(
        "address",
        (
            "same postcode and address",
            "same postcode, similar address",
            "same postcode, another address",
            "same address, another or no postcode",
            "same postcode sector",
            "same postcode district",
            "different",
        ),
        address_level,
    ),
    Comparison("phone", ("exact", "one digit differs", "different"), phone_level),
    Comparison("email", ("exact", "similar", "different"), email_level),
)


def levels(a: Prepared, b: Prepared) -> tuple[int, ...]:
    return tuple(comparison.level_of(a, b) for comparison in COMPARISONS)
