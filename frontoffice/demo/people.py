"""Demo households: customers with names, dates of birth, addresses, phones, emails,
warning markers and the reference numbers partners know them by."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from frontoffice.customers import normalise
from frontoffice.customers.models import (
    Customer,
    CustomerAddress,
    CustomerEmail,
    CustomerPhone,
    ExternalReference,
    Language,
    PreferredChannel,
    WarningMarker,
)
from frontoffice.demo import names
from frontoffice.demo.catalogue import DISTRICT_CODES, Organisation
from frontoffice.extensions import db
from frontoffice.gazetteer.models import GazetteerAddress

WARNINGS = (
    (
        "Violence or aggression",
        "Threatened a member of staff at the one-stop shop. Do not visit alone; meet in a "
        "public building with a colleague present.",
    ),
    (
        "Verbal abuse",
        "Abusive to advisers on several calls. Give one warning, then end the call and log it.",
    ),
    (
        "Dangerous dog",
        "Large dog loose at the property. Phone ahead and ask for it to be secured before a visit.",
    ),
    (
        "Lone working",
        "Home visits in pairs only, agreed with the housing officer after an incident.",
    ),
)

ACCESSIBILITY = (
    "Uses a hearing aid: speak clearly and face them at the counter",
    "Large print letters (18 point)",
    "British Sign Language interpreter for appointments",
    "Prefers email: finds phone calls difficult",
    "Wheelchair user: use the ramp entrance at the civic centre",
    "Needs extra time; a daughter often helps on calls",
)


@dataclass
class Street:
    name: str
    town: names.Town
    postcode: str
    houses: int


@dataclass(frozen=True)
class Home:
    """A property someone lives at: from the demo gazetteer, or made up beyond it."""

    street: Street
    line_1: str
    line_2: str
    uprn: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class Places:
    """Homes from the demo gazetteer (so routing can place them), each given to one
    household; then made-up streets with postcodes, and the UPRNs handed out for them."""

    streets: list[Street]
    gazetteer: list[Home] = field(default_factory=list)
    uprns: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def build(cls, rng: random.Random) -> Places:
        streets: list[Street] = []
        for town in names.TOWNS:
            for outward in town.outward_codes:
                for street_name in rng.sample(names.STREET_NAMES, 5):
                    streets.append(
                        Street(street_name, town, names.postcode(rng, outward), rng.randint(8, 90))
                    )
        homes = _gazetteer_homes()
        rng.shuffle(homes)
        return cls(streets, homes)

    def home(self, rng: random.Random) -> Home:
        if self.gazetteer:
            return self.gazetteer.pop()
        return self.made_up(rng)

    def made_up(self, rng: random.Random) -> Home:
        street = rng.choice(self.streets)
        number = rng.randint(1, street.houses)
        roll = rng.random()
        if roll < 0.12:
            line_1, line_2 = f"Flat {rng.randint(1, 12)}", f"{number} {street.name}"
        elif roll < 0.18:
            line_1, line_2 = rng.choice(names.HOUSE_NAMES), street.name
        else:
            line_1, line_2 = f"{number} {street.name}", ""
        return Home(street, line_1, line_2, self._uprn(street.postcode, line_1, line_2))

    def _uprn(self, postcode: str, line_1: str, line_2: str) -> str:
        key = (postcode, f"{line_1}|{line_2}")
        if key not in self.uprns:
            self.uprns[key] = f"{100090000000 + len(self.uprns) * 7 + 3}"
        return self.uprns[key]


def _gazetteer_homes() -> list[Home]:
    """The demo gazetteer's dwellings (not its shops and pubs), in UPRN order."""
    partner_for = {code: partner for partner, code in DISTRICT_CODES.items()}
    homes = []
    rows = db.session.scalars(select(GazetteerAddress).order_by(GazetteerAddress.uprn))
    for row in rows:
        partner = partner_for.get(row.district_code)
        numbered = row.line_1[:1].isdigit() or row.line_1.startswith("Flat")
        if partner is None or not (numbered or not row.line_2[:1].isdigit()):
            continue
        street_line = row.line_2 if row.line_2 else row.line_1
        street_name = street_line.lstrip("0123456789 ") if street_line[:1].isdigit() else ""
        street_name = street_name or (row.line_2 or row.line_1)
        town = names.Town(row.town, partner, (row.postcode.split()[0],))
        street = Street(street_name, town, row.postcode, 40)
        homes.append(Home(street, row.line_1, row.line_2, row.uprn, row.latitude, row.longitude))
    return homes


@dataclass
class Household:
    members: list[Customer]
    district: str  # partner code of the district they live in
    home: Home

    @property
    def street(self) -> Street:
        return self.home.street


class PeopleMaker:
    def __init__(self, rng: random.Random, org: Organisation, now: datetime) -> None:
        self.rng = rng
        self.org = org
        self.now = now
        self.today = now.date()
        self.places = Places.build(rng)
        self.ctax_accounts = 0
        self.hb_claims = 0
        self.library_cards = 0

    # -- households ---------------------------------------------------------------------------

    def household(self, size: int) -> Household:
        rng = self.rng
        home = self.places.home(rng)
        moved_in = self.today - timedelta(days=rng.randint(60, 365 * 25))
        family = names.pick_family_name(rng)
        lead_sex = rng.choice("FM")
        lead_age = rng.randint(19, 92)
        landline = names.landline(rng) if rng.random() < 0.35 else None
        people = [self._person(family, lead_sex, lead_age)]
        if size >= 2:
            partner_family = family if rng.random() < 0.7 else names.pick_family_name(rng)
            partner_sex = ("M" if lead_sex == "F" else "F") if rng.random() < 0.9 else lead_sex
            partner_age = max(18, lead_age + rng.randint(-6, 6))
            people.append(self._person(partner_family, partner_sex, partner_age))
        for _ in range(size - len(people)):
            child_age = rng.randint(16, max(16, min(lead_age - 20, 34)))
            people.append(self._person(family, rng.choice("FM"), child_age))

        for index, customer in enumerate(people):
            self._address(customer, home, moved_in)
            if landline and index < 2:
                self._phone(customer, landline, "home")
            if rng.random() < 0.85:
                self._phone(customer, names.mobile(rng), "mobile")
            if rng.random() < 0.6:
                domain = rng.choice(names.EMAIL_DOMAINS)
                local = names.email_local_part(customer.given_name, customer.family_name, rng)
                address = f"{local}@{domain}"
                customer.emails.append(
                    CustomerEmail(address=address, address_key=normalise.email_key(address))
                )
            if rng.random() < 0.2:
                self._previous_address(customer, moved_in)
            if rng.random() < 0.12:
                self._library_card(customer)
        self._council_tax(people[0], home.street.town.district)
        if rng.random() < 0.09:
            self._housing_benefit(people[0])
        return Household(people, home.street.town.district, home)

    def _person(self, family: str, sex: str, age: int) -> Customer:
        rng = self.rng
        family = names.family_name_for(family, sex)
        given = names.pick_given_name(rng, sex, family)
        born = self.today - timedelta(days=age * 365 + rng.randint(0, 364))
        customer = Customer(
            title=self._title(sex, age),
            preferred_name="",
            date_of_birth=born,
            preferred_language=(
                Language.WELSH
                if given in names.WELSH_GIVEN and rng.random() < 0.4
                else Language.ENGLISH
            ),
            preferred_channel=rng.choices(
                list(PreferredChannel), weights=(50, 30, 12, 8) if age < 70 else (70, 5, 25, 0)
            )[0],
            accessibility_needs=rng.choice(ACCESSIBILITY) if rng.random() < 0.05 else "",
            created_at=self.now
            - timedelta(days=rng.randint(400, 3000), minutes=rng.randint(0, 1440)),
        )
        customer.updated_at = customer.created_at
        customer.set_names(given_name=given, family_name=family)
        if rng.random() < 0.06:
            customer.preferred_name = {"William": "Bill", "Margaret": "Peggy", "Robert": "Bob"}.get(
                given, given[:3] if len(given) > 5 else ""
            )
        return customer

    def _title(self, sex: str, age: int) -> str:
        roll = self.rng.random()
        if roll < 0.03:
            return "Dr"
        if roll < 0.05:
            return "Mx"
        if roll < 0.12:
            return ""
        if sex == "M":
            return "Mr"
        return self.rng.choice(("Mrs", "Ms", "Miss") if age >= 25 else ("Miss", "Ms"))

    def _address(
        self, customer: Customer, home: Home, valid_from: date, valid_to: date | None = None
    ) -> None:
        customer.addresses.append(
            CustomerAddress(
                uprn=home.uprn,
                line_1=home.line_1,
                line_2=home.line_2,
                town=home.street.town.name,
                postcode=home.street.postcode,
                postcode_key=normalise.postcode_key(home.street.postcode),
                valid_from=valid_from,
                valid_to=valid_to,
            )
        )

    def _previous_address(self, customer: Customer, moved_in: date) -> None:
        since = moved_in - timedelta(days=self.rng.randint(365, 365 * 8))
        self._address(customer, self.places.made_up(self.rng), since, moved_in - timedelta(days=1))

    def _phone(self, customer: Customer, e164: str, kind: str) -> None:
        customer.phones.append(
            CustomerPhone(number=e164, number_key=normalise.phone_key(e164), kind=kind)
        )

    # -- what partners call them ---------------------------------------------------------------

    def _reference(self, customer: Customer, partner: str, system: str, reference: str) -> None:
        customer.references.append(
            ExternalReference(
                partner_id=self.org.partners[partner].id,
                system=system,
                reference=reference,
                reference_key=normalise.reference_key(reference),
                verified=self.rng.random() < 0.8,
            )
        )

    def _council_tax(self, customer: Customer, district: str) -> None:
        self.ctax_accounts += 1
        prefix = {"NVDC": "41", "EMDC": "42", "SDDC": "43"}[district]
        self._reference(customer, "SRBP", "Council tax", f"{prefix}{self.ctax_accounts * 37:06d}")

    def _housing_benefit(self, customer: Customer) -> None:
        self.hb_claims += 1
        self._reference(customer, "SRBP", "Housing benefit", f"HB/{700000 + self.hb_claims * 13}")

    def _library_card(self, customer: Customer) -> None:
        self.library_cards += 1
        self._reference(customer, "SCC", "Library", f"2901{self.library_cards * 101:09d}")

    # -- the rarer things -----------------------------------------------------------------------

    def mark_deceased(self, customer: Customer) -> None:
        died = self.today - timedelta(days=self.rng.randint(3, 400))
        customer.date_of_death = died

    def add_warning(self, customer: Customer, created_by_id: int, *, may_have_ended: bool) -> None:
        category, reason = self.rng.choice(WARNINGS)
        created = self.now - timedelta(days=self.rng.randint(30, 700))
        review = self.today + timedelta(days=self.rng.randint(-45, 180))
        ended = None
        if may_have_ended and self.rng.random() < 0.15:
            ended = created + timedelta(days=self.rng.randint(10, 25))
        customer.warnings.append(
            WarningMarker(
                category=category,
                reason=reason,
                review_date=review,
                created_by_id=created_by_id,
                created_at=created,
                ended_at=ended,
            )
        )
