"""What an adviser types in the one search box, and how well each candidate agrees with it.

Pure functions, no Flask and no database, so both halves are unit-tested on their own:

- parse_query() splits free text into parts: names, dates of birth, postcodes (full or
  outward code), phone numbers, email addresses, case references and partner references.
- rank() scores candidates the database found, with the reasons shown to the adviser.
  Scores are plain points, so the order is easy to explain: an identifier (case, partner
  reference, phone, email) beats a name; an exact surname beats a prefix, which beats a
  surname that sounds alike or is one typing slip away; a matching date of birth or
  postcode lifts a candidate.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import jellyfish

from frontoffice.cases.models import format_reference, parse_reference
from frontoffice.customers import normalise

MAX_QUERY_LENGTH = 200
MAX_PARTS = 5  # of each kind: bounds the number of lookups one search can cause

TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "rev", "sir", "dame", "lady", "lord", "prof"}
)
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

EMAIL_RE = re.compile(r"[^\s@,;:<>()\[\]\"']+@[^\s@,;:<>()\[\]\"']+\.[^\s@,;:<>()\[\]\"']+")
CASE_RE = re.compile(r"(?<![0-9A-Za-z])FO[\s-]?\d{1,12}(?![0-9A-Za-z])", re.IGNORECASE)
DMY_RE = re.compile(r"(?<!\d)(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})(?!\d)")
YMD_RE = re.compile(r"(?<!\d)(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})(?!\d)")
NAMED_MONTH_RE = re.compile(
    r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})(?!\d)", re.IGNORECASE
)
PHONE_CHARS_RE = re.compile(r"^[+(]?[\d()\-.]+$")
INWARD_RE = re.compile(r"^\d[A-Z]{2}$")


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    names: tuple[str, ...] = ()  # name keys, in the order typed
    name_words: tuple[str, ...] = ()  # the same names as typed, to fill in a new record
    family_first: bool = False  # "Smith, John"
    dates: tuple[date, ...] = ()
    postcodes: tuple[str, ...] = ()  # compact keys: "NV12AB"
    outward_codes: tuple[str, ...] = ()  # "NV1"
    phones: tuple[str, ...] = ()  # E.164
    emails: tuple[str, ...] = ()
    case_ids: tuple[int, ...] = ()
    references: tuple[str, ...] = ()  # reference keys
    ignored: tuple[str, ...] = ()  # what we could not use, as typed

    @property
    def is_empty(self) -> bool:
        return not (
            self.names
            or self.dates
            or self.postcodes
            or self.outward_codes
            or self.phones
            or self.emails
            or self.case_ids
            or self.references
        )

    def describe(self) -> list[tuple[str, str]]:
        """What we searched for, as (kind, value) pairs for the page."""
        parts: list[tuple[str, str]] = [("Name", n) for n in self.names]
        parts += [("Date of birth", f"{d.day} {d:%B %Y}") for d in self.dates]
        parts += [("Postcode", f"{p[:-3]} {p[-3:]}") for p in self.postcodes]
        parts += [("Postcode area", p) for p in self.outward_codes]
        parts += [("Phone", normalise.display_phone(p)) for p in self.phones]
        parts += [("Email", e) for e in self.emails]
        parts += [("Case", format_reference(c)) for c in self.case_ids]
        parts += [("Reference", r) for r in self.references]
        return parts


def clean_text(text: str) -> str:
    """NFC, control and formatting characters (including bidi overrides) as spaces, one space."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text)
    return " ".join(text.split())


def _month_number(month: str) -> int | None:
    if month.isdigit():
        return int(month)
    matches = [i + 1 for i, m in enumerate(MONTHS) if m.startswith(month.lower())]
    return matches[0] if len(month) >= 3 and len(matches) == 1 else None


def _dates(text: str, found: list[date], ignored: list[str]) -> str:
    def take(match: re.Match[str], year: str, month: str, day: str) -> str:
        month_number = _month_number(month)
        try:
            if month_number is None:
                raise ValueError
            found.append(date(int(year), month_number, int(day)))
        except ValueError:
            if month_number is None:
                return match.group(0)  # "12 green 1980" is not a date: leave it
            ignored.append(match.group(0))
        return " "

    text = YMD_RE.sub(lambda m: take(m, m[1], m[2], m[3]), text)
    text = DMY_RE.sub(lambda m: take(m, m[3], m[2], m[1]), text)
    return NAMED_MONTH_RE.sub(lambda m: take(m, m[3], m[2], m[1]), text)


def _phone(tokens: list[str], i: int) -> tuple[str, int] | None:
    """The longest run of tokens from i that reads as one phone number: (E.164, tokens used)."""
    first = tokens[i]
    if not PHONE_CHARS_RE.match(first) or not (first[0] in "+(" or first.startswith("0")):
        return None
    best = None
    for j in range(i, min(i + 4, len(tokens))):
        if j > i and not PHONE_CHARS_RE.match(tokens[j]):
            break
        e164 = normalise.normalise_phone("".join(tokens[i : j + 1]))
        if e164 and len(e164) >= 11:  # "+" and at least ten digits
            best = (e164, j - i + 1)
    return best


def _postcode(tokens: list[str], i: int) -> tuple[str, int] | None:
    token = tokens[i].upper()
    if i + 1 < len(tokens) and INWARD_RE.match(tokens[i + 1].upper()):
        pair = normalise.normalise_postcode(token + tokens[i + 1])
        if pair and normalise.is_outward_code(token):
            return normalise.postcode_key(pair), 2
    single = normalise.normalise_postcode(token)
    if single and " " not in token:
        return normalise.postcode_key(single), 1
    return None


def parse_query(raw: str) -> ParsedQuery:
    text = clean_text(raw)
    emails = [normalise.email_key(m) for m in EMAIL_RE.findall(text) if len(m) <= 254]
    work = EMAIL_RE.sub(" ", text)
    case_ids = [n for m in CASE_RE.findall(work) if (n := parse_reference(m)) is not None]
    work = CASE_RE.sub(" ", work)
    dates: list[date] = []
    ignored: list[str] = []
    work = _dates(work, dates, ignored)
    family_first = bool(re.match(r"^\s*[^\s,\d]+\s*,", work))

    tokens = [t for t in re.split(r"[\s,;]+", work) if t]
    names: list[str] = []
    words: list[str] = []
    phones: list[str] = []
    postcodes: list[str] = []
    outward: list[str] = []
    references: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if phone := _phone(tokens, i):
            phones.append(phone[0])
            if phone[1] == 1 and token.isdigit():
                references.append(token)  # an account number can look like a phone number
            i += phone[1]
            continue
        if postcode := _postcode(tokens, i):
            postcodes.append(postcode[0])
            i += postcode[1]
            continue
        i += 1
        if any(c.isdigit() for c in token):
            if normalise.is_outward_code(token):
                outward.append(token.upper())
            elif len(key := normalise.reference_key(token)) >= 3:
                references.append(key)
            else:
                ignored.append(token)
        elif key := normalise.name_key(token):
            if key not in TITLES:
                names.append(key)
                words.append(token.strip(".'’-"))
        elif any(unicodedata.category(c)[0] in "LNS" for c in token):
            ignored.append(token)  # emoji, or letters we cannot compare (e.g. Arabic script)

    return ParsedQuery(
        text=text,
        names=_unique(names),
        name_words=tuple(words[:MAX_PARTS]),
        family_first=family_first and len(names) > 1,
        dates=_unique(dates),
        postcodes=_unique(postcodes),
        outward_codes=_unique(outward),
        phones=_unique(phones),
        emails=_unique(emails),
        case_ids=_unique(case_ids),
        references=_unique(references),
        ignored=tuple(ignored[:MAX_PARTS]),
    )


def _unique(items: Iterable) -> tuple:
    return tuple(dict.fromkeys(items))[:MAX_PARTS]


LETTERS = "abcdefghijklmnopqrstuvwxyz"


def spelling_variants(key: str) -> set[str]:
    """Name keys one typing slip from key: a letter dropped or added, two letters swapped, a
    vowel changed. Looked up by equality on the surname index, this finds 'Johnson' from
    'Jonson' and 'Walmeres' from 'Wameres', which sound-alike keys miss. (Any letter changed
    would add 21 keys a letter for little gain: sound-alike keys catch most of those.)"""
    if not 4 <= len(key) <= 14:
        return set()
    splits = [(key[:i], key[i:]) for i in range(len(key) + 1)]
    variants = {a + b[1:] for a, b in splits if b}
    variants |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    variants |= {a + c + b[1:] for a, b in splits if b for c in "aeiouy"}
    variants |= {a + c + b for a, b in splits for c in LETTERS}
    variants.discard(key)
    return variants


# Ranking ------------------------------------------------------------------------------------

IDENTIFIER_POINTS = {"case": 100, "reference": 90, "phone": 70, "email": 70}
IDENTIFIER_REASONS = {
    "case": "Has case {}",
    "reference": "Partner reference matches",
    "phone": "Phone number matches",
    "email": "Email address matches",
}
FAMILY_EXACT, FAMILY_PREFIX, FAMILY_PHONETIC, FAMILY_SIMILAR = 40, 30, 20, 12
GIVEN_EXACT, GIVEN_PREFIX, GIVEN_SIMILAR = 15, 10, 8
DOB_MATCH = 35
POSTCODE_CURRENT, POSTCODE_PREVIOUS, OUTWARD_MATCH = 25, 15, 10
SIMILAR = 0.85


@dataclass(slots=True)
class Candidate:
    customer_id: int
    given_key: str
    family_key: str
    family_soundex: str
    family_metaphone: str
    date_of_birth: date | None
    current_postcodes: frozenset[str] = frozenset()
    previous_postcodes: frozenset[str] = frozenset()
    hits: frozenset[str] = frozenset()  # identifier kinds the database matched on


@dataclass(frozen=True)
class Ranked:
    customer_id: int
    score: float
    reasons: tuple[str, ...] = field(default_factory=tuple)
    sort_key: tuple = ()


@functools.lru_cache(maxsize=512)
def _sounds(token: str) -> tuple[str, str]:
    return normalise.soundex(token), normalise.metaphone(token)


def family_score(token: str, candidate: Candidate) -> tuple[float, str]:
    family = candidate.family_key
    if not token or not family:
        return 0.0, ""
    if token == family:
        return FAMILY_EXACT, "Surname matches"
    if len(token) >= 2 and family.startswith(token):
        return FAMILY_PREFIX + 5 * len(token) / len(family), f"Surname starts with ‘{token}’"
    similarity = jellyfish.jaro_winkler_similarity(token, family)
    sounds = _sounds(token)
    if len(token) >= 3 and (
        sounds[0] == candidate.family_soundex or sounds[1] == candidate.family_metaphone
    ):
        return FAMILY_PHONETIC + 5 * similarity, f"Surname sounds like ‘{token}’"
    if len(token) >= 4 and jellyfish.damerau_levenshtein_distance(token, family) == 1:
        return FAMILY_PHONETIC + 5 * similarity, f"Surname is one letter from ‘{token}’"
    if similarity >= SIMILAR:
        return FAMILY_SIMILAR * similarity, f"Surname is like ‘{token}’"
    return 0.0, ""


def given_score(token: str, candidate: Candidate) -> tuple[float, str]:
    given = candidate.given_key
    if not token or not given:
        return 0.0, ""
    if token == given:
        return GIVEN_EXACT, "First name matches"
    if given.startswith(token):
        return GIVEN_PREFIX, f"First name starts with ‘{token}’"
    if jellyfish.jaro_winkler_similarity(token, given) >= SIMILAR:
        return GIVEN_SIMILAR, f"First name is like ‘{token}’"
    return 0.0, ""


def _name_score(query: ParsedQuery, candidate: Candidate) -> tuple[float, list[str]]:
    best: tuple[float, list[str]] = (0.0, [])
    for i, token in enumerate(query.names):
        points, reason = family_score(token, candidate)
        reasons = [reason] if reason else []
        others = query.names[:i] + query.names[i + 1 :]
        given = max((given_score(t, candidate) for t in others), default=(0.0, ""))
        if given[0]:
            points += given[0]
            reasons.append(given[1])
        if points > best[0]:
            best = (points, reasons)
    return best


def score(query: ParsedQuery, candidate: Candidate) -> Ranked:
    points = 0.0
    reasons: list[str] = []
    for kind in ("case", "reference", "phone", "email"):
        if kind in candidate.hits:
            points += IDENTIFIER_POINTS[kind]
            text = IDENTIFIER_REASONS[kind]
            if kind == "case":
                text = text.format(" or ".join(format_reference(c) for c in query.case_ids))
            reasons.append(text)
    name_points, name_reasons = _name_score(query, candidate)
    points += name_points
    reasons += name_reasons
    if candidate.date_of_birth is not None and candidate.date_of_birth in query.dates:
        points += DOB_MATCH
        reasons.append("Date of birth matches")
    if set(query.postcodes) & candidate.current_postcodes:
        points += POSTCODE_CURRENT
        reasons.append("Postcode matches current address")
    elif set(query.postcodes) & candidate.previous_postcodes:
        points += POSTCODE_PREVIOUS
        reasons.append("Postcode matches a previous address")
    elif query.outward_codes and {p[:-3] for p in candidate.current_postcodes} & set(
        query.outward_codes
    ):
        points += OUTWARD_MATCH
        reasons.append("Lives in postcode area " + ", ".join(query.outward_codes))
    return Ranked(
        customer_id=candidate.customer_id,
        score=round(points, 2),
        reasons=tuple(reasons),
        sort_key=(
            -round(points, 2),
            candidate.family_key,
            candidate.given_key,
            candidate.customer_id,
        ),
    )


def rank(query: ParsedQuery, candidates: Iterable[Candidate]) -> list[Ranked]:
    return sorted((score(query, c) for c in candidates), key=lambda r: r.sort_key)
