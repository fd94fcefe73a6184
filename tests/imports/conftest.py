"""Running `flask link EXTRACT.csv --into-customers PARTNER SYSTEM` through the real CLI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from click.testing import Result

from frontoffice.customers import normalise
from frontoffice.extensions import db
from tests import factories

HEADER = "id,given_name,family_name,date_of_birth,address_line_1,town,postcode,phone,email"


@dataclass
class Imported:
    result: Result

    @property
    def out(self) -> str:
        return self.result.stdout

    @property
    def err(self) -> str:
        return self.result.stderr


def text(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def partner():
    return factories.PartnerFactory(code="NVD", name="Northvale District Council")


@pytest.fixture
def run_import(app, tmp_path, partner):
    counter = iter(range(1000))

    def run(content: bytes, *args: str, system: str = "Council tax", new_system: bool = True):
        path = tmp_path / f"extract{next(counter)}.csv"
        path.write_bytes(content)
        extra = ["--new-system"] if new_system else []
        result = app.test_cli_runner().invoke(
            args=["link", str(path), "--into-customers", "NVD", system, *extra, *args]
        )
        db.session.expire_all()
        return Imported(result)

    return run


def customer(given, family, born, *, line_1="", postcode="", phone="", email=""):
    """A customer as an adviser would have made them."""
    made = factories.CustomerFactory(given_name=given, family_name=family, date_of_birth=born)
    if phone:
        factories.CustomerPhoneFactory(
            customer=made, number=phone, number_key=normalise.phone_key(phone)
        )
    if email:
        factories.CustomerEmailFactory(
            customer=made, address=email, address_key=normalise.email_key(email)
        )
    if postcode:
        factories.CustomerAddressFactory(
            customer=made,
            line_1=line_1,
            postcode=postcode,
            postcode_key=normalise.postcode_key(postcode),
            valid_from=dt.date(2020, 1, 1),
            valid_to=None,
        )
    db.session.flush()
    return made
