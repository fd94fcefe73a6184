"""A model trained once, on synthetic people, for the matcher's tests."""

from __future__ import annotations

import pytest

from bench.people import generate
from frontoffice.identity.batch import person_from_row
from frontoffice.identity.records import Prepared, prepare
from frontoffice.identity.training import train


def prepared_rows(rows: list[dict[str, str]]) -> list[Prepared]:
    return [prepare(person_from_row(row)) for row in rows]


@pytest.fixture(scope="session")
def synthetic():
    return generate(1500, seed=11)


@pytest.fixture(scope="session")
def model(synthetic):
    return train(prepared_rows(synthetic.rows), seed=3)
