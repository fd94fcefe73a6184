"""The adviser's journey: report from the customer record, see the receipt, withdraw
consent, and the supervisor's chase list. Bad input gets an error by the field, changes nothing."""

from __future__ import annotations

import html
from datetime import date

import pytest
from sqlalchemy import func, select

from frontoffice.access.actor import Actor
from frontoffice.cases.models import Case
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.dispatch.updates import reject
from frontoffice.extensions import db
from frontoffice.life_events.models import LifeEvent, Notification
from frontoffice.messages.models import MessageStatus, ResidentMessage
from frontoffice.messages.tasks import send
from tests.conftest import sign_in
from tests.factories import StaffUserFactory
from tests.life_events import partnership

pytestmark = pytest.mark.usefixtures("frozen")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def death_form(p, **changes) -> dict:
    data = {
        "event_date": ["18", "11", "2026"],
        "inquest": "no",
        "informant_name": "Byron Lovelace",
        "informant_relationship": "Son",
        "informant_phone": "07700 900123",
        "authority": "next_of_kin",
        "channel": "phone",
        "nok_name": "Byron Lovelace",
        "executor_name": "Mary Somerville",
        "executor_email": "ms@law.example",
        "services": [str(s.id) for s in p.services.values()],
        "consent": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def rows() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(t)) for t in (LifeEvent, Case, Dispatch)
    )


def test_an_adviser_reports_a_death_from_the_record_and_sees_the_receipt(p, as_role):
    adviser = as_role("adviser")
    record = text(adviser.get(f"/staff/customers/{p.customer.id}"))
    url = f"/staff/customers/{p.customer.id}/life-events/new/death"
    assert url in record
    form = text(adviser.get(url))
    assert "Tell us once: pensions" in form and "Next of kin" in form

    response = adviser.post(url, data=death_form(p))
    assert response.status_code == 302, text(response)[:3000]
    page = text(adviser.get(response.headers["Location"]))
    event = db.session.scalar(select(LifeEvent))
    assert event.reference in page and page.count("Pending") == 12
    assert "Mary Somerville" in page and "ms@law.example" in page
    record = text(adviser.get(f"/staff/customers/{p.customer.id}"))
    assert "This person has died" in record and event.reference in record

    again = adviser.post(url, data=death_form(p))
    assert "already reported as " + event.reference in text(adviser.get(again.headers["Location"]))
    assert rows() == (2, 12, 12)


def test_an_informant_who_gives_an_email_is_sent_the_reference_and_the_services_told(p, as_role):
    adviser = as_role("adviser")
    url = f"/staff/customers/{p.customer.id}/life-events/new/death"
    chosen = [str(p.services[c].id) for c in ("tuo-libraries", "tuo-council-tax")]
    response = adviser.post(
        url, data=death_form(p, informant_email="byron@example.org", services=chosen)
    )
    page = text(adviser.get(response.headers["Location"]))
    assert "emailed the reference and the services told to byron@example.org" in page
    event = db.session.scalar(select(LifeEvent))
    [receipt] = db.session.scalars(select(ResidentMessage)).all()
    assert receipt.to_address == "byron@example.org" and receipt.life_event_id == event.id
    assert event.reference in receipt.subject and "Dear Byron Lovelace" in receipt.body
    assert "Tell us once: libraries" in receipt.body
    assert "Tell us once: council tax" in receipt.body and "pensions" not in receipt.body
    # tracking a report an adviser took asks for the informant's email, not a postcode
    assert "with your reference and this email address" in receipt.body
    assert "postcode" not in receipt.body
    assert send.run(receipt.id) == "sent"  # to the informant, though the person has died
    db.session.refresh(receipt)
    assert receipt.status is MessageStatus.SENT

    adviser.post(url, data=death_form(p, informant_email="byron@example.org", services=chosen))
    again = db.session.scalars(select(ResidentMessage).order_by(ResidentMessage.id.desc())).first()
    assert again.id != receipt.id and "not told any service a second time" in again.body


def test_an_informant_without_an_email_is_sent_nothing(p, as_role):
    adviser = as_role("adviser")
    response = adviser.post(
        f"/staff/customers/{p.customer.id}/life-events/new/death", data=death_form(p)
    )
    assert response.status_code == 302
    assert "emailed" not in text(adviser.get(response.headers["Location"]))
    assert db.session.scalar(select(func.count()).select_from(ResidentMessage)) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"authority": "none"}, "Only the next of kin, the executor or someone acting for them"),
        ({"authority": None}, "Select who the person telling us is"),
        ({"event_date": ["31", "2", "2026"]}, "Date of death must be a real date"),
        ({"event_date": ["1", "1", "2027"]}, "must be today or in the past"),
        ({"services": []}, "Choose at least one service to tell"),
        ({"services": ["999999"]}, "Choose only from the services listed"),
        ({"consent": None}, "They must agree to the wording"),
        ({"informant_name": ""}, "Enter the name of the person telling us"),
        ({"informant_name": "x" * 5000}, "200 characters or fewer"),
        ({"informant_name": "Bad\x00name"}, "must only include letters"),
        ({"place": "A\u202eB"}, "must only include letters, numbers"),
        ({"executor_email": "not-an-email"}, "Enter executor’s email address like"),
        ({"inquest": "maybe"}, "Select whether there is an inquest"),
    ],
)
def test_bad_answers_are_shown_by_the_field_and_nothing_is_saved(p, as_role, changes, message):
    adviser = as_role("adviser")
    before = rows()
    response = adviser.post(
        f"/staff/customers/{p.customer.id}/life-events/new/death", data=death_form(p, **changes)
    )
    assert response.status_code == 422
    assert message in text(response)
    assert "govuk-error-summary" in text(response)
    assert rows() == before
    db.session.refresh(p.customer)
    assert p.customer.date_of_death is None


def test_a_move_form_needs_the_new_address(p, as_role):
    adviser = as_role("adviser")
    url = f"/staff/customers/{p.customer.id}/life-events/new/move"
    answers = {
        "event_date": ["1", "11", "2026"],
        "move_scope": "within",
        "informant_name": "Ada Lovelace",
        "informant_relationship": "Self",
        "authority": "self",
        "channel": "walk_in",
        "services": [str(p.services["tuo-electoral"].id)],
        "consent": "y",
    }
    response = adviser.post(url, data=answers)
    assert response.status_code == 422 and "Enter address line 1" in text(response)
    new_home = {"address_line_1": "9 Quay", "town": "Shire", "postcode": "SD1 1AA"}
    response = adviser.post(url, data={**answers, **new_home, "uprn": partnership.SOUTH_UPRN})
    assert response.status_code == 302, text(response)[:3000]
    page = text(adviser.get(response.headers["Location"]))
    assert "Southdown District Council" in page and "9 Quay" in page


def test_unknown_kinds_and_other_peoples_events_are_not_found(p, as_role):
    adviser = as_role("adviser")
    assert (
        adviser.get(f"/staff/customers/{p.customer.id}/life-events/new/wedding").status_code == 404
    )
    assert adviser.get("/staff/life-events/99999999999").status_code == 404


def test_consent_is_withdrawn_before_sending_and_refused_after(p, as_role):
    adviser = as_role("adviser")
    adviser.post(f"/staff/customers/{p.customer.id}/life-events/new/death", data=death_form(p))
    event = db.session.scalar(select(LifeEvent))
    first, second = event.notifications[:2]
    url = f"/staff/life-events/{event.id}/notifications/{first.id}/withdraw"
    assert adviser.post(url, data={"reason": ""}).status_code == 422
    response = adviser.post(url, data={"reason": "The family will tell them"})
    assert response.status_code == 302
    page = text(adviser.get(f"/staff/life-events/{event.id}"))
    assert "Withdrawn" in page and "The family will tell them" in page
    dispatch = db.session.scalar(select(Dispatch).where(Dispatch.case_id == second.case_id))
    dispatch.status = DispatchStatus.DELIVERED
    db.session.commit()
    late = adviser.post(
        f"/staff/life-events/{event.id}/notifications/{second.id}/withdraw",
        data={"reason": "Changed mind"},
    )
    assert late.status_code == 422 and "has already been told" in text(late)
    db.session.refresh(second)
    assert second.withdrawn_at is None and db.session.get(Dispatch, dispatch.id).status is (
        DispatchStatus.DELIVERED
    )


def test_the_supervisor_sees_rejections_and_overdue_acknowledgements(p, as_role, app):
    adviser = as_role("adviser")
    adviser.post(f"/staff/customers/{p.customer.id}/life-events/new/death", data=death_form(p))
    pensions = db.session.scalar(
        select(Notification).where(Notification.service_id == p.services["tuo-pensions"].id)
    )
    dispatch = db.session.scalar(select(Dispatch).where(Dispatch.case_id == pensions.case_id))
    dispatch.status = DispatchStatus.DELIVERED
    reject(Actor(None, "t"), dispatch.partner, dispatch, "No pension held")
    db.session.commit()
    boss = StaffUserFactory(role="supervisor")
    db.session.commit()
    supervisor = sign_in(app.test_client(), boss)
    page = text(supervisor.get("/staff/life-events/attention"))
    assert "Tell us once: pensions" in page and "No pension held" in page
    assert "Tell us once: libraries" not in page
    libraries = db.session.scalar(
        select(Notification).where(Notification.service_id == p.services["tuo-libraries"].id)
    )
    libraries.case.ack_due_date = date(2026, 11, 19)  # a day late: nobody has acknowledged it
    db.session.commit()
    later = text(supervisor.get("/staff/life-events/attention"))
    assert "Tell us once: libraries" in later and "Acknowledgement overdue" in later
    assert "Rejected" in text(adviser.get(f"/staff/life-events/{pensions.life_event_id}"))
