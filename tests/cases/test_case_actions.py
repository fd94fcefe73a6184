"""Working a case over HTTP: notes, status changes, reassignment; refusals change nothing."""

from __future__ import annotations

import pytest

from frontoffice.cases.models import CaseEventKind
from frontoffice.cases.status import CaseStatus
from frontoffice.extensions import db
from tests.cases.fixtures import audits, counts, page, post
from tests.factories import CaseFactory, StaffUserFactory


def _case(world, **kwargs):
    kwargs.setdefault("customer", world.customer)
    kwargs.setdefault("service", world.bins)  # owned by north
    case = CaseFactory(**kwargs)
    db.session.commit()  # as if raised in an earlier request: a refused POST rolls back
    return case


def _events(case, kind):
    db.session.refresh(case)
    return [e for e in case.events if e.kind is kind]


# --- notes


@pytest.mark.parametrize(
    "note",
    [
        "Called back; no answer.",
        "<script>alert('x')</script> <b>bold</b>",
        "'; DROP TABLE case; --",
        "Bin still missing 🗑️👍",
        "السلام عليكم — the resident writes in Arabic",
        "x" * 5000,
    ],
)
def test_a_note_is_added_exactly_as_typed(as_role, world, note):
    adviser = as_role("adviser")
    case = _case(world)
    response = post(adviser, f"/staff/cases/{case.id}/notes", {"note": note})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/cases/{case.id}")
    [event] = _events(case, CaseEventKind.NOTE)
    assert event.note == note
    assert event.actor_id == adviser.user.id
    assert audits("add_note", "case", world.customer.id)[0].record_id == str(case.id)
    shown = adviser.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "<script>alert" not in shown


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("", "Enter a note"),
        ("   \r\n  ", "Enter a note"),
        ("x" * 5001, "Note must be 5,000 characters or fewer"),
        ("null byte \x00 here", "Note must not contain special characters"),
    ],
)
def test_a_bad_note_is_refused_by_the_field(as_role, world, note, message):
    adviser = as_role("adviser")
    case = _case(world)
    before = counts()
    response = post(adviser, f"/staff/cases/{case.id}/notes", {"note": note})
    assert response.status_code == 422
    text = page(response)
    assert "There is a problem" in text
    assert message in text
    assert 'href="#note"' in text
    assert counts() == before


def test_a_note_without_a_csrf_token_is_refused(as_role, world):
    adviser = as_role("adviser")
    case = _case(world)
    before = counts()
    response = adviser.client.post(f"/staff/cases/{case.id}/notes", data={"note": "Hi"})
    assert response.status_code in (400, 422)
    assert counts() == before


# --- status


def test_an_allowed_status_change(as_role, world):
    adviser = as_role("adviser")
    case = _case(world)
    response = post(
        adviser,
        f"/staff/cases/{case.id}/status",
        {"status": "resolved", "status_note": "Collected on Tuesday"},
    )
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.status is CaseStatus.RESOLVED
    assert case.closed_at is not None
    [event] = _events(case, CaseEventKind.STATUS_CHANGED)
    assert (event.from_status, event.to_status) == ("new", "resolved")
    assert event.note == "Collected on Tuesday"
    [audit] = audits("change_status", "case", world.customer.id)
    assert audit.details == {"from": "new", "to": "resolved"}
    text = page(adviser.get(f"/staff/cases/{case.id}"))
    assert "Status changed from new to resolved" in text


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (CaseStatus.NEW, "closed"),
        (CaseStatus.CLOSED, "in_progress"),
        (CaseStatus.CANCELLED, "new"),
        (CaseStatus.RESOLVED, "waiting_on_customer"),
    ],
)
def test_a_tampered_transition_is_refused_and_changes_nothing(as_role, world, current, wanted):
    adviser = as_role("adviser")
    case = _case(world, status=current)
    before = counts()
    response = post(adviser, f"/staff/cases/{case.id}/status", {"status": wanted})
    assert response.status_code == 409
    text = page(response)
    assert "There is a problem" in text
    assert f"A case that is {current.label.lower()} cannot become" in text
    db.session.refresh(case)
    assert case.status is current
    assert counts() == before


@pytest.mark.parametrize("wanted", ["", "sideways", "RESOLVED", "x" * 500])
def test_an_unknown_status_is_refused(as_role, world, wanted):
    adviser = as_role("adviser")
    case = _case(world)
    before = counts()
    response = post(adviser, f"/staff/cases/{case.id}/status", {"status": wanted})
    assert response.status_code == 422
    assert "Select a new status" in page(response)
    assert counts() == before


def test_a_status_note_has_a_limit(as_role, world):
    adviser = as_role("adviser")
    case = _case(world)
    before = counts()
    response = post(
        adviser,
        f"/staff/cases/{case.id}/status",
        {"status": "in_progress", "status_note": "y" * 5001},
    )
    assert response.status_code == 422
    assert "5,000 characters or fewer" in page(response)
    assert counts() == before


# --- reassign


def test_adviser_reassigns_to_a_partner_user_of_the_owning_partner(as_role, world):
    adviser = as_role("adviser")
    north_user = StaffUserFactory(role="partner_user", partner=world.north, name="Nia North")
    StaffUserFactory(role="partner_user", partner=world.south, name="Sol South")
    case = _case(world)
    text = page(adviser.get(f"/staff/cases/{case.id}"))
    assert "Nia North" in text
    assert "Sol South" not in text  # could not see the case, so is not offered
    response = post(
        adviser,
        f"/staff/cases/{case.id}/assignee",
        {"assignee": str(north_user.id), "reason": "Their crews"},
    )
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.assigned_to_id == north_user.id
    [event] = _events(case, CaseEventKind.REASSIGNED)
    assert event.details["to"] == {"id": north_user.id, "name": "Nia North"}
    assert event.note == "Their crews"
    [audit] = audits("reassign", "case", world.customer.id)
    assert audit.reason == "Their crews"


def test_unassigning_returns_the_case_to_the_team(as_role, world):
    adviser = as_role("adviser")
    case = _case(world, assigned_to=adviser.user)
    response = post(adviser, f"/staff/cases/{case.id}/assignee", {"assignee": "none"})
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.assigned_to_id is None


def test_partner_user_reassigns_within_their_partner_only(as_role, world):
    partner_user = as_role("partner_user", partner=world.north)
    colleague = StaffUserFactory(role="partner_user", partner=world.north, name="Col League")
    other = StaffUserFactory(role="partner_user", partner=world.south, name="Sol South")
    adviser = StaffUserFactory(role="adviser", name="Ada Viser")
    case = _case(world)
    text = page(partner_user.get(f"/staff/cases/{case.id}"))
    assert "Col League" in text
    assert "Sol South" not in text
    assert "Ada Viser" not in text
    for tampered in (other, adviser):
        before = counts()
        response = post(partner_user, f"/staff/cases/{case.id}/assignee", {"assignee": tampered.id})
        assert response.status_code == 422
        assert "Select someone from the list" in page(response)
        assert counts() == before
    response = post(partner_user, f"/staff/cases/{case.id}/assignee", {"assignee": colleague.id})
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.assigned_to_id == colleague.id


@pytest.mark.parametrize("value", ["", "abc", "-1", "99999999999999999999", "1 OR 1=1"])
def test_a_malformed_assignee_is_refused(as_role, world, value):
    adviser = as_role("adviser")
    case = _case(world)
    before = counts()
    response = post(adviser, f"/staff/cases/{case.id}/assignee", {"assignee": value})
    assert response.status_code == 422
    assert "Select someone from the list" in page(response)
    assert counts() == before


def test_reassigning_to_the_current_assignee_is_refused(as_role, world):
    adviser = as_role("adviser")
    colleague = StaffUserFactory(role="adviser", name="Same Person")
    case = _case(world, assigned_to=colleague)
    before = counts()
    response = post(adviser, f"/staff/cases/{case.id}/assignee", {"assignee": colleague.id})
    assert response.status_code == 422
    assert "already assigned to Same Person" in page(response)
    assert counts() == before


def test_deactivated_staff_are_not_offered(as_role, world):
    adviser = as_role("adviser")
    gone = StaffUserFactory(role="adviser", name="Gone Away", active=False)
    case = _case(world)
    assert "Gone Away" not in page(adviser.get(f"/staff/cases/{case.id}"))
    response = post(adviser, f"/staff/cases/{case.id}/assignee", {"assignee": gone.id})
    assert response.status_code == 422


# --- who may do what


@pytest.mark.parametrize(
    ("suffix", "data"),
    [
        ("notes", {"note": "Hello"}),
        ("status", {"status": "in_progress"}),
        ("assignee", {"assignee": "none"}),
    ],
)
def test_other_partners_cases_are_404_for_partner_users(as_role, world, suffix, data):
    theirs = _case(world, service=world.moving)  # owned by south
    partner_user = as_role("partner_user", partner=world.north)
    before = counts()
    assert post(partner_user, f"/staff/cases/{theirs.id}/{suffix}", data).status_code == 404
    assert counts() == before


@pytest.mark.parametrize(
    ("suffix", "data"),
    [
        ("notes", {"note": "Hello"}),
        ("status", {"status": "in_progress"}),
        ("assignee", {"assignee": "none"}),
    ],
)
def test_administrators_may_not_work_cases(as_role, world, suffix, data):
    case = _case(world)
    admin = as_role("administrator")
    before = counts()
    assert post(admin, f"/staff/cases/{case.id}/{suffix}", data).status_code == 403
    assert counts() == before


def test_partner_user_works_their_own_partners_case(as_role, world):
    partner_user = as_role("partner_user", partner=world.north)
    case = _case(world)
    assert post(partner_user, f"/staff/cases/{case.id}/notes", {"note": "On it"}).status_code == 302
    response = post(partner_user, f"/staff/cases/{case.id}/status", {"status": "in_progress"})
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.status is CaseStatus.IN_PROGRESS


def test_actions_only_accept_post(as_role, world):
    adviser = as_role("adviser")
    case = _case(world)
    for suffix in ("notes", "status", "assignee"):
        assert adviser.get(f"/staff/cases/{case.id}/{suffix}").status_code == 405
