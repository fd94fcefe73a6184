"""The web form's submission lands on the record the identity matcher chooses: linked when
confident, a new record queued for review when possible, a new record otherwise. The resident
never sees another record either way."""

from __future__ import annotations

from sqlalchemy import func, select

from frontoffice.audit.models import AuditEvent
from frontoffice.cases.models import Case
from frontoffice.customers.models import Customer
from frontoffice.extensions import db
from frontoffice.identity.models import MatchReview, ReviewStatus
from tests import factories as f
from tests.public.conftest import complete


def _with_email(given: str, family: str, address: str):
    customer = f.CustomerFactory(given_name=given, family_name=family)
    f.CustomerEmailFactory(customer=customer, address=address, address_key=address.lower())
    return customer


def _crowd():
    for i in range(30):
        f.CustomerFactory(given_name=f"Margaret{chr(97 + i % 26)}", family_name=f"Stranger{i}")


def _submit(resident, bins, **contact):
    details = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.org",
        "phone": "",
        "reply_by": "email",
        "language": "en",
        **contact,
    }
    html, tokens = complete(resident, bins, contact=details)
    sent = resident.client.post("/request/check", data=tokens)
    done = resident.get(sent.headers["Location"]).get_data(as_text=True)
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    return case, html + done


def test_a_possible_match_lands_on_a_new_record_queued_against_the_candidates(resident, bins):
    _crowd()
    first = _with_email("Ada", "Lovelace", "ada@example.org")
    second = _with_email("Ada", "Lovelace", "ada@example.org")  # already a duplicate pair
    db.session.commit()
    customers = db.session.scalar(select(func.count(Customer.id)))
    case, pages = _submit(resident, bins)
    assert case.customer_id not in (first.id, second.id)
    assert db.session.scalar(select(func.count(Customer.id))) == customers + 1
    reviews = db.session.scalars(select(MatchReview).order_by(MatchReview.id)).all()
    assert {(r.customer_id, r.other_customer_id) for r in reviews} == {
        (first.id, case.customer_id),
        (second.id, case.customer_id),
    }
    assert {(r.source, r.status) for r in reviews} == {("web", ReviewStatus.OPEN)}
    created = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.record_type == "customer",
            AuditEvent.record_id == str(case.customer_id),
            AuditEvent.action == "create",
        )
    )
    assert set(created.details["created_despite_possible_duplicates"]) == {first.id, second.id}
    assert "Possibly" not in pages and "review" not in pages.lower()


def test_a_household_member_with_the_shared_email_gets_a_record_of_their_own(resident, bins):
    _crowd()
    mother = _with_email("Susan", "Lovelace", "lovelaces@example.org")
    db.session.commit()
    case, pages = _submit(resident, bins, email="lovelaces@example.org")
    assert case.customer_id != mother.id
    assert case.customer.given_name == "Ada"
    assert "Susan" not in pages
    assert db.session.scalars(select(MatchReview)).all() == []


def test_the_same_person_by_name_and_email_lands_on_their_record(resident, bins):
    _crowd()
    ada = _with_email("Ada", "Lovelace", "ada@example.org")
    db.session.commit()
    case, _ = _submit(resident, bins)
    assert case.customer_id == ada.id
    assert db.session.scalars(select(MatchReview)).all() == []
