"""A person as the matcher sees them, and the comparable keys worked out once per record.

Keys reuse frontoffice.customers.normalise, so a name, phone or postcode compares the same way
here as it does in the customer search.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from frontoffice.customers import normalise

_WORD_RE = re.compile(r"[a-z0-9]+")
_NUMBER_RE = re.compile(r"\b(\d+[a-z]?)\b")
_FLAT_WORDS = frozenset({"flat", "apartment", "apt", "unit", "room"})
_STREET_ABBREVIATIONS = {
    "rd": "road",
    "st": "street",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "cl": "close",
    "cres": "crescent",
    "ct": "court",
    "dr": "drive",
    "gdns": "gardens",
    "gr": "grove",
    "pl": "place",
    "sq": "square",
    "ter": "terrace",
    "terr": "terrace",
}


@dataclass(frozen=True)
class Person:
    """What one record says about a person; every field but id may be empty."""

    id: str
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    address_line_1: str = ""
    address_line_2: str = ""
    town: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Name:
    key: str  # lower-case ASCII letters
    metaphone: str
    soundex: str

    @classmethod
    def of(cls, text: str) -> Name:
        # The first word only: 'Mary Ann' and 'Mary' are one given name for matching.
        return _name(text.split()[0] if text.split() else "")


@lru_cache(maxsize=100_000)
def _name(first: str) -> Name:
    return Name(normalise.name_key(first), normalise.metaphone(first), normalise.soundex(first))


@dataclass(frozen=True)
class Prepared:
    """A Person with every key the comparisons and blocking rules use."""

    person: Person
    given: Name
    family: Name
    family_parts: frozenset[str]  # the keys of each part of a hyphenated or two-word name
    dob: date | None
    postcode: str  # 'SW1A1AA', or '' when it is not a valid postcode
    postcode_sector: str  # 'SW1A1'
    postcode_district: str  # 'SW1A'
    address_number: str  # '12a', or the flat number when there is one
    address_words: frozenset[str] = field(default_factory=frozenset)
    phone: str = ""
    email: str = ""


def prepare(person: Person) -> Prepared:
    postcode = normalise.normalise_postcode(person.postcode) or ""
    compact = postcode.replace(" ", "")
    words = _address_words(f"{person.address_line_1} {person.address_line_2}")
    return Prepared(
        person=person,
        given=Name.of(person.given_name),
        family=Name.of(person.family_name.replace("-", "").replace(" ", "")),
        family_parts=frozenset(
            key
            for part in re.split(r"[-\s]+", person.family_name)
            if (key := normalise.name_key(part))
        ),
        dob=person.date_of_birth,
        postcode=compact,
        postcode_sector=compact[:-2] if compact else "",
        postcode_district=compact[:-3] if compact else "",
        address_number=_house_number(person.address_line_1, person.address_line_2),
        address_words=frozenset(words),
        phone=_phone(person.phone),
        email=normalise.email_key(person.email) if "@" in person.email else "",
    )


def _phone(value: str) -> str:
    """The national number for a UK number written any usual way, else E.164 or digits.

    The common forms are read directly: parsing every number with phonenumbers (as
    normalise.phone_key does) costs more than all the comparisons of a batch.
    """
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("0"):
        return "+44" + digits[1:]
    if len(digits) == 12 and digits.startswith("44") and not value.lstrip().startswith("0"):
        return "+" + digits
    if len(digits) == 14 and digits.startswith("0044"):
        return "+" + digits[2:]
    key = normalise.phone_key(value) if digits else ""
    return key if len(key.lstrip("+")) >= 7 else ""


def _address_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = _WORD_RE.findall(folded)
    return [_STREET_ABBREVIATIONS.get(word, word) for word in words if word not in _FLAT_WORDS]


def _house_number(*lines: str) -> str:
    for line in lines:
        found = _NUMBER_RE.findall(line.lower())
        if found:
            return "/".join(found)
    return ""
