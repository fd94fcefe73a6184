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


# --- cases and contacts (appended by the cases/contacts package) ---

from frontoffice.cases.models import CaseEventKind, Channel, Priority  # noqa: E402
from frontoffice.cases.status import CaseStatus  # noqa: E402
from frontoffice.contacts.models import Direction  # noqa: E402


class CaseFactory(BaseFactory):
    class Meta:
        model = m.Case

    customer = factory.SubFactory(CustomerFactory)
    service = factory.SubFactory(ServiceFactory)
    owning_partner = factory.SelfAttribute("service.owning_partner")
    status = CaseStatus.NEW
    priority = Priority.NORMAL
    channel = Channel.PHONE
    summary = factory.Sequence(lambda n: f"Request number {n}")
    answers = factory.LazyFunction(dict)
    due_date = None


class CaseEventFactory(BaseFactory):
    class Meta:
        model = m.CaseEvent

    case = factory.SubFactory(CaseFactory)
    kind = CaseEventKind.NOTE
    note = "A note"
    details = factory.LazyFunction(dict)


class ContactFactory(BaseFactory):
    class Meta:
        model = m.Contact

    customer = factory.SubFactory(CustomerFactory)
    channel = Channel.PHONE
    direction = Direction.INBOUND
    location = ""
    reason = "Asked about a bin collection"
    outcome = ""
    resolved_first_contact = False


# --- customer details (appended by the customers package) ---

from frontoffice.customers import normalise as _normalise  # noqa: E402


class CustomerPhoneFactory(BaseFactory):
    class Meta:
        model = m.CustomerPhone

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"+447700{900000 + n % 1000:06d}")
    number_key = factory.LazyAttribute(lambda o: _normalise.phone_key(o.number))
    kind = "mobile"


class CustomerEmailFactory(BaseFactory):
    class Meta:
        model = m.CustomerEmail

    customer = factory.SubFactory(CustomerFactory)
    address = factory.Sequence(lambda n: f"resident{n}@example.org")
    address_key = factory.LazyAttribute(lambda o: _normalise.email_key(o.address))


class CustomerAddressFactory(BaseFactory):
    class Meta:
        model = m.CustomerAddress

    customer = factory.SubFactory(CustomerFactory)
    line_1 = factory.Sequence(lambda n: f"{n + 1} High Street")
    line_2 = ""
    town = "Newtown"
    postcode = "NV1 2AB"
    postcode_key = factory.LazyAttribute(lambda o: _normalise.postcode_key(o.postcode))
    uprn = None
    valid_from = dt.date(2015, 1, 1)
    valid_to = None


class WarningMarkerFactory(BaseFactory):
    class Meta:
        model = m.WarningMarker

    customer = factory.SubFactory(CustomerFactory)
    category = "Verbal abuse"
    reason = "Shouted at staff at the one-stop shop"
    review_date = dt.date(2099, 1, 1)
    ended_at = None


class ExternalReferenceFactory(BaseFactory):
    class Meta:
        model = m.ExternalReference

    customer = factory.SubFactory(CustomerFactory)
    partner = factory.SubFactory(PartnerFactory)
    system = "Council tax"
    reference = factory.Sequence(lambda n: f"CT{n:08d}")
    reference_key = factory.LazyAttribute(lambda o: _normalise.reference_key(o.reference))
    verified = False
