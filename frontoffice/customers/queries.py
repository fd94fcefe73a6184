"""Reads for customers, always narrowed to what the user may see (access.policy scopes).

Search narrows candidates in SQL with indexed columns only (equality, or a key range for a
prefix: no leading wildcards, no functions on columns), each lookup capped, then ranks the
few hundred candidates in Python (search.rank) so the order can be explained.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, String, and_, any_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import joinedload, selectinload

from frontoffice.access.policy import case_scope, customer_scope, reference_scope, sees_contacts
from frontoffice.accounts.models import StaffUser
from frontoffice.cases.models import Case
from frontoffice.contacts.models import Contact
from frontoffice.customers import normalise
from frontoffice.customers.models import (
    Customer,
    CustomerAddress,
    CustomerEmail,
    CustomerPhone,
    ExternalReference,
)
from frontoffice.customers.search import Candidate, ParsedQuery, rank, spelling_variants
from frontoffice.extensions import db
from frontoffice.partners.models import Partner

CANDIDATE_CAP = 500
PAGE_SIZE = 20
RECORD_CASES = 50
RECORD_CONTACTS = 10
MAX_ID = 2**31 - 1
# Keys are ASCII letters and digits, so the next string after every key with a prefix is
# found by stepping its last character through this (bytewise-sorted) alphabet.
_KEY_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def prefix_range(column, prefix: str) -> ColumnElement[bool]:
    """column starts with prefix, as an index range (LIKE 'x%' skips the index on PostgreSQL
    with most collations, and on SQLite, where LIKE ignores case)."""
    upper = prefix
    while upper and upper[-1] == _KEY_ALPHABET[-1]:
        upper = upper[:-1]
    if not upper:
        return column >= prefix
    last = _KEY_ALPHABET.find(upper[-1])
    bound = upper[:-1] + (_KEY_ALPHABET[last + 1] if last >= 0 else chr(ord(upper[-1]) + 1))
    return and_(column >= prefix, column < bound)


# Search -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchRow:
    customer: Customer
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class SearchResults:
    rows: list[SearchRow]
    total: int
    page: int
    pages: int
    capped: bool  # more candidates than we rank: ask for more detail

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1


def search_customers(user: StaffUser, query: ParsedQuery, page: int = 1) -> SearchResults:
    found = _candidates(user, query)
    ranked = rank(query, _rank_data(found, query))
    pages = max(1, -(-len(ranked) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    chosen = ranked[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    loaded = customers_for_list([r.customer_id for r in chosen])
    rows = [
        SearchRow(loaded[r.customer_id], r.score, r.reasons)
        for r in chosen
        if r.customer_id in loaded
    ]
    return SearchResults(rows=rows, total=len(ranked), page=page, pages=pages, capped=found.capped)


def _identifier_lookups(user: StaffUser, q: ParsedQuery) -> list[tuple[str, object]]:
    lookups: list[tuple[str, object]] = []
    if q.case_ids:
        ids = [n for n in q.case_ids if 0 < n <= MAX_ID]
        if ids:
            lookups.append(
                ("case", select(Case.customer_id).where(Case.id.in_(ids), case_scope(user)))
            )
    if q.references:
        lookups.append(
            (
                "reference",
                select(ExternalReference.customer_id).where(
                    ExternalReference.reference_key.in_(q.references), reference_scope(user)
                ),
            )
        )
    if q.phones:
        lookups.append(
            (
                "phone",
                select(CustomerPhone.customer_id).where(CustomerPhone.number_key.in_(q.phones)),
            )
        )
    if q.emails:
        lookups.append(
            (
                "email",
                select(CustomerEmail.customer_id).where(CustomerEmail.address_key.in_(q.emails)),
            )
        )
    return lookups


def _slips(q: ParsedQuery) -> ColumnElement[bool] | None:
    keys = set().union(*(spelling_variants(t) for t in q.names[:2]))
    if not keys:
        return None
    if db.session.get_bind().dialect.name == "postgresql":
        # One array parameter rather than hundreds of scalars: less to send and to parse.
        return Customer.family_key == any_(bindparam("slips", sorted(keys), ARRAY(String)))
    return Customer.family_key.in_(sorted(keys))


def _name_tiers(q: ParsedQuery, slips: ColumnElement[bool] | None) -> list[ColumnElement[bool]]:
    """Surname lookups from most to least exact: equal, starts with, one slip away, sounds
    like."""
    tokens = [t for t in q.names if len(t) >= 2]
    if not tokens:
        return []
    tiers = [
        Customer.family_key.in_(tokens),
        or_(*(prefix_range(Customer.family_key, t) for t in tokens)),
    ]
    if slips is not None:
        tiers.append(slips)
    sounding = [t for t in tokens if len(t) >= 3]
    if sounding:
        soundexes = {normalise.soundex(t) for t in sounding}
        metaphones = {normalise.metaphone(t) for t in sounding} - {""}
        tiers.append(
            or_(Customer.family_soundex.in_(soundexes), Customer.family_metaphone.in_(metaphones))
        )
    return tiers


def _combinations(
    q: ParsedQuery, slips: ColumnElement[bool] | None = None
) -> list[tuple[list[ColumnElement[bool]], bool]]:
    """Conjunctions to look up, most specific first, as (conditions, fallback): a fallback
    runs only when the identifiers and the non-fallback lookups found nobody.

    Each one has at least one selective indexed condition: a surname key, a date of birth or a
    full postcode (a postcode area alone only when nothing else was typed)."""
    tiers = _name_tiers(q, slips)
    any_name = or_(*tiers) if tiers else None
    given = None
    if len(q.names) > 1:
        given = or_(*(prefix_range(Customer.given_key, c) for c in sorted({n[0] for n in q.names})))
    dob = Customer.date_of_birth.in_(q.dates) if q.dates else None
    full = area = None
    if q.postcodes:
        full = Customer.id.in_(
            select(CustomerAddress.customer_id).where(CustomerAddress.postcode_key.in_(q.postcodes))
        )
    if q.outward_codes:
        # NV1 as a key range also finds NV10 to NV19: ranking rewards only the exact area.
        # (A length test here makes PostgreSQL misjudge the rows and loop over the area.)
        area = Customer.id.in_(
            select(CustomerAddress.customer_id).where(
                or_(*(prefix_range(CustomerAddress.postcode_key, o) for o in q.outward_codes))
            )
        )
    places = [p for p in (full, area) if p is not None]
    place = or_(*places) if places else None
    narrowing = [c for c in (dob, place) if c is not None]

    combos: list[tuple[list[ColumnElement[bool]], bool]] = []
    if any_name is not None:
        if narrowing:
            if given is not None:
                combos.append(([any_name, given, *narrowing], False))
            combos.append(([any_name, *narrowing], False))
            if len(narrowing) == 2:
                combos += [([any_name, dob], False), ([any_name, place], False)]  # type: ignore[list-item]
        if given is not None:
            combos.append(([tiers[0], Customer.given_key.in_(q.names)], bool(narrowing)))
            combos += [([tier, given], bool(narrowing)) for tier in tiers]
        combos += [([tier], bool(narrowing)) for tier in tiers]
    if dob is not None and place is not None:
        combos.append(([dob, place], False))
    if dob is not None:
        combos.append(([dob], any_name is not None))
    if full is not None:
        combos.append(([full], any_name is not None or dob is not None))
    if area is not None and any_name is None and dob is None and full is None:
        combos.append(([area], False))
    return combos


RANK_COLUMNS = (
    Customer.id,
    Customer.given_key,
    Customer.family_key,
    Customer.family_soundex,
    Customer.family_metaphone,
    Customer.date_of_birth,
)


@dataclass
class _Found:
    rows: dict[int, Any] = field(default_factory=dict)  # id -> the RANK_COLUMNS row
    hits: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    capped: bool = False


def _candidates(user: StaffUser, q: ParsedQuery) -> _Found:
    """Up to CANDIDATE_CAP customers, each lookup reading the columns ranking needs."""
    found = _Found()
    scope = customer_scope(user)
    slips = _slips(q)

    def look_up(conditions: Sequence[ColumnElement[bool]], kind: str | None = None) -> None:
        # A merged record is found through its survivor (its details moved there).
        stmt = (
            select(*RANK_COLUMNS)
            .where(*conditions, scope, Customer.merged_into_id.is_(None))
            .limit(CANDIDATE_CAP)
        )
        if slips is not None and any(c is slips for c in conditions):
            # Walk the surname index in order: with a long IN list and a LIMIT, PostgreSQL
            # would otherwise expect to meet matches soon enough in a sequential scan.
            stmt = stmt.order_by(Customer.family_key)
        for row in db.session.execute(stmt):
            found.rows.setdefault(row.id, row)
            if kind:
                found.hits[row.id].add(kind)

    for kind, subquery in _identifier_lookups(user, q):
        look_up([Customer.id.in_(subquery)], kind)
    primary_found = bool(found.rows)
    for conditions, fallback in _combinations(q, slips):
        if len(found.rows) >= CANDIDATE_CAP:
            break
        if fallback and primary_found:
            continue
        look_up(conditions)
        primary_found = primary_found or (bool(found.rows) and not fallback)
    found.capped = len(found.rows) >= CANDIDATE_CAP
    found.rows = dict(list(found.rows.items())[:CANDIDATE_CAP])
    return found


def _rank_data(found: _Found, q: ParsedQuery) -> list[Candidate]:
    current: dict[int, set[str]] = defaultdict(set)
    previous: dict[int, set[str]] = defaultdict(set)
    none: frozenset[str] = frozenset()
    if found.rows and (q.postcodes or q.outward_codes):
        addresses = select(
            CustomerAddress.customer_id, CustomerAddress.postcode_key, CustomerAddress.valid_to
        ).where(CustomerAddress.customer_id.in_(list(found.rows)))
        for customer_id, key, valid_to in db.session.execute(addresses):
            (current if valid_to is None else previous)[customer_id].add(key)
    return [
        Candidate(
            customer_id=row.id,
            given_key=row.given_key,
            family_key=row.family_key,
            family_soundex=row.family_soundex,
            family_metaphone=row.family_metaphone,
            date_of_birth=row.date_of_birth,
            current_postcodes=frozenset(current[row.id]) if row.id in current else none,
            previous_postcodes=frozenset(previous[row.id]) if row.id in previous else none,
            hits=frozenset(found.hits[row.id]) if row.id in found.hits else none,
        )
        for row in found.rows.values()
    ]


def customers_for_list(ids: list[int]) -> dict[int, Customer]:
    if not ids:
        return {}
    stmt = (
        select(Customer)
        .where(Customer.id.in_(ids))
        .options(selectinload(Customer.addresses), selectinload(Customer.warnings))
    )
    return {c.id: c for c in db.session.scalars(stmt)}


# One customer -------------------------------------------------------------------------------


def visible_customer(user: StaffUser, customer_id: int, *, full: bool = False) -> Customer | None:
    if not 0 < customer_id <= MAX_ID:
        return None
    stmt = select(Customer).where(Customer.id == customer_id, customer_scope(user))
    if full:
        stmt = stmt.options(
            selectinload(Customer.phones),
            selectinload(Customer.emails),
            selectinload(Customer.addresses),
            selectinload(Customer.warnings),
        )
    return db.session.scalars(stmt).first()


@dataclass(frozen=True)
class CustomerRecord:
    customer: Customer
    cases: list[Case]
    case_count: int
    contacts: list[Contact] | None  # None: this user does not see contacts
    contact_count: int
    references: list[ExternalReference]


def customer_record(user: StaffUser, customer_id: int) -> CustomerRecord | None:
    """Everything on the record page in a fixed number of queries, however long the history."""
    customer = visible_customer(user, customer_id, full=True)
    if customer is None:
        return None
    case_filter = (Case.customer_id == customer.id, case_scope(user))
    cases = list(
        db.session.scalars(
            select(Case)
            .where(*case_filter)
            .order_by(Case.created_at.desc(), Case.id.desc())
            .limit(RECORD_CASES)
        )
    )
    case_count = len(cases)
    if case_count == RECORD_CASES:
        case_count = db.session.scalar(select(func.count(Case.id)).where(*case_filter)) or 0
    contacts = None
    contact_count = 0
    if sees_contacts(user):
        contacts = list(
            db.session.scalars(
                select(Contact)
                .where(Contact.customer_id == customer.id)
                .order_by(Contact.started_at.desc(), Contact.id.desc())
                .limit(RECORD_CONTACTS)
                .options(joinedload(Contact.adviser), selectinload(Contact.cases))
            )
        )
        contact_count = len(contacts)
        if contact_count == RECORD_CONTACTS:
            contact_count = (
                db.session.scalar(
                    select(func.count(Contact.id)).where(Contact.customer_id == customer.id)
                )
                or 0
            )
    references = list(
        db.session.scalars(
            select(ExternalReference)
            .where(ExternalReference.customer_id == customer.id, reference_scope(user))
            .order_by(ExternalReference.id)
        )
    )
    return CustomerRecord(customer, cases, case_count, contacts, contact_count, references)


# Possible duplicates ------------------------------------------------------------------------


@dataclass(frozen=True)
class PossibleDuplicate:
    customer: Customer
    reasons: tuple[str, ...]


def possible_duplicates(
    user: StaffUser,
    *,
    family_name: str,
    date_of_birth: date | None,
    phones: Sequence[str],
    email: str | None,
    postcode: str | None,
    limit: int = 10,
) -> list[PossibleDuplicate]:
    """Records that may be the same person; each lookup is one indexed equality."""

    def customers_with(column, values) -> ColumnElement[bool]:
        return Customer.id.in_(select(column.class_.customer_id).where(column.in_(values)))

    lookups: list[tuple[str, list[ColumnElement[bool]]]] = []
    born = Customer.date_of_birth == date_of_birth
    if date_of_birth is not None and (sx := normalise.soundex(family_name)):
        lookups.append(
            ("Similar surname and the same date of birth", [Customer.family_soundex == sx, born])
        )
    if keys := [normalise.phone_key(p) for p in phones if p]:
        lookups.append(("Same phone number", [customers_with(CustomerPhone.number_key, keys)]))
    if email:
        key = [normalise.email_key(email)]
        lookups.append(("Same email address", [customers_with(CustomerEmail.address_key, key)]))
    if date_of_birth is not None and postcode:
        key = [normalise.postcode_key(postcode)]
        where = customers_with(CustomerAddress.postcode_key, key)
        lookups.append(("Same date of birth and postcode", [born, where]))
    reasons: dict[int, list[str]] = {}
    for reason, conditions in lookups:
        stmt = (
            select(Customer.id)
            .where(*conditions, customer_scope(user), Customer.merged_into_id.is_(None))
            .limit(limit)
        )
        for customer_id in db.session.scalars(stmt):
            reasons.setdefault(customer_id, []).append(reason)
    ids = list(reasons)[:limit]
    loaded = customers_for_list(ids)
    return [PossibleDuplicate(loaded[i], tuple(reasons[i])) for i in ids if i in loaded]


def partners() -> list[Partner]:
    return list(db.session.scalars(select(Partner).order_by(Partner.name)))


def reference_taken(partner_id: int, system: str, reference: str) -> Customer | None:
    stmt = (
        select(Customer)
        .join(ExternalReference)
        .where(
            ExternalReference.partner_id == partner_id,
            ExternalReference.system == system,
            ExternalReference.reference_key == normalise.reference_key(reference),
        )
    )
    return db.session.scalars(stmt).first()
