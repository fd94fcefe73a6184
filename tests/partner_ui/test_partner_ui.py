"""The partner UI over HTTP: a partner's staff work the cases routed to their partner."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from frontoffice import clock
from frontoffice.audit.models import AuditEvent
from frontoffice.cases.models import CaseEvent
from frontoffice.cases.status import CaseStatus
from frontoffice.dispatch.models import Dispatch
from frontoffice.extensions import db
from frontoffice.messages.models import ResidentMessage
from tests import factories as f
from tests.conftest import TEST_PASSWORD, csrf_token, sign_in


def _changes(case) -> tuple:
    """Everything an action could change about a case, to show a refusal changed nothing."""
    db.session.expire_all()
    dispatch = db.session.scalar(select(Dispatch).where(Dispatch.case_id == case.id))
    count = lambda model, column: db.session.scalar(  # noqa: E731
        select(func.count()).select_from(model).where(column == case.id)
    )
    return (
        case.status,
        case.acknowledged_at,
        case.triage_reason,
        dispatch.status,
        dispatch.partner_status,
        dispatch.partner_reference,
        count(CaseEvent, CaseEvent.case_id),
        count(ResidentMessage, ResidentMessage.case_id),
    )


def _messages(case) -> list[ResidentMessage]:
    return list(
        db.session.scalars(select(ResidentMessage).where(ResidentMessage.case_id == case.id))
    )


def _signed_in_at(app, user) -> str:
    browser = app.test_client()
    token = csrf_token(browser.get("/sign-in").get_data(as_text=True))
    response = browser.post(
        "/sign-in", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return response.headers["Location"]


def test_a_partner_user_lands_on_the_queue_of_cases_routed_to_their_partner(app, desk):
    ours, theirs = desk.case(), desk.case(desk.theirs)
    assert _signed_in_at(app, desk.staff.user) == "/partner/"
    assert desk.staff.get("/sign-in").headers["Location"] == "/partner/"
    page = desk.staff.get("/partner/").get_data(as_text=True)
    assert ours.reference in page and theirs.reference not in page
    assert "Your partner’s cases" in page


@pytest.mark.parametrize("role", ["adviser", "supervisor", "administrator"])
def test_other_roles_land_on_staff_home_and_may_not_use_the_partner_ui(app, as_role, role):
    staff = as_role(role)
    assert _signed_in_at(app, staff.user) == "/staff/"
    assert staff.get("/partner/").status_code == 403


def test_the_queue_filters_by_status_service_and_overdue_and_pages(desk):
    today = clock.today()
    fresh = desk.case()
    fresh.due_date = fresh.ack_due_date = today + dt.timedelta(days=2)
    late = desk.case()
    late.due_date, late.ack_due_date = today - dt.timedelta(days=3), today - dt.timedelta(days=5)
    resolved = desk.case()
    resolved.status = CaseStatus.RESOLVED
    db.session.commit()
    page = desk.staff.get("/partner/?status=resolved").get_data(as_text=True)
    assert resolved.reference in page and late.reference not in page
    page = desk.staff.get(f"/partner/?service={late.service_id}").get_data(as_text=True)
    assert late.reference in page and resolved.reference not in page
    page = desk.staff.get("/partner/?overdue=y&status=all").get_data(as_text=True)
    assert late.reference in page
    assert resolved.reference not in page and fresh.reference not in page
    assert "Late" in page and "Overdue" in page
    for bad in ("status=lost", "service=abc", "service=999999999999"):
        response = desk.staff.get(f"/partner/?{bad}")
        assert response.status_code == 422 and "from the list" in response.get_data(as_text=True)
    assert desk.staff.get("/partner/?page=2").status_code == 404
    assert desk.staff.get("/partner/?page=-1").status_code == 404


def test_the_queue_pages(desk, monkeypatch):
    from frontoffice.partner_ui import queries

    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    cases = [desk.case(email=False) for _ in range(3)]
    first = desk.staff.get("/partner/").get_data(as_text=True)
    second = desk.staff.get("/partner/?page=2").get_data(as_text=True)
    assert sum(c.reference in first for c in cases) == 2
    assert sum(c.reference in second for c in cases) == 1
    assert "page=2" in first


def test_the_case_page_shows_only_what_the_partner_is_given(desk):
    case = desk.case()
    customer = case.customer
    customer.date_of_birth = dt.date(1961, 2, 3)
    customer.accessibility_needs = "Needs a BSL interpreter QZX"
    case.answers = {"bin_colour": "Green"}
    case.location_text = "Lamppost 14, Mill Lane"
    f.CustomerPhoneFactory(customer=customer, number="+447700900111")
    f.CustomerPhoneFactory(customer=customer, number="+447700900999")
    f.CustomerEmailFactory(customer=customer, address="second.address@example.org")
    f.WarningMarkerFactory(customer=customer, reason="Shouted at staff QZW")
    f.ExternalReferenceFactory(customer=customer, partner=desk.theirs, reference="CT77665544")
    f.CaseEventFactory(case=case, note="Front office note: rang twice QZN")
    f.CaseEventFactory(
        case=case,
        note=f"Internal note from {desk.theirs.name}: theirs QZT",
        details={"partner_id": desk.theirs.id},
    )
    db.session.commit()
    response = desk.staff.get(desk.url(case))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for shown in (
        customer.family_name,
        "+447700900111",
        customer.emails[0].address,
        "Lamppost 14, Mill Lane",
        "Green",
        case.summary,
    ):
        assert shown in page, shown
    for hidden in (
        "1961",
        "3 February",
        "QZX",
        "+447700900999",
        "second.address@example.org",
        "QZW",
        "CT77665544",
        "QZN",
        "QZT",
    ):
        assert hidden not in page, hidden
    assert db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "view",
            AuditEvent.record_type == "case",
            AuditEvent.record_id == str(case.id),
            AuditEvent.actor_id == desk.staff.user.id,
            AuditEvent.customer_id == customer.id,
        )
    )


@pytest.mark.parametrize(
    ("action", "prefix", "fields"),
    [
        ("", "", {}),
        ("acknowledge", "acknowledge", {}),
        ("accept", "accept", {}),
        ("reject", "reject", {"reason": "Not ours"}),
        ("updates", "update", {"status": "in_progress"}),
        ("close", "close", {"outcome": "Done"}),
    ],
)
def test_another_partners_case_is_404_and_untouched(desk, action, prefix, fields):
    theirs = desk.case(desk.theirs)
    before = _changes(theirs)
    url = desk.url(theirs, action)
    if action:
        data = {f"{prefix}-{k}": v for k, v in fields.items()}
        response = desk.staff.post(url, data, form_url="/partner/")
    else:
        response = desk.staff.get(url)
    assert response.status_code == 404
    assert _changes(theirs) == before
    for missing in ("FO-999999", "FO-99999999999", "nonsense", "FO-1%27%20OR%201=1"):
        assert desk.staff.get(f"/partner/cases/{missing}").status_code == 404


def test_acknowledge_update_with_a_public_note_and_close(app, desk):
    case = desk.case()
    assert desk.act(case, "acknowledge", "acknowledge").status_code == 302
    db.session.expire_all()
    assert case.acknowledged_at is not None
    response = desk.act(
        case,
        "updates",
        "update",
        status="in_progress",
        public_note="A crew is booked for Tuesday",
        internal_note="Crew 4",
        your_reference="NV-77",
    )
    assert response.status_code == 302
    page = desk.staff.get(desk.url(case)).get_data(as_text=True)
    assert "Update sent" in page
    assert "says in progress: A crew is booked for Tuesday" in page
    assert "Internal note from Northvale District Council: Crew 4" in page
    assert "NV-77" in page
    db.session.expire_all()
    assert case.status is CaseStatus.IN_PROGRESS
    (message,) = _messages(case)
    assert "A crew is booked for Tuesday" in message.body
    assert message.to_address == case.customer.emails[0].address
    assert "Crew 4" not in message.body

    assert desk.act(case, "close", "close", outcome="The bin was emptied").status_code == 302
    page = desk.staff.get(desk.url(case)).get_data(as_text=True)
    assert "says closed: The bin was emptied" in page
    assert "it takes no more updates" in page
    db.session.expire_all()
    assert case.status is CaseStatus.RESOLVED
    assert [m.body.count("The bin was emptied") for m in _messages(case)] == [0, 1]
    events = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "partner_update")
    ).all()
    assert {e.actor_id for e in events} == {desk.staff.user.id}, "the person who acted is named"

    adviser = f.StaffUserFactory(role="adviser")
    db.session.commit()
    record = sign_in(app.test_client(), adviser).get(f"/staff/customers/{case.customer_id}")
    assert "Northvale District Council: closed" in record.get_data(as_text=True)


def test_accepting_starts_work_and_the_same_form_twice_changes_nothing(desk):
    case = desk.case()
    page = desk.staff.get(desk.url(case)).get_data(as_text=True)
    marker = 'name="accept-update_id" value="'
    start = page.index(marker) + len(marker)
    update_id = page[start : page.index('"', start)]
    first = desk.act(case, "accept", "accept", update_id=update_id)
    assert first.status_code == 302
    before = _changes(case)
    again = desk.act(case, "accept", "accept", update_id=update_id)
    assert again.status_code == 302
    assert "already sent this" in desk.staff.get(desk.url(case)).get_data(as_text=True)
    assert _changes(case) == before
    assert case.status is CaseStatus.IN_PROGRESS


def test_rejecting_sends_the_case_back_to_triage_and_out_of_the_queue(desk):
    case = desk.case()
    response = desk.act(case, "reject", "reject", reason="Not our district")
    assert response.status_code == 302 and response.headers["Location"].endswith("/partner/")
    db.session.expire_all()
    assert case.triage_reason == "Rejected by Northvale District Council: Not our district"
    queue = desk.staff.get("/partner/").get_data(as_text=True)
    assert f"Case {case.reference} returned to the front office" in queue
    assert f'data-case="{case.reference}"' not in queue
    assert desk.staff.get(desk.url(case)).status_code == 404


HOSTILE = "<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("action", "prefix", "fields", "field", "message"),
    [
        ("reject", "reject", {}, "reason", "Say why your partner cannot deliver this case"),
        ("reject", "reject", {"reason": "   "}, "reason", "Say why"),
        ("reject", "reject", {"reason": "x" * 5001}, "reason", "5,000 characters or fewer"),
        ("updates", "update", {}, "status", "Select a status"),
        ("updates", "update", {"status": "closed"}, "status", "Select a status"),
        ("updates", "update", {"status": HOSTILE}, "status", "Select a status"),
        (
            "updates",
            "update",
            {"status": "waiting", "public_note": "y" * 5001},
            "public_note",
            "5,000 characters or fewer",
        ),
        (
            "updates",
            "update",
            {"status": "waiting", "internal_note": "bad\x00byte"},
            "internal_note",
            "special characters",
        ),
        (
            "updates",
            "update",
            {"status": "waiting", "your_reference": "r" * 101},
            "your_reference",
            "100 characters or fewer",
        ),
        (
            "updates",
            "update",
            {"status": "waiting", "your_reference": "two\nlines"},
            "your_reference",
            "special characters",
        ),
        ("updates", "update", {"status": "waiting", "update_id": HOSTILE}, "update_id", "damaged"),
        ("close", "close", {}, "outcome", "Say what was done"),
        ("close", "close", {"outcome": "z" * 6000}, "outcome", "5,000 characters or fewer"),
        ("acknowledge", "acknowledge", {"update_id": ""}, "update_id", "damaged"),
    ],
)
def test_bad_input_is_shown_by_its_field_and_changes_nothing(
    desk, action, prefix, fields, field, message
):
    case = desk.case()
    before = _changes(case)
    response = desk.act(case, action, prefix, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in page and f'href="#{prefix}-{field}"' in page
    assert message in page
    assert HOSTILE not in page
    assert _changes(case) == before


def test_a_huge_body_is_refused_and_changes_nothing(desk):
    case = desk.case()
    before = _changes(case)
    response = desk.act(case, "updates", "update", status="waiting", public_note="x" * 3_000_000)
    assert response.status_code == 413
    assert _changes(case) == before


def test_a_post_without_a_csrf_token_is_refused(desk, client):
    case = desk.case()
    before = _changes(case)
    response = client.post(desk.url(case, "acknowledge"), data={})
    assert response.status_code == 400
    assert _changes(case) == before


@pytest.mark.parametrize(
    ("action", "prefix", "fields", "field"),
    [
        ("acknowledge", "acknowledge", {}, "update_id"),
        ("accept", "accept", {}, "update_id"),
        ("updates", "update", {"status": "in_progress", "public_note": "Back on"}, "status"),
        ("close", "close", {"outcome": "Again"}, "outcome"),
        ("reject", "reject", {"reason": "Too late"}, "reason"),
    ],
)
def test_a_closed_case_refuses_every_action(desk, action, prefix, fields, field):
    case = desk.case()
    desk.act(case, "close", "close", outcome="Done")
    before = _changes(case)
    response = desk.act(case, action, prefix, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f'href="#{prefix}-{field}"' in page and f'id="{prefix}-{field}"' in page
    assert "is resolved" in page
    assert _changes(case) == before
