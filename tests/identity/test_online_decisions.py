"""Online matching decides the same on a fixed data set, whatever is done to make it faster.

The expected decisions (online_decisions.json) were recorded with the matcher as it was
before its loading and scoring were optimised for a million customers. To record them again
after a deliberate change to the model or the rules:
FRONTOFFICE_RECORD_DECISIONS=1 .venv/bin/pytest tests/identity/test_online_decisions.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bench.people import generate
from frontoffice.customers import normalise
from frontoffice.customers.models import Customer, CustomerAddress, CustomerEmail, CustomerPhone
from frontoffice.extensions import db
from frontoffice.identity import online
from frontoffice.identity.batch import person_from_row

EXPECTED = Path(__file__).with_name("online_decisions.json")


@pytest.fixture(autouse=True)
def _count_afresh():
    online.forget()


def _load(rows: list[dict[str, str]]) -> dict[int, str]:
    """Each row as a customer; customer id -> row id."""
    customers = []
    for row in rows:
        customer = Customer(date_of_birth=person_from_row(row).date_of_birth)
        customer.set_names(given_name=row["given_name"], family_name=row["family_name"])
        if row["phone"]:
            number = normalise.normalise_phone(row["phone"]) or row["phone"]
            customer.phones = [CustomerPhone(number=number, number_key=normalise.phone_key(number))]
        if row["email"]:
            customer.emails = [
                CustomerEmail(address=row["email"], address_key=normalise.email_key(row["email"]))
            ]
        customer.addresses = [
            CustomerAddress(
                line_1=row["address_line_1"],
                line_2=row["address_line_2"],
                town=row["town"],
                postcode=row["postcode"],
                postcode_key=normalise.postcode_key(row["postcode"]),
            )
        ]
        customers.append(customer)
    db.session.add_all(customers)
    db.session.flush()
    return {c.id: row["id"] for c, row in zip(customers, rows, strict=True)}


def _decisions() -> list[list]:
    truth = generate(400, seed=21)
    first: dict[int, str] = {}
    for row in truth.rows:
        first.setdefault(truth.person_of[row["id"]], row["id"])
    # Every fifth person is not a customer yet: their records arrive as strangers (or as a
    # member of a household that is).
    absent = {person for person in first if person % 5 == 0}
    loaded = [
        r
        for r in truth.rows
        if first[truth.person_of[r["id"]]] == r["id"] and truth.person_of[r["id"]] not in absent
    ]
    row_of = _load(loaded)
    incoming = [r for r in truth.rows if r not in loaded]
    found = []
    for row in incoming:
        outcome = online.match(db.session, person_from_row(row))
        found.append(
            [
                row["id"],
                outcome.decision.value,
                [
                    [row_of[c.customer_id], round(c.score.probability, 4)]
                    for c in outcome.candidates
                ],
            ]
        )
    return found


def test_the_decisions_on_a_fixed_data_set_do_not_change():
    found = _decisions()
    if os.environ.get("FRONTOFFICE_RECORD_DECISIONS"):
        EXPECTED.write_text(json.dumps(found, indent=0) + "\n")
    expected = json.loads(EXPECTED.read_text())
    kinds = {decision for _, decision, _ in expected}
    assert kinds == {"link", "review", "new"}, "the data set should exercise every decision"
    assert found == expected
