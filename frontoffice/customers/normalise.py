"""Turning what people type into comparable keys: names, phones, postcodes, emails.

Pure functions, no Flask: used when saving a customer (to fill the search keys) and when
parsing a search, so both sides agree.
"""

from __future__ import annotations

import re
import unicodedata

import jellyfish
import phonenumbers

POSTCODE_RE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]([0-9ABEHMNPRV-Y])?|[0-9][A-HJKPS-UW]) ?"
    r"[0-9][ABD-HJLNP-UW-Z]{2})$"
)
OUTWARD_RE = re.compile(
    r"^[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]([0-9ABEHMNPRV-Y])?|[0-9][A-HJKPS-UW])$"
)


def name_key(name: str | None) -> str:
    """Lower-case ASCII letters only: 'O'Brien-Smith' -> 'obriensmith', 'Siân' -> 'sian'."""
    if not name:
        return ""
    folded = unicodedata.normalize("NFKD", name)
    return "".join(c for c in folded.lower() if "a" <= c <= "z")


def soundex(name: str | None) -> str:
    key = name_key(name)
    return jellyfish.soundex(key) if key else ""


def metaphone(name: str | None) -> str:
    key = name_key(name)
    return jellyfish.metaphone(key)[:12] if key else ""


def normalise_postcode(value: str | None) -> str | None:
    """'sw1a1aa' -> 'SW1A 1AA'; None if it is not a UK postcode."""
    if not value:
        return None
    compact = re.sub(r"\s+", "", value).upper()
    if not 5 <= len(compact) <= 7:
        return None
    candidate = f"{compact[:-3]} {compact[-3:]}"
    return candidate if POSTCODE_RE.match(candidate) else None


def postcode_key(value: str | None) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def is_outward_code(value: str) -> bool:
    return bool(OUTWARD_RE.match(value.strip().upper()))


def normalise_phone(value: str | None) -> str | None:
    """A valid phone number in E.164 ('+447700900123'), UK by default; None if invalid."""
    if not value or len(value) > 40:
        return None
    try:
        parsed = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_key(value: str | None) -> str:
    """The comparable form of a phone number: E.164 when it parses, else its digits."""
    e164 = normalise_phone(value)
    if e164:
        return e164
    return re.sub(r"\D", "", value or "")


def display_phone(e164: str) -> str:
    try:
        parsed = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return e164
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 44
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, fmt)


def email_key(value: str | None) -> str:
    return (value or "").strip().lower()


def reference_key(value: str | None) -> str:
    """A partner's reference as comparable text: 'ct-123 456' -> 'CT123456'."""
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def phone_kind(e164: str) -> str:
    """'mobile', 'landline' or 'phone' (when the numbering plan cannot tell)."""
    try:
        kind = phonenumbers.number_type(phonenumbers.parse(e164, "GB"))
    except phonenumbers.NumberParseException:
        return "phone"
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return "mobile"
    if kind == phonenumbers.PhoneNumberType.FIXED_LINE:
        return "landline"
    # Numbers reserved for drama and testing (07700 900xxx, 01632 960xxx) have no type.
    if e164.startswith("+447"):
        return "mobile"
    if e164.startswith(("+441", "+442")):
        return "landline"
    return "phone"
