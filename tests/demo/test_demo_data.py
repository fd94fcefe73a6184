from collections import Counter
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from frontoffice import clock
from frontoffice.accounts.models import Role
from frontoffice.accounts.operations import authenticate
from frontoffice.cases.models import Case, CaseEventKind
from frontoffice.cases.status import CaseStatus, check_transition
from frontoffice.catalogue.answers import validate_answers
from frontoffice.contacts.models import Contact
from frontoffice.customers import normalise
from frontoffice.customers.models import Customer, CustomerAddress, CustomerEmail, CustomerPhone
from frontoffice.demo import data
from frontoffice.demo.catalogue import DEMO_PASSWORD, DISTRICT_CODES, SIGN_IN_EMAILS
from frontoffice.dispatch.models import Dispatch
from frontoffice.dispatch.queries import Reach, reach_by_case
from frontoffice.extensions import db
from frontoffice.gazetteer import queries as gazetteer
from frontoffice.partners.models import Partner
from frontoffice.routing import operations as routing
from frontoffice.routing.resolve import resolve
from frontoffice.working_days import add_working_days

FROZEN = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def built(frozen):
    return data.build(customers=80, seed=11)


def test_builds_every_status_with_a_consistent_timeline(built):
    cases = db.session.scalars(select(Case).options(selectinload(Case.events))).all()
    assert {case.status for case in cases} == set(CaseStatus)
    assert any(case.is_overdue for case in cases)
    for case in cases:
        events = case.events
        assert events[0].kind is CaseEventKind.CREATED and events[0].at == case.created_at
        assert [e.at for e in events] == sorted(e.at for e in events), case.reference
        assert events[-1].at <= clock.now()
        status = CaseStatus.NEW
        for event in events:
            if event.kind is CaseEventKind.STATUS_CHANGED:
                assert event.from_status == status.value
                check_transition(status, CaseStatus(event.to_status))
                status = CaseStatus(event.to_status)
        assert status is case.status, case.reference
        assert (case.closed_at is not None) == case.status.stops_the_clock
        routed = CaseEventKind.TRIAGE if case.triage_reason else CaseEventKind.ROUTED
        assert events[1].kind is routed, case.reference
        assert case.district_code in DISTRICT_CODES.values()
        assert case.due_date == add_working_days(
            case.created_at.date(), case.service.sla_working_days
        )
        assert case.owning_partner.code != "SRBP" or case.service.owning_partner.code == "SRBP"
    assert built.statuses == {s: sum(c.status is s for c in cases) for s in set(CaseStatus)}


def test_cases_reached_their_partner_but_a_few_a_supervisor_must_handle(built):
    cases = db.session.scalars(select(Case)).all()
    reach = reach_by_case(cases)
    counts = Counter(reach.values())
    assert counts[Reach.TRIAGE] == 2 and counts[Reach.FAILED] == 2
    assert counts[Reach.DELIVERED] == len(cases) - 4 and Reach.NOT_ROUTED not in counts
    for dispatch in db.session.scalars(select(Dispatch)):
        case = db.session.get(Case, dispatch.case_id)
        assert dispatch.partner_id == case.owning_partner_id
        assert dispatch.adapter_type == "portal" and dispatch.partner_adapter_id is not None
        assert [a.number for a in dispatch.attempts_log] == [1]


def test_cases_belong_to_the_partner_their_routing_rules_name(built):
    rules = {}
    for case in db.session.scalars(select(Case)):
        if case.service_id not in rules:
            rules[case.service_id] = routing.rules_for(case.service_id)
        route = resolve(
            rules[case.service_id],
            service_id=case.service_id,
            district_code=case.district_code,
            ward_code=None,
            on=case.created_at.date(),
        )
        assert route.partner_ids == (case.owning_partner_id,), case.reference


def test_customers_live_at_gazetteer_addresses_that_route_their_cases(built):
    homes = db.session.scalars(
        select(CustomerAddress.uprn).where(CustomerAddress.valid_to.is_(None))
    ).all()
    placed = [uprn for uprn in homes if gazetteer.by_uprn(uprn) is not None]
    assert len(placed) == len(homes), "80 customers fit in the demo gazetteer"
    for case in db.session.scalars(select(Case).where(Case.location_uprn.is_not(None))):
        assert gazetteer.by_uprn(case.location_uprn).district_code == case.district_code


def test_case_answers_fit_their_service_questions(built):
    for case in db.session.scalars(select(Case)):
        assert validate_answers(case.service.questions, case.answers) == {}, case.reference


def test_builds_the_partnership_and_a_believable_population(built):
    assert {p.name for p in db.session.scalars(select(Partner))} == {
        "Shire County Council",
        "Northvale District Council",
        "Eastmoor District Council",
        "Southdown District Council",
        "Shire Revenues and Benefits Partnership",
    }
    customers = db.session.scalars(select(Customer)).all()
    assert len(customers) == 80
    assert any(c.is_deceased for c in customers)
    assert any(c.active_warnings for c in customers)
    assert any(c.previous_addresses for c in customers)
    assert any(c.references for c in customers)
    for c in customers:
        assert c.family_key == normalise.name_key(c.family_name)
        assert c.family_soundex == normalise.soundex(c.family_name)
        assert len(c.addresses) >= 1 and c.current_address is not None
    households = db.session.execute(
        select(CustomerAddress.uprn, func.count())
        .where(CustomerAddress.valid_to.is_(None))
        .group_by(CustomerAddress.uprn)
        .having(func.count() > 1)
    ).all()
    assert households, "some customers share a household"
    walk_ins = db.session.scalars(select(Contact.location).where(Contact.channel == "walk_in"))
    assert all(location for location in walk_ins)


def test_postcodes_phones_and_emails_are_valid(built):
    for address in db.session.scalars(select(CustomerAddress)):
        assert normalise.normalise_postcode(address.postcode) == address.postcode
        assert address.postcode[:2] in ("NV", "EM", "SD")
        assert address.postcode_key == normalise.postcode_key(address.postcode)
        assert address.uprn and address.uprn.isdigit() and len(address.uprn) <= 12
    for phone in db.session.scalars(select(CustomerPhone)):
        assert normalise.normalise_phone(phone.number) == phone.number == phone.number_key
        assert phone.number.startswith(("+447700900", "+441632960"))
        assert phone.display.startswith(("07700 900", "01632 960"))
    for email in db.session.scalars(select(CustomerEmail)):
        assert email.address.endswith(("@example.org", "@example.com"))
        assert email.address_key == normalise.email_key(email.address)


def test_the_demo_sign_ins_work(built):
    users = {}
    for email in SIGN_IN_EMAILS:
        result = authenticate(
            email, DEMO_PASSWORD, actor_ip="127.0.0.1", max_attempts=5, lockout_minutes=15
        )
        assert result.user is not None, email
        users[email.split("@")[0]] = result.user
    assert {user.role for user in users.values()} == set(Role)
    assert users["adviser"].role is Role.ADVISER
    assert users["admin"].role is Role.ADMINISTRATOR
    assert users["partner"].role is Role.PARTNER_USER
    assert users["partner"].partner.name == "Northvale District Council"


def _snapshot() -> list[tuple]:
    """Everything built, without database ids (PostgreSQL sequences survive a rollback)."""
    customers = db.session.scalars(select(Customer).order_by(Customer.id)).all()
    cases = db.session.scalars(select(Case).order_by(Case.id)).all()
    contacts = db.session.scalars(select(Contact).order_by(Contact.id)).all()
    return [
        *(
            (
                c.full_name,
                c.date_of_birth,
                c.date_of_death,
                c.created_at,
                [(a.uprn, a.one_line, a.valid_from, a.valid_to) for a in c.addresses],
                [p.number for p in c.phones],
                [e.address for e in c.emails],
                [(r.system, r.reference) for r in c.references],
                [(w.category, w.review_date) for w in c.warnings],
            )
            for c in customers
        ),
        *(
            (
                k.customer.full_name,
                k.service.code,
                k.status,
                k.summary,
                k.answers,
                k.due_date,
                k.created_at,
                [(e.kind, e.at, e.to_status, e.note) for e in k.events],
            )
            for k in cases
        ),
        *((t.channel, t.location, t.started_at, t.reason, len(t.cases)) for t in contacts),
    ]


def test_the_same_seed_builds_the_same_data(frozen):
    data.build(customers=40, seed=5)
    first = _snapshot()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0
    data.build(customers=40, seed=5)
    assert _snapshot() == first
    db.session.rollback()
    data.build(customers=40, seed=6)
    assert _snapshot() != first


def test_the_demo_adviser_signs_in_through_the_sign_in_page(built, client):
    from tests.conftest import csrf_token

    db.session.commit()
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={
            "email": "adviser@demo.frontoffice.test",
            "password": DEMO_PASSWORD,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302
