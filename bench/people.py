"""Synthetic people with known truth, for the matching benchmark and the matcher's tests.

Households share an address, a surname and often a landline; some have twins (same surname,
date of birth and home, different given names). Each person is recorded once, and some again
by another channel or partner, with what goes wrong in real records: nicknames, typos, a
given name cut to its initial, day and month swapped, one part of the date mistyped, a move
to a new address, a new double-barrelled surname, missing phones and emails.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import date, timedelta

from bench.synthetic import given_pool, surname_pool
from frontoffice.demo import names
from frontoffice.identity.comparisons import nickname_groups

ABBREVIATE = {"Road": "Rd", "Street": "St", "Avenue": "Ave", "Close": "Cl", "Lane": "Ln"}


@dataclass
class Home:
    line_1: str
    town: str
    postcode: str
    landline: str


@dataclass
class Truth:
    rows: list[dict[str, str]]
    person_of: dict[str, int]  # record id -> person number

    def pairs(self) -> set[tuple[str, str]]:
        by_person: dict[int, list[str]] = {}
        for record_id, person in self.person_of.items():
            by_person.setdefault(person, []).append(record_id)
        found = set()
        for ids in by_person.values():
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    found.add((min(a, b), max(a, b)))
        return found


class People:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.surnames, weights = surname_pool(self.rng)
        self.surname_weights = weights
        self.female, self.male = given_pool()
        self.nicknames = self._nickname_lines()
        self.postcodes = [
            f"{outward} {d}{a}{b}"
            for town in names.TOWNS
            for outward in town.outward_codes
            for d in "123456789"
            for a in "ABDEFGHJ"
            for b in "LNPQRSTU"
        ]
        self.towns = {o: t.name for t in names.TOWNS for o in t.outward_codes}
        self.phones: set[str] = set()

    def _nickname_lines(self) -> dict[str, list[str]]:
        lines: dict[int, list[str]] = {}
        for name, numbers in nickname_groups().items():
            for number in numbers:
                lines.setdefault(number, []).append(name)
        found: dict[str, list[str]] = {}
        for members in lines.values():
            for name in members:
                found.setdefault(name, []).extend(m for m in members if m != name)
        return found

    def home(self) -> Home:
        postcode = self.rng.choice(self.postcodes)
        street = self.rng.choice(names.STREET_NAMES)
        number = self.rng.randint(1, 180)
        line_1 = f"{number} {street}"
        if self.rng.random() < 0.1:
            line_1 = f"Flat {self.rng.randint(1, 12)}, {line_1}"
        return Home(line_1, self.towns[postcode.split()[0]], postcode, self._phone("01632"))

    def _phone(self, prefix: str) -> str:
        while True:
            number = prefix + "".join(self.rng.choices(string.digits, k=11 - len(prefix)))
            if number not in self.phones:
                self.phones.add(number)
                return number

    def household(self) -> list[dict[str, str]]:
        home = self.home()
        surname = self.rng.choices(self.surnames, self.surname_weights)[0]
        size = self.rng.choices((1, 2, 3, 4, 5), (30, 35, 15, 15, 5))[0]
        today = date(2026, 11, 1)
        adults = min(size, 2)
        people = []
        for k in range(adults):
            born = today - timedelta(days=self.rng.randint(18 * 365, 90 * 365))
            people.append(self._person(surname, born, home, female=k == 1))
        children = size - adults
        while children > 0:
            born = today - timedelta(days=self.rng.randint(0, 17 * 365))
            twins = 2 if children >= 2 and self.rng.random() < 0.25 else 1
            for _ in range(twins):
                people.append(self._person(surname, born, home, female=self.rng.random() < 0.5))
            children -= twins
        return people

    def _person(self, surname: str, born: date, home: Home, female: bool) -> dict[str, str]:
        given = self.rng.choice(self.female if female else self.male)
        return {
            "given_name": given,
            "family_name": surname,
            "date_of_birth": born.isoformat(),
            "address_line_1": home.line_1,
            "address_line_2": "",
            "town": home.town,
            "postcode": home.postcode,
            "phone": self._phone("07") if self.rng.random() < 0.7 else home.landline,
            "email": f"{given}.{surname}{self.rng.randint(1, 999)}@example.org".lower()
            if self.rng.random() < 0.6
            else "",
        }

    def variant(self, person: dict[str, str]) -> dict[str, str]:
        """The same person as another system recorded them."""
        rng = self.rng
        out = dict(person)
        given = out["given_name"]
        roll = rng.random()
        options = self.nicknames.get(given.lower(), [])
        if roll < 0.15 and options:
            out["given_name"] = rng.choice(options).capitalize()
        elif roll < 0.25:
            out["given_name"] = self.typo(given)
        elif roll < 0.28:
            out["given_name"] = given[0]
        if rng.random() < 0.08:
            out["family_name"] = self.typo(out["family_name"])
        elif rng.random() < 0.02:
            out["family_name"] = f"{out['family_name']}-{rng.choice(self.surnames[:200])}"
        out["date_of_birth"] = self.dob_variant(date.fromisoformat(person["date_of_birth"]))
        if rng.random() < 0.2:
            moved = self.home()
            out.update(address_line_1=moved.line_1, town=moved.town, postcode=moved.postcode)
        else:
            for long, short in ABBREVIATE.items():
                if rng.random() < 0.3:
                    out["address_line_1"] = out["address_line_1"].replace(long, short)
            if rng.random() < 0.2:
                out["postcode"] = out["postcode"].replace(" ", "").lower()
        if rng.random() < 0.35:
            out["phone"] = ""
        if rng.random() < 0.4:
            out["email"] = ""
        return out

    def dob_variant(self, born: date) -> str:
        roll = self.rng.random()
        if roll < 0.05 and born.day <= 12 and born.day != born.month:
            return date(born.year, born.day, born.month).isoformat()
        if roll < 0.09:
            return self._one_part(born).isoformat()
        if roll < 0.13:
            return ""
        return born.isoformat()

    def _one_part(self, born: date) -> date:
        part = self.rng.choice(("day", "month", "year"))
        try:
            if part == "day":
                return born.replace(day=self.rng.randint(1, 28))
            if part == "month":
                return born.replace(month=self.rng.randint(1, 12))
            return born.replace(year=born.year + self.rng.choice((-10, -1, 1, 10)))
        except ValueError:
            return born

    def typo(self, text: str) -> str:
        if len(text) < 3:
            return text
        i = self.rng.randrange(1, len(text) - 1)
        kind = self.rng.random()
        if kind < 0.33:
            return text[:i] + text[i + 1 :]
        if kind < 0.66:
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        return text[:i] + self.rng.choice(string.ascii_lowercase) + text[i + 1 :]


def generate(people: int, seed: int = 7, duplicate_rate: float = 0.5) -> Truth:
    """About `people` residents; a share of them recorded more than once."""
    maker = People(seed)
    rows: list[dict[str, str]] = []
    person_of: dict[str, int] = {}
    number = 0
    while number < people:
        for person in maker.household():
            copies = [person]
            while maker.rng.random() < duplicate_rate / (len(copies)):
                copies.append(maker.variant(person))
            for record in copies:
                record_id = f"R{len(rows) + 1:07d}"
                rows.append({"id": record_id, **record})
                person_of[record_id] = number
            number += 1
    order = list(range(len(rows)))
    maker.rng.shuffle(order)
    return Truth([rows[i] for i in order], person_of)


def train_default_model(path: str, people: int = 10000, seed: int = 2026) -> None:
    """Learn the model online matching ships with (frontoffice/identity/default_model.json)
    from synthetic people: m and u only, since a database's own surnames and size give the
    term frequencies and the prior at match time."""
    import json

    from frontoffice.identity.batch import person_from_row
    from frontoffice.identity.records import prepare
    from frontoffice.identity.training import train

    rows = generate(people, seed=seed).rows
    records = [prepare(person_from_row(r)) for r in rows]
    parameters = train(records, seed=seed).parameters()
    rounded = {
        **parameters,
        "m": [[round(v, 6) for v in row] for row in parameters["m"]],
        "u": [[round(v, 8) for v in row] for row in parameters["u"]],
    }
    with open(path, "w", encoding="utf-8") as out:
        json.dump(rounded, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    train_default_model("frontoffice/identity/default_model.json")
