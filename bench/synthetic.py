"""Synthetic customers for the search benchmark, generated in chunks and written in bulk.

Rows are plain tuples with explicit ids (so children can point at parents without a round
trip), written with COPY on PostgreSQL and Core executemany on SQLite. Columns this file does
not fill get the model's default, so other engineers can add columns without breaking it.

Names: a third of people carry one of the demo's common surnames (weighted, so Smith is about
1 in 70), the rest one of ~40,000 invented surnames with a long tail, as in a real population
(a million people carry ~30,000 different surnames, so planner statistics look realistic).
Phones are synthetic and near-unique (the Ofcom drama ranges hold only 1,000 numbers each,
which would make every phone search match a thousand people at this size).
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from frontoffice.cases.status import ALLOWED_TRANSITIONS, CaseStatus
from frontoffice.customers import normalise
from frontoffice.demo import names
from frontoffice.demo.services import SERVICES
from frontoffice.working_days import add_working_days


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


HEAVY_CASES = 50
HEAVY_CONTACTS = 200

PREFIXES = _words(
    "Ash Brad Black Bur Cal Cro Dun Ed Fair Gold Hal Hart Hol Kent Lang Mar Mid New Nor Ox Pen "
    "Rad Ren Shel Stan Thorn Wad Wal Wes Whit Wood Ather Bel Brom Carl Chad Dar Elm Fen Gar "
    "Har Hep Ing Kel Lid Lock Mor Net Orm Pid Quen Rom Sal Sed Tad Thur Ul Ver Win Yar"
)
SUFFIXES = _words(
    "ton ley by ford worth field ham well wood stone bury dale shaw thorpe hurst combe wick "
    "more land cott brook den gate hill low mere ridge stead wardine ing"
)
JOINS = ("", "er", "ing", "en", "s", "el", "an", "ow")
ENDINGS = ("", "e", "s")
STATUSES = tuple(CaseStatus)
STATUS_CUM = tuple(itertools.accumulate((8, 12, 5, 6, 7, 52, 10)))
CHANNELS = ("phone", "web", "walk_in", "email", "letter")
CHANNEL_CUM = tuple(itertools.accumulate((45, 30, 10, 10, 5)))
COUNTS = (0, 1, 2, 3)
CASE_COUNT_CUM = tuple(itertools.accumulate((45, 35, 14, 6)))
CONTACT_COUNT_CUM = tuple(itertools.accumulate((40, 35, 17, 8)))
HOUSEHOLD_SIZES = (1, 2, 3, 4)
HOUSEHOLD_CUM = tuple(itertools.accumulate((34, 38, 16, 12)))
TITLES = ("Mr", "Mrs", "Ms", "Miss", "")


@dataclass(frozen=True)
class NameKeys:
    name: str
    key: str
    soundex: str
    metaphone: str


@cache
def keys(name: str) -> NameKeys:
    return NameKeys(
        name, normalise.name_key(name), normalise.soundex(name), normalise.metaphone(name)
    )


def surname_pool(rng: random.Random) -> tuple[list[str], list[float]]:
    common = [n for n, _ in names.FAMILY_NAMES]
    common_weights = [float(w) for _, w in names.FAMILY_NAMES]
    invented = sorted(
        {p + j + s + e for p in PREFIXES for j in JOINS for s in SUFFIXES for e in ENDINGS}
    )
    taken = set(common)
    invented = [n for n in invented if n not in taken]
    rng.shuffle(invented)
    # Zipf-like tail: the i-th invented name is 1/(i+100) as likely, so the commonest invented
    # name is about as common as Gray, and a million people carry ~30,000 different surnames.
    tail = [1.0 / (i + 100) for i in range(len(invented))]
    scale_common = 0.33 / sum(common_weights)
    scale_tail = 0.67 / sum(tail)
    return (
        common + invented,
        [w * scale_common for w in common_weights] + [w * scale_tail for w in tail],
    )


def given_pool() -> tuple[list[str], list[str]]:
    female: list[str] = []
    male: list[str] = []
    for origin, (f, m) in names.GIVEN_NAMES.items():
        repeat = 6 if origin == "british" else 1
        female += list(f) * repeat
        male += list(m) * repeat
    return female, male


@dataclass
class Org:
    """Ids from the partnership the benchmark built with the demo catalogue."""

    services: list[tuple[int, int, int]]  # (service id, owning partner id, SLA working days)
    partner_ids: dict[str, int]  # by partner code
    adviser_ids: list[int]


@dataclass
class Chunk:
    rows: dict[str, list[tuple]] = field(default_factory=lambda: {t: [] for t in COLUMNS})


# The columns each generated row fills, in order; parents before children.
COLUMNS: dict[str, tuple[str, ...]] = {
    "customer": _words(
        "id title given_name family_name preferred_name date_of_birth preferred_language "
        "preferred_channel accessibility_needs date_of_death created_at updated_at given_key "
        "family_key family_soundex family_metaphone"
    ),
    "customer_address": _words(
        "id customer_id uprn line_1 line_2 town postcode postcode_key valid_from valid_to"
    ),
    "customer_phone": _words("id customer_id number number_key kind"),
    "customer_email": _words("id customer_id address address_key"),
    "external_reference": _words(
        "id customer_id partner_id system reference reference_key verified"
    ),
    "case": _words(
        "id customer_id service_id status priority owning_partner_id created_by_id channel "
        "summary answers due_date created_at updated_at closed_at district_code"
    ),
    "case_event": _words("id case_id kind at actor_id from_status to_status note details"),
    "contact": _words(
        "id customer_id channel location direction adviser_id started_at ended_at reason "
        "outcome resolved_first_contact"
    ),
    "contact_case": ("contact_id", "case_id"),
}


class Generator:
    """Deterministic for a seed; yields chunks of rows for `customers` customers."""

    def __init__(self, *, seed: int, org: Org, now: datetime, customers: int, heavy: int):
        self.rng = random.Random(seed)
        self.org = org
        self.now = now
        self.today = now.date()
        self.customers = customers
        self.heavy_every = max(1, customers // max(heavy, 1)) if heavy else 0
        self.heavy_left = heavy
        self.surnames, self.surname_weights = surname_pool(self.rng)
        self.cum_surname = tuple(itertools.accumulate(self.surname_weights))
        self.dice = Dice(self.rng)
        self.female, self.male = given_pool()
        self.postcodes = self._postcodes()
        self.ids = {table: itertools.count(1) for table in COLUMNS if table != "contact_case"}
        self.uprn = itertools.count(200000000001)
        self.summaries = {i: spec.summaries for i, spec in enumerate(SERVICES)}

    def _postcodes(self) -> list[tuple[str, str, str, str]]:
        """(postcode, street, town, district partner code), about 1,500 per outward code."""
        found = []
        for town in names.TOWNS:
            for outward in town.outward_codes:
                inwards = {
                    f"{d}{a}{b}"
                    for d in range(10)
                    for a in names.INWARD_LETTERS
                    for b in names.INWARD_LETTERS
                }
                for inward in self.rng.sample(sorted(inwards), 1500):
                    street = self.rng.choice(names.STREET_NAMES)
                    found.append((f"{outward} {inward}", street, town.name, town.district))
        return found

    def _surname(self) -> str:
        return self.dice.weighted(self.surnames, self.cum_surname)

    def chunks(self, size: int = 20000) -> Iterator[Chunk]:
        made = 0
        chunk = Chunk()
        in_chunk = 0
        while made < self.customers:
            household = min(
                self.dice.weighted(HOUSEHOLD_SIZES, HOUSEHOLD_CUM), self.customers - made
            )
            self._household(chunk, household)
            made += household
            in_chunk += household
            if in_chunk >= size:
                yield chunk
                chunk = Chunk()
                in_chunk = 0
        if in_chunk:
            yield chunk

    def _household(self, chunk: Chunk, size: int) -> None:
        d = self.dice
        rows = chunk.rows
        ids = self.ids
        postcode, street, town, district = d.pick(self.postcodes)
        postcode_key = postcode.replace(" ", "")
        line_1 = f"{d.int(1, 160)} {street}"
        uprn = str(next(self.uprn))
        moved_in = self.today - timedelta(days=d.int(30, 9000))
        family = self._surname()
        landline = f"+441{d.int(100000000, 999999999)}" if d.random() < 0.3 else None
        for index in range(size):
            sex = d.pick("FM")
            surname = family if index == 0 or d.random() < 0.75 else self._surname()
            surname = names.family_name_for(surname, sex)
            given = d.pick(self.female if sex == "F" else self.male)
            customer_id = next(ids["customer"])
            age = d.int(18, 90) if index < 2 else d.int(16, 30)
            created = self.now - timedelta(days=d.int(200, 3000))
            g, f = keys(given), keys(surname)
            rows["customer"].append(
                (
                    customer_id, d.pick(TITLES), given, surname, "",
                    self.today - timedelta(days=age * 365 + d.int(0, 364)), "en", "phone",
                    "", None, created, created, g.key, f.key, f.soundex, f.metaphone,
                )
            )  # fmt: skip
            rows["customer_address"].append(
                (
                    next(ids["customer_address"]), customer_id, uprn, line_1, "", town, postcode,
                    postcode_key, moved_in, None,
                )
            )  # fmt: skip
            if d.random() < 0.15:
                old_postcode, old_street, old_town, _ = d.pick(self.postcodes)
                rows["customer_address"].append(
                    (
                        next(ids["customer_address"]), customer_id, str(next(self.uprn)),
                        f"{d.int(1, 160)} {old_street}", "", old_town, old_postcode,
                        old_postcode.replace(" ", ""), moved_in - timedelta(days=2000),
                        moved_in - timedelta(days=1),
                    )
                )  # fmt: skip
            if landline and index < 2:
                rows["customer_phone"].append(
                    (next(ids["customer_phone"]), customer_id, landline, landline, "landline")
                )
            if d.random() < 0.85:
                mobile = f"+447{d.int(100000000, 999999999)}"
                rows["customer_phone"].append(
                    (next(ids["customer_phone"]), customer_id, mobile, mobile, "mobile")
                )
            if d.random() < 0.5:
                email = f"{g.key}.{f.key}{customer_id}@example.org"
                rows["customer_email"].append(
                    (next(ids["customer_email"]), customer_id, email, email)
                )
            if index == 0:
                ctax = f"4{customer_id:08d}"
                rows["external_reference"].append(
                    (next(ids["external_reference"]), customer_id, self.org.partner_ids["SRBP"],
                     "Council tax", ctax, ctax, True)
                )  # fmt: skip
            heavy = self.heavy_left > 0 and self.heavy_every and customer_id % self.heavy_every == 0
            if heavy:
                self.heavy_left -= 1
                self._casework(chunk, customer_id, district, HEAVY_CASES, HEAVY_CONTACTS, created)
            else:
                cases = d.weighted(COUNTS, CASE_COUNT_CUM)
                contacts = d.weighted(COUNTS, CONTACT_COUNT_CUM)
                self._casework(chunk, customer_id, district, cases, contacts, created)

    def _casework(
        self, chunk: Chunk, customer_id: int, district: str, cases: int, contacts: int, since
    ) -> None:
        d = self.dice
        rows = chunk.rows
        ids = self.ids
        now = self.now
        advisers = self.org.adviser_ids
        case_ids = []
        for _ in range(cases):
            case_id = next(ids["case"])
            case_ids.append(case_id)
            index = d.int(0, len(self.org.services) - 1)
            service_id, owner_id, sla = self.org.services[index]
            if SERVICES[index].district_tier:
                owner_id = self.org.partner_ids[district]
            status = d.weighted(STATUSES, STATUS_CUM)
            created = max(now - timedelta(minutes=d.int(0, 700 * 1440)), since)
            changed = min(created + timedelta(days=d.int(0, 20)), now)
            rows["case"].append(
                (
                    case_id, customer_id, service_id, status.value, "normal", owner_id,
                    d.pick(advisers), d.weighted(CHANNELS, CHANNEL_CUM),
                    d.pick(self.summaries[index]), {}, _due(created.date(), sla), created,
                    changed, changed if status.stops_the_clock else None, None,
                )
            )  # fmt: skip
            rows["case_event"].append(
                (next(ids["case_event"]), case_id, "created", created, None, None, "new", "", {})
            )
            current = "new"
            for step in _path(status):
                rows["case_event"].append(
                    (next(ids["case_event"]), case_id, "status_changed", changed, None, current,
                     step.value, "", {})
                )  # fmt: skip
                current = step.value
        for n in range(contacts):
            contact_id = next(ids["contact"])
            started = max(now - timedelta(minutes=d.int(0, 700 * 1440)), since)
            channel = d.weighted(CHANNELS, CHANNEL_CUM)
            rows["contact"].append(
                (
                    contact_id, customer_id, channel,
                    "Contact centre" if channel == "phone" else "", "inbound", d.pick(advisers),
                    started, None, "Enquiry", "Answered", n >= len(case_ids),
                )
            )  # fmt: skip
            if n < len(case_ids):
                rows["contact_case"].append((contact_id, case_ids[n]))


class Dice:
    """random.Random's few calls we need, cheaper: a million customers is ~30M draws."""

    def __init__(self, rng: random.Random) -> None:
        self.random = rng.random

    def int(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def pick(self, items):
        return items[int(self.random() * len(items))]

    def weighted(self, items, cumulative: tuple[float, ...]):
        return items[bisect.bisect(cumulative, self.random() * cumulative[-1])]


@cache
def _due(day: date, sla: int) -> date:
    return add_working_days(day, sla)


@cache
def _path(status: CaseStatus) -> tuple[CaseStatus, ...]:
    """The shortest run of allowed changes from NEW to `status`."""
    frontier: list[tuple[CaseStatus, ...]] = [()]
    while frontier:
        path = frontier.pop(0)
        last = path[-1] if path else CaseStatus.NEW
        if last is status:
            return path
        frontier += [(*path, s) for s in sorted(ALLOWED_TRANSITIONS[last]) if s not in path]
    raise ValueError(status)
