"""factory_boy factories for test data, writing through the test's session."""

from __future__ import annotations

import datetime as dt
from functools import cache

import factory
from factory.alchemy import SQLAlchemyModelFactory

from frontoffice import models as m
from frontoffice.accounts.passwords import hash_password
from frontoffice.extensions import db

TEST_PASSWORD = "correct horse battery staple"


@cache
def _test_password_hash() -> str:
    return hash_password(TEST_PASSWORD)


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class PartnerFactory(BaseFactory):
    class Meta:
        model = m.Partner

    code = factory.Sequence(lambda n: f"P{n:03d}")
    name = factory.Sequence(lambda n: f"Partner Council {n}")
    kind = m.PartnerKind.DISTRICT


class StaffUserFactory(BaseFactory):
    class Meta:
        model = m.StaffUser

    email = factory.Sequence(lambda n: f"staff{n}@example.org")
    name = factory.Sequence(lambda n: f"Staff Member {n}")
    partner = factory.SubFactory(PartnerFactory)
    role = m.Role.ADVISER
    team = "Contact centre"
    password_hash = factory.LazyFunction(_test_password_hash)
    active = True
    failed_sign_ins = 0


class CustomerFactory(BaseFactory):
    class Meta:
        model = m.Customer

    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    title = ""
    preferred_name = ""
    date_of_birth = dt.date(1970, 1, 1)
    accessibility_needs = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        given, family = kwargs.pop("given_name"), kwargs.pop("family_name")
        customer = model_class(*args, **kwargs)
        customer.set_names(given_name=given, family_name=family)
        session = cls._meta.sqlalchemy_session_factory()
        session.add(customer)
        session.flush()
        return customer


class ServiceFactory(BaseFactory):
    class Meta:
        model = m.Service

    code = factory.Sequence(lambda n: f"service-{n}")
    name = factory.Sequence(lambda n: f"Service {n}")
    group = "Waste and recycling"
    description = ""
    owning_partner = factory.SubFactory(PartnerFactory)
    sla_working_days = 10
    active = True
