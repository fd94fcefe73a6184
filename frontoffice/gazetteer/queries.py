"""Finding addresses: by postcode, by UPRN, or by free text. Every query uses an index.

The gazetteer is public reference data (no resident's data), so these need no access scope;
the views still require Permission.CUSTOMER_SEARCH.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, func, or_, select

from frontoffice.customers.normalise import normalise_postcode, postcode_key
from frontoffice.database import transaction_cache
from frontoffice.extensions import db
from frontoffice.gazetteer import keys
from frontoffice.gazetteer.models import GazetteerAddress as Address
from frontoffice.gazetteer.operations import canonical_uprn

MAX_LIMIT = 100
POSTCODE_MAX = 500  # more addresses than any one postcode has


def by_uprn(uprn: str | None) -> Address | None:
    canonical = canonical_uprn(uprn)
    if not canonical:
        return None
    # The session's identity map holds rows weakly: routing a dozen cases at one address
    # loaded it a dozen times. Keep what was found for the rest of the transaction.
    found = transaction_cache("gazetteer.by_uprn")
    if canonical not in found:
        address = db.session.get(Address, canonical)
        if address is None:
            return None
        found[canonical] = address
    return found[canonical]


def by_postcode(postcode: str | None) -> list[Address]:
    """Every address in a postcode, in street then house-number order ('2' before '10')."""
    normalised = normalise_postcode(postcode)
    if normalised is None:
        return []
    rows = db.session.scalars(
        select(Address).where(Address.postcode_key == postcode_key(normalised)).limit(POSTCODE_MAX)
    ).all()
    return sort_addresses(rows)


def search(text: str | None, limit: int = 20) -> list[Address]:
    """Addresses matching what an adviser typed: a postcode ('NV1 2AB'), part of one ('NV1',
    'NV1 2'), or the words of an address ('12 high st', 'rose cottage', '4 mill lane
    haverton', '12 high street nv1 2ab'). See keys.py for how words are matched."""
    query = keys.parse_query(text)
    limit = max(1, min(limit, MAX_LIMIT))
    if query.is_empty:
        return []
    if query.postcode_key:
        statement = select(Address).where(Address.postcode_key == query.postcode_key)
        if query.house_number is not None:
            statement = statement.where(Address.house_number == query.house_number)
        if query.words:
            words = " ".join(query.words)
            statement = statement.where(
                or_(_starts_with(Address.street_key, words), _starts_with(Address.line_key, words))
            )
        return sort_addresses(db.session.scalars(statement.limit(POSTCODE_MAX)).all())[:limit]
    if query.postcode_prefix:
        statement = (
            select(Address)
            .where(_starts_with(Address.postcode_key, query.postcode_prefix))
            .order_by(Address.postcode_key, *_street_order())
            .limit(limit)
        )
        return list(db.session.scalars(statement).all())
    # Most words first; if nothing matches, treat the last words as the town.
    for size in range(len(query.words), 0, -1):
        street, town_words = " ".join(query.words[:size]), query.words[size:]
        condition = _starts_with(Address.street_key, street)
        if query.house_number is not None:
            condition = and_(condition, Address.house_number == query.house_number)
        if size == len(query.words) and query.text:
            condition = or_(condition, _starts_with(Address.line_key, query.text))
        statement = select(Address).where(condition)
        for word in town_words:
            statement = statement.where(func.lower(Address.town).contains(word, autoescape=True))
        rows = db.session.scalars(statement.order_by(*_street_order()).limit(limit)).all()
        if rows:
            return sort_addresses(rows)
    return []


def sort_addresses(rows: Sequence[Address]) -> list[Address]:
    return sorted(
        rows,
        key=lambda a: (
            a.town.lower(),
            a.street_key,
            a.house_number if a.house_number is not None else 10**9,
            keys.natural_key(a.line_1),
            keys.natural_key(a.line_2),
            a.uprn,
        ),
    )


def _street_order() -> tuple:
    return (
        Address.street_key,
        Address.house_number.is_(None),
        Address.house_number,
        Address.line_key,
    )


def _starts_with(column, prefix: str) -> ColumnElement[bool]:
    """An index-friendly prefix match. Keys hold only [a-z0-9 ] (or [A-Z0-9] for postcodes),
    so no LIKE escaping is needed. PostgreSQL: LIKE with a varchar_pattern_ops index. SQLite:
    a range, which its b-tree index answers (its LIKE is case-insensitive and cannot)."""
    assert prefix.replace(" ", "").isalnum() and prefix.isascii(), prefix
    if db.session.get_bind().dialect.name == "sqlite":
        return and_(column >= prefix, column < prefix + "\x7f")
    return column.like(prefix + "%")
