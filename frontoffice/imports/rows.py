"""One row of an extract, checked: everything a customer record needs, or why it cannot be used.

A row is imported whole or not at all: a value that cannot be stored as it is (a date that is
not a date, a postcode that is not a postcode, a value too long for its field, control
characters) skips the row with the reason, so it can be corrected and imported again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from frontoffice import clock
from frontoffice.customers import normalise
from frontoffice.customers.operations import AddressDetails
from frontoffice.identity.batch import parse_date
from frontoffice.identity.records import Person

# The customer record's column sizes (customers/models.py).
MAX_LENGTHS = {
    "id": 60,
    "given_name": 100,
    "family_name": 100,
    "address_line_1": 200,
    "address_line_2": 200,
    "town": 100,
    "email": 254,
}
MAX_OTHER = 1000  # postcodes and phone numbers are checked for what they are
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(frozen=True)
class Checked:
    line: int
    reference: str
    key: str  # normalise.reference_key(reference): what makes two references one
    person: Person
    phone: str  # E.164 or ''
    email: str
    address: AddressDetails | None

    @property
    def has_name(self) -> bool:
        return bool(self.person.given_name and self.person.family_name)


class RowError(ValueError):
    """Why a row cannot be imported."""


def check(line: int, values: dict[str, str]) -> Checked:
    for name, value in values.items():
        limit = MAX_LENGTHS.get(name, MAX_OTHER)
        if len(value) > limit:
            raise RowError(f"{name} is longer than {limit} characters")
        if _CONTROL_RE.search(value):
            raise RowError(f"{name} contains control characters (a line break, a NUL or similar)")
    reference = values["id"]
    key = normalise.reference_key(reference)
    if not reference:
        raise RowError("has no id")
    if not key:
        raise RowError(f"id {reference[:40]!r} has no letters or numbers")

    born = parse_date(values["date_of_birth"])
    if values["date_of_birth"] and born is None:
        raise RowError(f"date_of_birth {values['date_of_birth'][:40]!r} is not a date (YYYY-MM-DD)")
    if born is not None and born > clock.today():
        raise RowError(f"date_of_birth {values['date_of_birth'][:40]!r} is in the future")

    postcode = ""
    if values["postcode"]:
        postcode = normalise.normalise_postcode(values["postcode"]) or ""
        if not postcode:
            raise RowError(f"postcode {values['postcode'][:40]!r} is not a UK postcode")
    phone = ""
    if values["phone"]:
        phone = normalise.normalise_phone(values["phone"]) or ""
        if not phone:
            raise RowError(f"phone {values['phone'][:40]!r} is not a phone number")
    email = ""
    if values["email"]:
        try:
            email = validate_email(values["email"], check_deliverability=False).normalized
        except EmailNotValidError:
            raise RowError(f"email {values['email'][:40]!r} is not an email address") from None

    lines = (values["address_line_1"], values["address_line_2"], values["town"])
    address = None
    if any(lines) or postcode:
        address = AddressDetails(line_1=lines[0], line_2=lines[1], town=lines[2], postcode=postcode)
    person = Person(
        id=reference,
        given_name=values["given_name"],
        family_name=values["family_name"],
        date_of_birth=born,
        address_line_1=lines[0],
        address_line_2=lines[1],
        town=lines[2],
        postcode=postcode,
        phone=phone,
        email=email,
    )
    return Checked(line, reference, key, person, phone, email, address)
