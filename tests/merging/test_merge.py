"""Merging two records and undoing it, on the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from frontoffice.audit.models import AuditEvent
from frontoffice.cases.models import Case
from frontoffice.contacts.models import Contact
from frontoffice.customers import normalise
from frontoffice.customers.models import Customer, CustomerPhone, ExternalReference
from frontoffice.extensions import db
from frontoffice.identity.models import MatchReview, ReviewStatus
from frontoffice.merging import snapshot
from frontoffice.merging.models import CustomerMerge
from frontoffice.merging.operations import MergeError, merge, unmerge
from frontoffice.public.models import WebRequest
from tests import factories as f
from tests.merging.conftest import full, make_pair


def test_every_foreign_key_to_a_customer_has_a_merge_rule():
    """A new table pointing at customer.id must say what a merge does with its rows."""
    assert snapshot.customer_foreign_keys() == set(snapshot.RULES)


def test_merge_takes_the_defaults_and_moves_everything_to_the_survivor(pair, supervisor):
    _, actor = supervisor
    merge(db.session, pair.survivor.id, pair.merged.id, actor, "Same phone and address")
    survivor = db.session.get(Customer, pair.survivor.id)
    merged = db.session.get(Customer, pair.merged.id)
    # Most complete: the survivor's date of birth, the merged record's preferred name and
    # needs; most recent (the merged record changed last): its first name.
    assert survivor.date_of_birth == date(1980, 3, 7)
    assert survivor.given_name == "Bill" and survivor.given_key == "bill"
    assert survivor.preferred_name == "Billy"
    assert survivor.accessibility_needs == "Large print"
    # The address moved into last is current; the old one is history, not lost.
    assert survivor.current_address.line_1 == "4 Elm Close"
    assert [a.line_1 for a in survivor.previous_addresses] == ["12 Mill Road"]
    assert sorted(p.number for p in survivor.phones) == ["+447700900111", "+447700900222"]
    assert [e.address for e in survivor.emails] == ["bill@example.org"]
    assert len(survivor.warnings) == 1
    assert {r.system for r in survivor.references} == {"Council tax", "Housing benefit"}
    cases = db.session.scalars(select(Case.id).where(Case.customer_id == survivor.id)).all()
    assert set(cases) == {pair.survivor_case.id, pair.merged_case.id}
    assert db.session.get(Contact, pair.merged_contact.id).customer_id == survivor.id
    assert merged.merged_into_id == survivor.id and merged.is_merged


def test_unmerge_restores_both_records_exactly(pair, supervisor):
    _, actor = supervisor
    before = full(pair.survivor.id), full(pair.merged.id)
    chosen = {"given_name": "survivor", "current_address": "survivor", "title": "merged"}
    done = merge(db.session, pair.survivor.id, pair.merged.id, actor, "Duplicate", chosen)
    assert db.session.get(Customer, pair.survivor.id).given_name == "William"
    assert full(pair.survivor.id) != before[0]
    unmerge(db.session, done.id, actor, "They are father and son")
    assert (full(pair.survivor.id), full(pair.merged.id)) == before
    assert db.session.get(CustomerMerge, done.id).unmerge_reason == "They are father and son"


def test_a_record_can_be_merged_again_after_an_unmerge(pair, supervisor):
    _, actor = supervisor
    first = merge(db.session, pair.survivor.id, pair.merged.id, actor, "Duplicate")
    unmerge(db.session, first.id, actor, "Wrong way round")
    before = full(pair.merged.id), full(pair.survivor.id)
    second = merge(db.session, pair.merged.id, pair.survivor.id, actor, "Keep the newer one")
    assert db.session.get(Customer, pair.survivor.id).merged_into_id == pair.merged.id
    unmerge(db.session, second.id, actor, "Undo")
    assert (full(pair.merged.id), full(pair.survivor.id)) == before


def test_what_was_added_since_the_merge_goes_where_it_belongs(pair, supervisor):
    _, actor = supervisor
    done = merge(db.session, pair.survivor.id, pair.merged.id, actor, "Duplicate")
    survivor_id, merged_id = pair.survivor.id, pair.merged.id
    survivor = db.session.get(Customer, survivor_id)
    # An adviser adds a new phone and raises a case on the merged record; a web form comes in
    # with the merged record's own email; a partner adds a second reference in the system
    # that knew the merged record.
    new_phone = f.CustomerPhoneFactory(customer=survivor, number="+447700900333")
    adviser_case = f.CaseFactory(customer=survivor)
    web_case = f.CaseFactory(customer=survivor)
    db.session.add(
        WebRequest(
            token="t" * 40,
            case_id=web_case.id,
            email="Bill@Example.org",
            email_key=normalise.email_key("Bill@Example.org"),
        )
    )
    web_contact = f.ContactFactory(customer=survivor)
    web_contact.cases.append(web_case)
    their_system = f.ExternalReferenceFactory(
        customer=survivor, partner=pair.partner, system="Council tax"
    )
    our_system = f.ExternalReferenceFactory(
        customer=survivor, partner=pair.partner, system="Housing benefit"
    )
    db.session.flush()
    ids = [x.id for x in (new_phone, adviser_case, web_case, web_contact, their_system, our_system)]

    unmerge(db.session, done.id, actor, "Two people")

    phone, adviser_case, web_case, web_contact = (
        db.session.get(CustomerPhone, ids[0]),
        db.session.get(Case, ids[1]),
        db.session.get(Case, ids[2]),
        db.session.get(Contact, ids[3]),
    )
    assert phone.customer_id == survivor_id
    assert adviser_case.customer_id == survivor_id
    assert web_case.customer_id == merged_id
    assert web_contact.customer_id == merged_id
    assert db.session.get(ExternalReference, ids[4]).customer_id == merged_id
    assert db.session.get(ExternalReference, ids[5]).customer_id == survivor_id


def test_merge_and_unmerge_are_audited_with_who_and_why(pair, supervisor):
    user, actor = supervisor
    done = merge(db.session, pair.survivor.id, pair.merged.id, actor, "Same NI number")
    unmerge(db.session, done.id, actor, "Not the same after all")
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_(["merge", "merged into", "unmerge"]))
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.customer_id, e.actor_id, e.reason) for e in events] == [
        ("merged into", pair.merged.id, user.id, "Same NI number"),
        ("merge", pair.survivor.id, user.id, "Same NI number"),
        ("unmerge", pair.merged.id, user.id, "Not the same after all"),
        ("unmerge", pair.survivor.id, user.id, "Not the same after all"),
    ]


def test_reviews_follow_the_survivor_and_the_pairs_own_review_is_decided(pair, supervisor):
    user, actor = supervisor
    other = f.CustomerFactory()
    own = MatchReview(
        customer_id=pair.survivor.id,
        other_customer_id=pair.merged.id,
        source="sweep",
        probability=0.9,
    )
    elsewhere = MatchReview(
        customer_id=other.id, other_customer_id=pair.merged.id, source="web", probability=0.7
    )
    db.session.add_all([own, elsewhere])
    db.session.flush()
    own_id, elsewhere_id = own.id, elsewhere.id
    done = merge(db.session, pair.survivor.id, pair.merged.id, actor, "Duplicate", review_id=own_id)
    own, elsewhere = db.session.get(MatchReview, own_id), db.session.get(MatchReview, elsewhere_id)
    assert own.status == ReviewStatus.LINKED and own.decided_by_id == user.id
    assert elsewhere.other_customer_id == pair.survivor.id
    unmerge(db.session, done.id, actor, "Undo")
    own, elsewhere = db.session.get(MatchReview, own_id), db.session.get(MatchReview, elsewhere_id)
    assert own.status == ReviewStatus.OPEN and own.decided_by_id is None
    assert elsewhere.other_customer_id == pair.merged.id


@pytest.mark.parametrize(
    "what, message",
    [
        ("itself", "cannot be merged into itself"),
        ("twice", "already merged into"),
        ("into merged", "was itself merged into"),
        ("chain", "merges do not chain"),
        ("no reason", "Give a reason"),
        ("huge reason", "2000 characters or fewer"),
        ("unknown field", "Not a field that can be chosen"),
        ("bad side", "Choose which record"),
        ("missing record", "does not exist"),
    ],
)
def test_nonsense_merges_are_refused_and_change_nothing(supervisor, what, message):
    _, actor = supervisor
    a, b = make_pair(), make_pair()
    s, m = a.survivor.id, a.merged.id
    args: dict = {"reason": "Duplicate", "chosen": None}
    if what == "itself":
        m = s
    elif what == "twice":
        merge(db.session, s, m, actor, "Duplicate")
    elif what == "into merged":
        merge(db.session, b.survivor.id, s, actor, "Duplicate")
    elif what == "chain":
        merge(db.session, m, b.survivor.id, actor, "Duplicate")
    elif what == "no reason":
        args["reason"] = "   "
    elif what == "huge reason":
        args["reason"] = "x" * 2001
    elif what == "unknown field":
        args["chosen"] = {"id": "merged"}
    elif what == "bad side":
        args["chosen"] = {"given_name": "both"}
    elif what == "missing record":
        m = 10**8
    before = full(s), (full(m) if what != "missing record" else None)
    with pytest.raises(MergeError, match=message):
        merge(db.session, s, m, actor, args["reason"], args["chosen"])
    assert (full(s), (full(m) if what != "missing record" else None)) == before


def test_unmerge_refuses_twice_without_reason_and_out_of_order(supervisor):
    _, actor = supervisor
    a, b = make_pair(), make_pair()
    first = merge(db.session, a.survivor.id, a.merged.id, actor, "Duplicate")
    with pytest.raises(MergeError, match="Give a reason"):
        unmerge(db.session, first.id, actor, "")
    second = merge(db.session, a.survivor.id, b.merged.id, actor, "Duplicate too")
    with pytest.raises(MergeError, match="unmerge that first"):
        unmerge(db.session, first.id, actor, "Undo")
    unmerge(db.session, second.id, actor, "Undo")
    unmerge(db.session, first.id, actor, "Undo")
    with pytest.raises(MergeError, match="already undone"):
        unmerge(db.session, first.id, actor, "Again")
    with pytest.raises(MergeError, match="no such merge"):
        unmerge(db.session, 10**8, actor, "Nothing")


def test_a_web_form_with_a_phone_both_records_had_lands_on_the_survivor(pair, supervisor):
    from frontoffice.customers.matching import Decision, Given, match

    _, actor = supervisor
    merge(db.session, pair.survivor.id, pair.merged.id, actor, "Duplicate")
    found = match(Given(given_name="Bill", family_name="Ashworth", phone="+447700900111"))
    assert found.decision == Decision.LINK and found.customer.id == pair.survivor.id
    by_email = match(Given(email="bill@example.org"))
    assert by_email.customer.id == pair.survivor.id
