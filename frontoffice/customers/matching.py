"""Which customer record a resident's own submission (the web, Open311) belongs to.

One decision for every self-service channel, so a scoring matcher can replace it in one
place. Today a submission is linked only when exactly one record has its email, or else
exactly one has its phone number; anything else makes a new record (a guess could put a
resident's report on someone else's record). REVIEW is reserved for a match that is possible
but not confident; callers already handle it (a new record, with the candidates audited).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, select

from frontoffice.customers import normalise
from frontoffice.customers.models import Customer, CustomerEmail, CustomerPhone
from frontoffice.extensions import db


class Decision(enum.StrEnum):
    LINK = "link"
    REVIEW = "review"
    NEW = "new"


@dataclass(frozen=True)
class Match:
    decision: Decision
    customer: Customer | None = None
    candidates: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Given:
    """What the resident told us about themselves, already validated."""

    given_name: str = ""
    family_name: str = ""
    email: str = ""
    phone: str = ""  # E.164
    postcode: str = ""
    date_of_birth: date | None = None


def match(given: Given) -> Match:
    keyed = (
        (given.email, CustomerEmail.customer_id, CustomerEmail.address_key, normalise.email_key),
        (given.phone, CustomerPhone.customer_id, CustomerPhone.number_key, normalise.phone_key),
    )
    for value, customer_id, key_column, key in keyed:
        found = _only(select(customer_id).where(key_column == key(value))) if value else None
        if found is not None:
            return Match(Decision.LINK, found)
    return Match(Decision.NEW)


def _only(query: Select) -> Customer | None:
    """The one customer the query finds; none when it finds none or several."""
    ids = set(db.session.scalars(query.limit(2)))
    return db.session.get(Customer, ids.pop()) if len(ids) == 1 else None
