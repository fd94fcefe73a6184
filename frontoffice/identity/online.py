"""Online matching: one incoming person against every customer, in a few queries.

Candidates come from the customer search's own indexed keys (date of birth either way round,
family-name sound, postcode, phone, email), at most PER_KEY from each. Each candidate is
scored with the shipped model (learnt by training.py on synthetic people with known
households; default_model.json) with two things taken from this database: the prior (one
resident among all customers) and how common the incoming surname is.

LINK_AT and above links to the best candidate, REVIEW_AT and above asks a person, else new.
"""

from __future__ import annotations

import enum
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from importlib import resources

from sqlalchemy import CompoundSelect, Select, bindparam, func, select, union_all
from sqlalchemy.orm import Session, aliased

from frontoffice.customers.models import Customer, CustomerAddress, CustomerEmail, CustomerPhone
from frontoffice.identity.comparisons import COMPARISONS, levels
from frontoffice.identity.model import UNSEEN, VETO_WEIGHT, Model, Score, probability
from frontoffice.identity.records import Name, Person, Prepared, prepare

LINK_AT = 0.95
REVIEW_AT = 0.5
PER_KEY = 50


class Decision(enum.StrEnum):
    LINK = "link"
    REVIEW = "review"
    NEW = "new"


@dataclass(frozen=True)
class Candidate:
    customer_id: int
    score: Score


@dataclass(frozen=True)
class Outcome:
    decision: Decision
    candidates: tuple[Candidate, ...]  # best first, those at REVIEW_AT or above

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@cache
def shipped_parameters() -> dict:
    text = resources.files("frontoffice.identity").joinpath("default_model.json").read_text()
    return json.loads(text)


def match(session: Session, person: Person) -> Outcome:
    incoming = prepare(person)
    kept = [c for c in _scored(session, incoming, None) if c.score.probability >= REVIEW_AT]
    kept.sort(key=lambda c: (-c.score.probability, c.customer_id))
    if not kept:
        return Outcome(Decision.NEW, ())
    sure = (
        kept[0].score.probability >= LINK_AT
        and (len(kept) == 1 or kept[1].score.probability < LINK_AT)
        and not _born_apart(kept[0])
    )
    return Outcome(Decision.LINK if sure else Decision.REVIEW, tuple(kept))


def _born_apart(candidate: Candidate) -> bool:
    """Dates of birth that plainly differ: a parent and child of one name at one address,
    which a small database's prior can still score as certain. Never linked unseen."""
    return any(
        item.field == "date_of_birth" and item.level == "different"
        for item in candidate.score.evidence
    )


def explain(session: Session, person: Person, customer_ids: Iterable[int]) -> list[Candidate]:
    """These customers scored against the person, each with its explanation, best first:
    for showing an adviser records that share a detail but may not be a possible match."""
    ids = set(customer_ids)
    if not ids:
        return []
    scored = _scored(session, prepare(person), ids, everyone=True)
    return sorted(scored, key=lambda c: (-c.score.probability, c.customer_id))


def _scored(
    session: Session, incoming: Prepared, ids: set[int] | None, everyone: bool = False
) -> list[Candidate]:
    """Each candidate's score; the full explanation is worked out only for those that could
    be kept (the weight alone decides the rest), unless everyone's is asked for."""
    records = _candidates(session, incoming, ids)
    if not records:
        return []
    model = _model(session, incoming)
    scored = []
    for customer_id, record in records:
        if not everyone and _vetoed(incoming, record.given_name):
            continue
        prepared = prepare(record.as_person(incoming))
        found = levels(incoming, prepared)
        # The margin: the weight adds the same terms in another order than score().
        if everyone or probability(model.weight(incoming, prepared, found)) >= REVIEW_AT - 1e-6:
            scored.append(Candidate(customer_id, model.score(incoming, prepared)))
    return scored


SameSurname = aliased(Customer)
GIVEN = COMPARISONS[0]
# A pair whose given names differ outright is capped below REVIEW_AT, so it needs no more work.
assert probability(VETO_WEIGHT) < REVIEW_AT and GIVEN.field == "given_name"


@dataclass(frozen=True)
class _GivenOnly:
    given: Name


def _vetoed(incoming: Prepared, given_name: str) -> bool:
    level = GIVEN.level_of(incoming, _GivenOnly(Name.of(given_name)))  # type: ignore[arg-type]
    return level == GIVEN.veto_level


def candidate_ids(session: Session, p: Prepared) -> set[int]:
    shape, values = _keys(p)
    if not any(shape):
        return set()
    return set(session.scalars(_candidate_query(shape), values))


def _keys(p: Prepared) -> tuple[tuple[bool, ...], dict[str, object]]:
    """Which blocking keys the record has (the shape of the query) and their values."""
    values: dict[str, object] = {}
    if p.dob is not None:
        values["dob"] = p.dob
        if p.dob.day <= 12 and p.dob.day != p.dob.month:
            values["dob_swapped"] = date(p.dob.year, p.dob.day, p.dob.month)
    if p.family.metaphone:
        values["metaphone"] = p.family.metaphone
        if initial := p.given.key[:1]:
            # The initial as a range, which the index can use (keys are a-z only).
            values["initial_from"], values["initial_to"] = initial, chr(ord(initial) + 1)
    if p.postcode:
        values["postcode"] = p.postcode
    if p.phone:
        values["phone"] = p.phone
    if p.email:
        values["email"] = p.email
    return tuple(name in values for name in KEYS), values


KEYS = ("dob", "dob_swapped", "metaphone", "initial_from", "postcode", "phone", "email")


@cache
def _candidate_query(shape: tuple[bool, ...]) -> CompoundSelect:
    """Each key's first PER_KEY customers, together; built once per shape, so a match only
    binds values (building the statement cost more than running it)."""
    has = dict(zip(KEYS, shape, strict=True))
    queries = []
    if has["dob"]:
        dates = [bindparam("dob")] + ([bindparam("dob_swapped")] if has["dob_swapped"] else [])
        queries.append(select(Customer.id).where(Customer.date_of_birth.in_(dates)))
    if has["metaphone"]:
        same = [Customer.family_metaphone == bindparam("metaphone")]
        if has["initial_from"]:
            same += [
                Customer.given_key >= bindparam("initial_from"),
                Customer.given_key < bindparam("initial_to"),
            ]
        queries.append(select(Customer.id).where(*same))
    if has["postcode"]:
        queries.append(
            select(CustomerAddress.customer_id).where(
                CustomerAddress.postcode_key == bindparam("postcode")
            )
        )
    if has["phone"]:
        queries.append(
            select(CustomerPhone.customer_id).where(CustomerPhone.number_key == bindparam("phone"))
        )
    if has["email"]:
        queries.append(
            select(CustomerEmail.customer_id).where(CustomerEmail.address_key == bindparam("email"))
        )
    return union_all(*(select(q.limit(PER_KEY).subquery().c[0]) for q in queries))


def _candidates(
    session: Session, incoming: Prepared, ids: set[int] | None
) -> list[tuple[int, _Loaded]]:
    """The candidates as plain rows, with their phones, emails and addresses joined, in one
    query and without building ORM objects (at a million customers, loading them in four
    queries was most of a match). Each list keeps the order the relationships give."""
    if ids is None:
        shape, values = _keys(incoming)
        if not any(shape):
            return []
        # How common the surname is, when not known, comes back in the same round trip.
        count = bool(incoming.family.key) and _surname_known(session, incoming.family.key) is None
        if count:
            values["family_key"] = incoming.family.key
        rows = session.execute(_loading(shape, count), values).all()
        if count:
            _surname_counted(session, incoming.family.key, rows[0][-1] if rows else None)
    else:
        rows = session.execute(_loading(None), {"ids": list(ids)}).all()
    people: dict[int, _Loaded] = {}
    for row in rows:
        (customer_id, given, family, born, phone_id, phone, email_id, email, address_id) = row[:9]
        loaded = people.get(customer_id)
        if loaded is None:
            loaded = people[customer_id] = _Loaded(customer_id, given, family, born, {}, {}, {})
        if phone_id is not None:
            loaded.phones.setdefault(phone_id, phone)
        if email_id is not None:
            loaded.emails.setdefault(email_id, email)
        if address_id is not None and address_id not in loaded.addresses:
            loaded.addresses[address_id] = _Address(*row[9:14])
    return [(loaded.id, loaded) for loaded in people.values()]


@cache
def _loading(shape: tuple[bool, ...] | None, count: bool = False) -> Select:
    """The candidates of a shape of keys (or the customers given as ids) with what they hold,
    and if asked how many customers have the incoming surname (the same on every row)."""
    if shape is None:
        where = Customer.id.in_(bindparam("ids", expanding=True))
    else:
        where = Customer.id.in_(_candidate_query(shape).scalar_subquery())
    same = select(func.count(SameSurname.id)).where(
        SameSurname.family_key == bindparam("family_key")
    )
    counted = [same.scalar_subquery()] if count else []
    return (
        select(
            Customer.id,
            Customer.given_name,
            Customer.family_name,
            Customer.date_of_birth,
            CustomerPhone.id,
            CustomerPhone.number,
            CustomerEmail.id,
            CustomerEmail.address,
            CustomerAddress.id,
            CustomerAddress.line_1,
            CustomerAddress.line_2,
            CustomerAddress.town,
            CustomerAddress.postcode,
            CustomerAddress.valid_to,
            *counted,
        )
        .select_from(Customer)
        .outerjoin(CustomerPhone, CustomerPhone.customer_id == Customer.id)
        .outerjoin(CustomerEmail, CustomerEmail.customer_id == Customer.id)
        .outerjoin(CustomerAddress, CustomerAddress.customer_id == Customer.id)
        .where(where, Customer.merged_into_id.is_(None))
        .order_by(
            Customer.id,
            CustomerPhone.id,
            CustomerEmail.id,
            CustomerAddress.valid_from.desc(),
            CustomerAddress.id,
        )
    )


@dataclass(frozen=True)
class _Address:
    line_1: str
    line_2: str
    town: str
    postcode: str
    valid_to: date | None


@dataclass
class _Loaded:
    id: int
    given_name: str
    family_name: str
    date_of_birth: date | None
    phones: dict[int, str]
    emails: dict[int, str]
    addresses: dict[int, _Address]

    def as_person(self, incoming: Prepared) -> Person:
        return _as_person(
            self,
            list(self.phones.values()),
            list(self.emails.values()),
            list(self.addresses.values()),
            incoming,
        )


def as_person(customer: Customer, incoming: Prepared) -> Person:
    """A loaded customer as one record (see _as_person)."""
    return _as_person(
        customer,
        [p.number for p in customer.phones],
        [e.address for e in customer.emails],
        customer.addresses,
        incoming,
    )


def _as_person(customer, phones: list[str], emails: list[str], addresses, incoming) -> Person:
    """The customer as one record: of several phones, emails or addresses, the one closest
    to the incoming record (the one it shares, else the current one)."""
    phone = _pick(phones, lambda v: v == incoming.phone)
    email = _pick(emails, lambda v: v.lower() == incoming.email)
    addresses = sorted(addresses, key=lambda a: a.valid_to is not None)
    address = _pick(addresses, lambda a: a.postcode.replace(" ", "").upper() == incoming.postcode)
    return Person(
        id=str(customer.id),
        given_name=customer.given_name,
        family_name=customer.family_name,
        date_of_birth=customer.date_of_birth,
        address_line_1=address.line_1 if address else "",
        address_line_2=address.line_2 if address else "",
        town=address.town if address else "",
        postcode=address.postcode if address else "",
        phone=phone or "",
        email=email or "",
    )


def _pick(values, shared):
    for value in values:
        if shared(value):
            return value
    return values[0] if values else None


_counted: dict[str, tuple[float, int]] = {}
_surnames: dict[tuple[str, str], tuple[float, int]] = {}
COUNT_FOR = 600.0  # seconds: the prior needs the size of the database, not its last row
SURNAMES_KEPT = 100_000


def forget() -> None:
    """Drop the cached counts (a test's database is not the last test's)."""
    _counted.clear()
    _surnames.clear()


def _customer_count(session: Session) -> int:
    """How many customers there are, counted at most every COUNT_FOR seconds per database
    (counting a million rows would cost more than the rest of a match)."""
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    counted = _counted.get(key)
    if counted is None or now - counted[0] > COUNT_FOR:
        counted = (now, session.scalar(select(func.count(Customer.id))) or 1)
        _counted[key] = counted
    return counted[1]


def _surname_known(session: Session, family_key: str) -> int | None:
    """How many customers have this surname, as counted at most COUNT_FOR seconds ago: how
    common a surname is changes slowly, and counting a Smith costs a scan of thousands."""
    counted = _surnames.get((str(session.get_bind().engine.url), family_key))
    if counted is None or time.monotonic() - counted[0] > COUNT_FOR:
        return None
    return counted[1]


def _surname_counted(session: Session, family_key: str, same: int | None) -> None:
    if same is None:
        return
    if len(_surnames) >= SURNAMES_KEPT:
        _surnames.clear()
    _surnames[(str(session.get_bind().engine.url), family_key)] = (time.monotonic(), same)


def _surname_count(session: Session, family_key: str) -> int:
    same = _surname_known(session, family_key)
    if same is None:
        same = session.scalar(
            select(func.count(Customer.id)).where(Customer.family_key == family_key)
        )
        _surname_counted(session, family_key, same or 0)
    return same or 0


@cache
def _shipped_model() -> Model:
    return Model.from_parameters(shipped_parameters())


def _model(session: Session, incoming: Prepared) -> Model:
    shipped = _shipped_model()
    total = _customer_count(session)
    # Each incoming person is at most one of the customers already here.
    frequencies = [{} for _ in shipped.comparisons]
    if incoming.family.key:
        same = _surname_count(session, incoming.family.key)
        frequencies[1] = {incoming.family.key: max(same, 1) / total, UNSEEN: 1 / total}
    return replace(shipped, prior=min(0.5, 1 / total), frequencies=frequencies)
