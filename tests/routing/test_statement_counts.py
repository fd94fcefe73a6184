"""The SQL that raising and routing costs, pinned: a statement more means someone added a
query per case, per partner or per service (an N+1) on the path every request and every life
event takes. If a change needs more on purpose, change the numbers here and say why."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import current_app
from sqlalchemy import func, select

from frontoffice.access.actor import Actor
from frontoffice.cases import operations as cases
from frontoffice.cases.models import Channel
from frontoffice.catalogue.models import Service
from frontoffice.customers.models import Customer
from frontoffice.dispatch.models import Dispatch
from frontoffice.extensions import db
from frontoffice.life_events import operations
from frontoffice.partner_webhooks.models import WebhookDelivery, WebhookSubscription
from tests.life_events import partnership
from tests.statements import counted

ACTOR = Actor(None, "test", "")
NOT_COUNTED = ("SAVEPOINT", "RELEASE", "ROLLBACK")

# Per database: SQLite writes each row of a batch with its own INSERT ... RETURNING, where
# PostgreSQL writes a batch of rows in one statement. SQLite reads the next case id once a
# batch (frontoffice.cases.ids), where PostgreSQL's sequence gives it.
RAISE_AND_ROUTE = {"sqlite": 12, "postgresql": 11}
# the same for 4 services or 12: nothing is read per service
DEATH_REPORT_SELECTS = {"sqlite": 9, "postgresql": 8}
DEATH_REPORT = {"sqlite": 45, "postgresql": 18}
# A resident's "Send request" post (tests/public/test_offered_services.py): the draft with its
# address and the set-up's stamp, the accepted request's INSERT (reserving the case id) and the
# draft's DELETE, on PostgreSQL in one statement. The service and its questions are kept per
# process (catalogue.offered); a transaction that has written set-up reads them, one statement
# more (tests/public/test_accepted_requests.py, inside a test's own transaction).
ACCEPT_POST = {"sqlite": 3, "postgresql": 2}
ACCEPT_POST_SET_UP_WRITTEN = {"sqlite": 4, "postgresql": 3}


@pytest.fixture
def p():
    urls = {code: "http://127.0.0.1:9/" for code in ("COUNTY", "NORTH", "REVS", "PENSIONS")}
    built = partnership.build(current_app.config["SECRET_KEY"], urls)
    db.session.add(
        WebhookSubscription(
            partner_id=built.partners["COUNTY"].id,
            url="https://county.example/hooks",
            events=["case.new", "case.changed"],
            secret="unused",
        )
    )
    ids = Ids(
        built.customer.id,
        {code: s.id for code, s in built.services.items()},
        {code: partner.id for code, partner in built.partners.items()},
    )
    db.session.commit()  # a request starts with nothing read yet
    db.session.expunge_all()
    return ids


@dataclass(frozen=True)
class Ids:
    customer: int
    services: dict[str, int]
    partners: dict[str, int]


def dialect() -> str:
    return db.session.get_bind().dialect.name


def test_raising_and_routing_a_case_runs_a_fixed_number_of_statements(p):
    customer = db.session.get(Customer, p.customer)
    service = db.session.get(Service, p.services["tuo-libraries"])
    with counted(not_counted=NOT_COUNTED) as statements:
        case = cases.raise_case(ACTOR, customer, service, Channel.PHONE, "Library card")
        db.session.flush()
    listing = "\n".join(statements)
    assert len(statements) == RAISE_AND_ROUTE[dialect()], listing
    # and it did the whole job: routed, dispatched, the subscribed partner told
    assert case.owning_partner_id == p.partners["COUNTY"]
    assert db.session.scalar(select(func.count()).where(Dispatch.case_id == case.id)) == 1
    assert db.session.scalar(select(func.count()).where(WebhookDelivery.case_id == case.id)) == 1


def _report(p, codes) -> list[str]:
    customer = db.session.get(Customer, p.customer)
    ids = tuple(p.services[c] for c in codes)
    with counted(not_counted=NOT_COUNTED) as statements:
        reported = operations.report(ACTOR, customer, partnership.death_report(ids))
        db.session.flush()
    assert len(reported.notifications) == len(codes)
    return statements


def _selects(statements: list[str]) -> list[str]:
    return [s for s in statements if s.upper().startswith("SELECT")]


def test_a_death_told_to_twelve_services_runs_a_fixed_number_of_statements(p):
    statements = _report(p, list(partnership.SERVICES))
    listing = "\n".join(statements)
    assert len(_selects(statements)) == DEATH_REPORT_SELECTS[dialect()], listing
    assert len(statements) == DEATH_REPORT[dialect()], listing
    assert db.session.scalar(select(func.count()).select_from(Dispatch)) == 12


def test_a_death_told_to_four_services_reads_no_less_than_twelve(p):
    """What is read does not grow with the services told: rules, adapters and partners are
    read once for all of them."""
    statements = _report(p, ["tuo-council-tax", "tuo-electoral", "tuo-libraries", "tuo-pensions"])
    assert len(_selects(statements)) == DEATH_REPORT_SELECTS[dialect()], "\n".join(statements)
