"""The supervisors' duplicate screens over HTTP: queue, review, merge, unmerge, bad input."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from frontoffice.audit.models import AuditEvent
from frontoffice.customers.models import Customer
from frontoffice.extensions import db
from frontoffice.identity.models import MatchReview, ReviewStatus
from frontoffice.merging.models import CustomerMerge
from tests import factories as f
from tests.merging.conftest import full, make_pair

EXPLANATION = [
    {"field": "given_name", "level": "nickname", "weight": 4.2, "left": "Bill", "right": "William"},
    {"field": "family_name", "level": "exact", "weight": 6.5, "frequency_adjustment": -1.3},
    {"field": "date_of_birth", "level": "different", "weight": -3.1, "left": "", "right": ""},
    {"field": "email", "level": "missing", "weight": 0.0},
]


@pytest.fixture
def supervisor(as_role):
    return as_role("supervisor")


def queue_review(pair, source="sweep", probability=0.87) -> MatchReview:
    review = MatchReview(
        customer_id=pair.survivor.id,
        other_customer_id=pair.merged.id,
        source=source,
        probability=probability,
        explanation=EXPLANATION,
    )
    db.session.add(review)
    db.session.commit()
    return review


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def words(response) -> str:
    """The page as a reader sees it: no tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_queue_shows_every_source_and_filters_by_one(supervisor):
    reviews = [queue_review(make_pair(), source) for source in ("web", "sweep", "import")]
    page = supervisor.get("/staff/duplicates/")
    assert page.status_code == 200
    body = text(page)
    for review in reviews:
        assert f"/staff/duplicates/{review.id}" in body
    assert "All (3)" in body and "Import (1)" in body and "Open311 (0)" in body
    only_web = text(supervisor.get("/staff/duplicates/?source=web"))
    assert f"/staff/duplicates/{reviews[0].id}" in only_web
    assert f"/staff/duplicates/{reviews[1].id}" not in only_web
    # An unknown source, a silly page: the whole queue, no error.
    assert supervisor.get("/staff/duplicates/?source=<script>&page=x").status_code == 200


def test_an_adviser_cannot_review_duplicates(as_role):
    review = queue_review(make_pair())
    adviser = as_role("adviser")
    assert adviser.get(f"/staff/duplicates/{review.id}").status_code == 403
    assert "Duplicates" not in text(adviser.get("/staff/"))


def test_the_review_shows_both_records_and_the_explanation(supervisor):
    pair = make_pair()
    review = queue_review(pair)
    body = text(supervisor.get(f"/staff/duplicates/{review.id}"))
    assert "87.0%" in body
    assert f"Record {pair.survivor.id}" in body and f"Record {pair.merged.id}" in body
    assert "William Ashworth" in body and "Bill Ashworth" in body
    explanation = body[body.index('id="explanation"') :]
    assert "Agreed</strong> nickname" in explanation and "+4.2" in explanation
    assert "Disagreed</strong> different" in explanation and "-3.1" in explanation
    assert "Not counted" in explanation and "-1.3 for how common" in explanation
    seen = db.session.scalars(
        select(AuditEvent.customer_id).where(AuditEvent.action == "view")
    ).all()
    assert set(seen) == {pair.survivor.id, pair.merged.id}


def test_different_people_needs_a_reason_and_then_stays_apart(supervisor):
    review = queue_review(make_pair())
    url = f"/staff/duplicates/{review.id}"
    missing = supervisor.post(url, {"decision": "different", "reason": "  "})
    assert missing.status_code == 422
    assert "Give a reason for the decision" in text(missing)
    nothing = supervisor.post(url, {"reason": "why not"})
    assert nothing.status_code == 422
    assert "Select whether these records are the same person" in text(nothing)
    hostile = supervisor.post(url, {"decision": "linked'; drop table", "reason": "x"})
    assert hostile.status_code == 422
    huge = supervisor.post(url, {"decision": "different", "reason": "x" * 5000})
    assert huge.status_code == 422 and "characters or fewer" in text(huge)
    control = supervisor.post(url, {"decision": "different", "reason": "bad\x00text"})
    assert control.status_code in (400, 422)
    db.session.expire_all()
    assert db.session.get(MatchReview, review.id).status == ReviewStatus.OPEN
    done = supervisor.post(url, {"decision": "different", "reason": "Father and son"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/staff/duplicates/")
    db.session.expire_all()
    assert db.session.get(MatchReview, review.id).status == ReviewStatus.SEPARATE
    assert "Decided: different people" in text(supervisor.get(url))
    again = supervisor.client.post(url, data={"decision": "same"})
    assert db.session.get(MatchReview, review.id).status == ReviewStatus.SEPARATE
    assert again.status_code in (200, 400)


def test_same_person_leads_to_the_merge_page_with_the_defaults_chosen(supervisor):
    pair = make_pair()
    review = queue_review(pair)
    url = f"/staff/duplicates/{review.id}"
    same = supervisor.post(url, {"decision": "same"})
    assert same.status_code == 302 and same.headers["Location"].endswith(f"{url}/merge")
    page = supervisor.get(f"{url}/merge")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # The merged record changed last: its first name is chosen; the survivor's date of birth
    # (the other has none) is chosen; the newest address is chosen.
    assert re.search(r'name="given_name" type="radio" value="merged" checked', html)
    assert re.search(r'name="date_of_birth" type="radio" value="survivor" checked', html)
    assert re.search(r'name="current_address" type="radio" value="merged" checked', html)
    assert "The same on both" in html


def test_merging_from_the_page_then_unmerging_from_the_record(supervisor):
    pair = make_pair()
    review = queue_review(pair)
    db.session.commit()
    before = full(pair.survivor.id), full(pair.merged.id)
    url = f"/staff/duplicates/{review.id}/merge"
    no_reason = supervisor.post(url, {"given_name": "survivor"})
    assert no_reason.status_code == 422
    assert "Enter why the records are the same person" in text(no_reason)
    bad_choice = supervisor.post(url, {"given_name": "both", "reason": "Same"})
    assert bad_choice.status_code == 422 and "Select which first name to keep" in text(bad_choice)
    assert db.session.scalars(select(CustomerMerge)).all() == []

    merged = supervisor.post(
        url,
        {
            "given_name": "survivor",
            "date_of_birth": "survivor",
            "current_address": "merged",
            "preferred_name": "merged",
            "accessibility_needs": "merged",
            "reason": "Same phone, same home",
        },
    )
    assert merged.status_code == 302
    assert merged.headers["Location"].endswith(f"/staff/customers/{pair.survivor.id}")
    db.session.expire_all()
    survivor = db.session.get(Customer, pair.survivor.id)
    assert survivor.given_name == "William" and survivor.preferred_name == "Billy"
    assert db.session.get(MatchReview, review.id).status == ReviewStatus.LINKED

    record = words(supervisor.get(f"/staff/customers/{pair.merged.id}"))
    assert f"Merged into record {pair.survivor.id}" in record
    assert "Same phone, same home" in record and "Unmerge" in record
    assert "Change details" not in record
    edit = supervisor.get(f"/staff/customers/{pair.merged.id}/edit")
    assert edit.status_code == 302
    assert "is merged into record" in words(supervisor.get(edit.headers["Location"]))
    found = text(supervisor.get("/staff/customers/?q=07700900222"))
    assert f"/staff/customers/{pair.survivor.id}" in found
    assert f'/staff/customers/{pair.merged.id}"' not in found
    history = text(supervisor.get(f"/staff/customers/{pair.survivor.id}/audit"))
    assert "merged into" in history.lower()

    unmerge_url = f"/staff/duplicates/merged/{pair.merged.id}/unmerge"
    no_reason = supervisor.post(unmerge_url, {"reason": ""})
    assert no_reason.status_code == 422
    assert "Enter why you are undoing the merge" in text(no_reason)
    done = supervisor.post(unmerge_url, {"reason": "Different dates of birth on the tenancy"})
    assert done.status_code == 302
    db.session.expire_all()
    assert (full(pair.survivor.id), full(pair.merged.id)) == before
    # Not merged any more: nothing to unmerge, and the record can be changed again.
    again = supervisor.get(unmerge_url)
    assert again.status_code == 302
    assert supervisor.get(f"/staff/customers/{pair.merged.id}/edit").status_code == 200


def test_a_merge_page_for_a_decided_review_or_a_merged_record_sends_you_back(supervisor):
    pair = make_pair()
    review = queue_review(pair)
    other = queue_review(make_pair())
    other.status = ReviewStatus.SEPARATE
    stray = MatchReview(
        customer_id=pair.merged.id,
        other_customer_id=f.CustomerFactory().id,
        source="web",
        probability=0.6,
    )
    db.session.add(stray)
    db.session.commit()
    decided = supervisor.get(f"/staff/duplicates/{other.id}/merge")
    assert decided.status_code == 302
    assert (
        supervisor.post(
            f"/staff/duplicates/{review.id}/merge", {"reason": "Same person"}
        ).status_code
        == 302
    )
    # The stray review now points at the survivor; nothing points at the merged record.
    db.session.expire_all()
    assert db.session.get(MatchReview, stray.id).customer_id == pair.survivor.id
    assert supervisor.get("/staff/duplicates/999999").status_code == 404
    assert supervisor.get("/staff/duplicates/999999/merge").status_code == 404
    assert supervisor.get("/staff/duplicates/merged/999999/unmerge").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["edit", "addresses/new", "warnings/new", "references/new", "cases/new", "contacts/new"],
)
def test_nothing_is_changed_or_added_on_a_merged_record(supervisor, path):
    from frontoffice.access.actor import Actor
    from frontoffice.merging.operations import merge

    pair = make_pair()
    merge(db.session, pair.survivor.id, pair.merged.id, Actor(None, "test"), "Duplicate")
    db.session.commit()
    url = f"/staff/customers/{pair.merged.id}/{path}"
    assert supervisor.get(url).status_code == 302
    posted = supervisor.client.post(url, data={"given_name": "Changed", "reason": "x"})
    assert posted.status_code in (302, 400)
    db.session.expire_all()
    assert db.session.get(Customer, pair.merged.id).given_name == "Bill"


def test_the_same_person_with_no_second_record_is_recorded_with_a_reason(supervisor):
    customer = f.CustomerFactory(given_name="Ada", family_name="Lovelace")
    review = MatchReview(
        customer_id=customer.id,
        source="partner",
        probability=0.7,
        incoming={"given_name": "Augusta Ada", "family_name": "Lovelace", "email": "a@x.org"},
        explanation=EXPLANATION,
    )
    db.session.add(review)
    db.session.commit()
    url = f"/staff/duplicates/{review.id}"
    body = words(supervisor.get(url))
    assert "What came in" in body and "Augusta Ada Lovelace" in body and "a@x.org" in body
    missing = supervisor.post(url, {"decision": "same"})
    assert missing.status_code == 422 and "Give a reason for the decision" in text(missing)
    done = supervisor.post(url, {"decision": "same", "reason": "Her full name"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(MatchReview, review.id).status == ReviewStatus.LINKED
