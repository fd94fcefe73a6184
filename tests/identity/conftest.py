"""A model trained once, on synthetic people, for the matcher's tests."""

from __future__ import annotations

import pytest

from bench.people import generate
from frontoffice.identity.batch import _date
from frontoffice.identity.records import Person, Prepared, prepare
from frontoffice.identity.training import train


def prepared_rows(rows: list[dict[str, str]]) -> list[Prepared]:
    return [
        prepare(Person(**{**row, "date_of_birth": _date(row["date_of_birth"])})) for row in rows
    ]


@pytest.fixture(scope="session")
def synthetic():
    return generate(1500, seed=11)


@pytest.fixture(scope="session")
def model(synthetic):
    return train(prepared_rows(synthetic.rows), seed=3)
