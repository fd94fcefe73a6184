"""Search keys for addresses, and reading what an adviser types into an address search.

Pure functions, no database. Every address gets three indexed keys when it is imported:

- ``postcode_key``: the postcode without spaces ('NV12AB'); equality finds a postcode, a
  prefix finds a postcode district or sector ('NV1', 'NV12').
- ``street_key`` (+ ``house_number``): the thoroughfare in lower-case ASCII words
  ('high street') and the number in front of it (12), found in the first address line that
  starts with a number ('Flat 2', '14 High Street' -> 'high street', 14). When no line starts
  with a number, the street is the second line ('Rose Cottage', 'Church Lane' -> 'church
  lane') or the only one.
- ``line_key``: the first line in the same form ('rose cottage', '12 high street').

A search for words is a prefix match on ``street_key`` (and on ``line_key`` for the whole
text), so 'high st' finds High Street and 'rose cott' finds Rose Cottage; both columns have
prefix-capable indexes, so no search scans the table. Abbreviations are not expanded ('high
rd' does not find High Road).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from frontoffice.customers.normalise import is_outward_code, normalise_postcode, postcode_key

STREET_KEY_MAX = 120
LINE_KEY_MAX = 200
QUERY_MAX = 200

_APOSTROPHES = re.compile(r"['`]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_NUMBERED = re.compile(r"^(\d{1,6})[a-z]?(?: \d{1,6}[a-z]?)? ([a-z].*)$")
_SUBPREMISES = frozenset({"flat", "apartment", "apt", "unit", "room", "no", "number"})
_DIGITS = re.compile(r"^(\d{1,6})")
_SECTOR = re.compile(r"^([A-Z0-9]{2,4})([0-9])$")


def text_key(value: str | None) -> str:
    """'St Mary’s Close' -> 'st marys close': lower-case ASCII letters, digits and spaces."""
    if not value:
        return ""
    if not value.isascii():
        value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return _NOT_ALNUM.sub(" ", _APOSTROPHES.sub("", value.lower())).strip()


def address_keys(line_1: str, line_2: str = "", line_3: str = "") -> tuple[str, int | None, str]:
    """(street_key, house_number, line_key) for an address's lines."""
    first = text_key(line_1)
    keys = [k for k in (first, text_key(line_2), text_key(line_3)) if k]
    line_key = first[:LINE_KEY_MAX]
    for key in keys:
        numbered = _NUMBERED.match(key)
        if numbered:
            return numbered.group(2)[:STREET_KEY_MAX], int(numbered.group(1)), line_key
    street = keys[1] if len(keys) > 1 else (keys[0] if keys else "")
    return street[:STREET_KEY_MAX], None, line_key


@dataclass(frozen=True)
class AddressQuery:
    """What an address search asks for; empty when there is nothing to search."""

    postcode_key: str = ""  # a whole postcode
    postcode_prefix: str = ""  # a postcode district or sector: 'NV1', 'NV12'
    house_number: int | None = None
    words: tuple[str, ...] = ()  # street (and maybe town) words, in order
    text: str = ""  # the whole query as a key, for the first-line prefix

    @property
    def is_empty(self) -> bool:
        return not (self.postcode_key or self.postcode_prefix or self.words)


def parse_query(value: str | None) -> AddressQuery:
    """'12 High St, NV1 2AB' -> postcode NV12AB, number 12, words (high, st)."""
    raw = (value or "").strip()[:QUERY_MAX]
    whole = normalise_postcode(raw)
    if whole:
        return AddressQuery(postcode_key=postcode_key(whole))
    compact = re.sub(r"\s+", "", raw).upper()
    if is_outward_code(compact) or _is_sector(compact):
        return AddressQuery(postcode_prefix=compact)
    text = text_key(raw)
    tokens = text.split()
    found = ""
    for size in (2, 1):
        if len(tokens) > size and normalise_postcode(" ".join(tokens[-size:])):
            found = postcode_key(" ".join(tokens[-size:]))
            tokens = tokens[:-size]
            break
    number = None
    while tokens and (tokens[0] in _SUBPREMISES or tokens[0][0].isdigit()):
        digits = _DIGITS.match(tokens.pop(0))
        if digits:
            number = int(digits.group(1))
    return AddressQuery(
        postcode_key=found,
        house_number=number,
        words=tuple(tokens),
        text=text if not found else "",
    )


def _is_sector(compact: str) -> bool:
    sector = _SECTOR.match(compact)
    return bool(sector) and is_outward_code(sector.group(1))


_NATURAL = re.compile(r"\d+|\D+")


def natural_key(value: str) -> tuple[tuple[int, int | str], ...]:
    """'Flat 10' sorts after 'Flat 2'."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in _NATURAL.findall(value.lower())
    )
