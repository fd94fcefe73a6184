"""Tracking a request: the reference and the email or postcode given, or nothing at all;
guessing is slowed, then refused."""

from __future__ import annotations

from sqlalchemy import select

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.adapters.base import StatusUpdate
from frontoffice.cases.models import Case
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.dispatch.updates import apply_update
from frontoffice.extensions import db
from frontoffice.messages.models import ResidentMessage
from tests import factories as f
from tests.public.conftest import complete


def _web_case(resident, bins, **contact) -> Case:
    details = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.org",
        "phone": "",
        "reply_by": "email",
        "language": "en",
        **contact,
    }
    _, tokens = complete(resident, bins, contact=details)
    resident.client.post("/request/check", data=tokens)
    return db.session.scalars(select(Case).order_by(Case.id.desc())).first()


def _track(resident, reference, secret):
    return resident.post("/track", {"reference": reference, "secret": secret})


def _partner_says(case: Case, status: str, note: str) -> None:
    partner = f.PartnerFactory(name="Northvale District Council")
    dispatch = Dispatch(
        case_id=case.id,
        partner_id=partner.id,
        adapter_type="portal",
        status=DispatchStatus.DELIVERED,
        partner_reference=f"NV-{case.id}",
    )
    db.session.add(dispatch)
    db.session.flush()
    update = StatusUpdate(
        update_id=f"u-{case.id}-{status}",
        service_request_id=dispatch.partner_reference,
        status=status,
        updated_datetime=clock.now(),
        description=note,
    )
    assert apply_update(Actor.system("test"), partner, dispatch, update) == "applied"
    db.session.commit()


def test_reference_and_email_show_status_and_public_notes(resident, bins):
    case = _web_case(resident, bins)
    _partner_says(case, "in_progress", "We will collect it on Tuesday <b>morning</b>")
    page = _track(resident, case.reference.lower(), "ADA@example.org ")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:3000]
    assert case.reference in html and '<strong class="govuk-tag">Being worked on</strong>' in html
    assert "We will collect it on Tuesday &lt;b&gt;morning&lt;/b&gt;" in html
    assert "Lovelace" not in html  # the page shows the request, not the record


def test_reference_and_postcode_work_too(resident, bins):
    case = _web_case(resident, bins)
    page = _track(resident, case.reference, "nv12ab")
    assert page.status_code == 200 and "Received" in page.get_data(as_text=True)


def test_each_public_update_is_emailed_to_the_address_given(resident, bins):
    case = _web_case(resident, bins, language="cy")
    _partner_says(case, "in_progress", "Byddwn yn casglu ddydd Mawrth")
    messages = db.session.scalars(
        select(ResidentMessage)
        .where(ResidentMessage.case_id == case.id)
        .order_by(ResidentMessage.id)
    ).all()
    assert [m.to_address for m in messages] == ["ada@example.org", "ada@example.org"]
    assert messages[1].subject.startswith("Eich cais") and "Byddwn yn casglu" in messages[1].body


def test_wrong_postcode_or_unknown_reference_show_nothing(resident, bins):
    case = _web_case(resident, bins)
    for reference, secret in (
        (case.reference, "NV9 9ZZ"),
        (case.reference, "someone@example.org"),
        ("FO-999999", "ada@example.org"),
        ("not a reference", "ada@example.org"),
        (case.reference, "<script>alert(1)</script>"),
    ):
        page = _track(resident, reference, secret)
        html = page.get_data(as_text=True)
        assert page.status_code in (400, 404, 429), html[:2000]
        assert "<title>Error:" in html
        assert "Being worked on" not in html and "Received" not in html
        assert "<script>alert" not in html


def test_missing_fields_are_named(resident):
    html = _track(resident, "", "").get_data(as_text=True)
    assert "Enter your reference" in html
    assert "Enter the email address or postcode you gave with your request" in html


def test_guessing_is_slowed_then_refused(resident, bins):
    case = _web_case(resident, bins)
    for _ in range(3):
        assert _track(resident, case.reference, "NV9 9ZZ").status_code == 404
    slowed = _track(resident, case.reference, "ada@example.org")
    assert slowed.status_code == 429
    assert "Wait a minute, then try again" in slowed.get_data(as_text=True)


def test_guessing_many_references_from_one_address_is_refused(app, resident, bins):
    case = _web_case(resident, bins)
    app.config["PUBLIC_LIMIT_GUESS_SLOW"] = "100 per minute"
    try:
        for n in range(10):
            assert _track(resident, f"FO-{900000 + n}", "NV1 2AB").status_code == 404
        refused = _track(resident, case.reference, "ada@example.org")
        assert refused.status_code == 429
        assert "Too many attempts" in refused.get_data(as_text=True)
    finally:
        del app.config["PUBLIC_LIMIT_GUESS_SLOW"]


def test_look_ups_are_limited_per_address_even_when_they_are_right(app, resident, bins):
    case = _web_case(resident, bins)
    app.config["PUBLIC_LIMIT_TRACK"] = "2 per minute"
    try:
        for _ in range(2):
            assert _track(resident, case.reference, "ada@example.org").status_code == 200
        refused = _track(resident, case.reference, "ada@example.org")
        assert refused.status_code == 429
        html = refused.get_data(as_text=True)
        assert "Too many attempts" in html and "Received" not in html
    finally:
        del app.config["PUBLIC_LIMIT_TRACK"]


def test_the_honeypot_refuses_bots(resident, bins):
    case = _web_case(resident, bins)
    page = resident.post(
        "/track", {"reference": case.reference, "secret": "ada@example.org", "website": "x"}
    )
    assert page.status_code == 400 and case.reference not in page.get_data(as_text=True)


def test_a_case_raised_by_phone_is_tracked_with_the_record_email(resident):
    case = f.CaseFactory()
    f.CustomerEmailFactory(
        customer=case.customer, address="bob@example.org", address_key="bob@example.org"
    )
    db.session.commit()
    assert _track(resident, case.reference, "bob@example.org").status_code == 200
    assert _track(resident, case.reference, "NV1 2AB").status_code == 404
