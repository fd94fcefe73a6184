"""A resident tells us of a death, a birth or a move on the web: the life event lands on the
right record through the same report() as an adviser's, each chosen service is told once, the
informant gets a reference, a confirmation email and the status of each service."""

from __future__ import annotations

import html as htmllib

import pytest
from sqlalchemy import func, select

from frontoffice.audit.models import AuditEvent
from frontoffice.cases.models import Case
from frontoffice.customers.models import Customer, Language
from frontoffice.extensions import db
from frontoffice.life_events.models import EventKind, LifeEvent, Notification, PersonRole
from frontoffice.life_events.operations import consent_wording
from frontoffice.messages.models import MessageStatus, ResidentMessage
from frontoffice.messages.tasks import send
from frontoffice.public.models import Draft, WebLifeEvent
from tests.life_events import partnership
from tests.public.life_events import DEATH, MOVE, expect_redirect, report

pytestmark = pytest.mark.usefixtures("frozen")


def text(response) -> str:
    return htmllib.unescape(response.get_data(as_text=True))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def send_check(resident, tokens):
    response = resident.client.post("/life-event/check", data={**tokens, "website": ""})
    expect_redirect(response, "/life-event/done")
    return resident.get("/life-event/done")


def test_the_start_page_links_to_tell_us_once(resident):
    assert 'href="/life-event"' in text(resident.get("/"))
    assert "Start now" in text(resident.get("/life-event"))


def test_a_death_is_reported_and_each_chosen_service_told_once(resident, p):
    tell = {"tuo-pensions": "no", "tuo-school-transport": "no"}
    html, tokens = report(resident, "death", DEATH, tell=tell)
    assert "Check your answers before telling us" in html
    for shown in ("Ada Lovelace", "10 December 1940", "18 November 2026", "Mary Somerville"):
        assert shown in htmllib.unescape(html)
    assert htmllib.unescape(html).count("Do not tell them") == 2

    done = send_check(resident, tokens)

    event = db.session.scalars(select(LifeEvent)).one()
    page = text(done)
    assert event.reference in page and "Thank you for telling us" in page
    told = {n.service.code for n in event.notifications}
    assert told == set(partnership.SERVICES) - set(tell)
    for n in event.notifications:
        assert n.service.name in page
        assert n.consent_given_by == "Byron Lovelace"
        assert n.consent_wording == consent_wording(EventKind.DEATH)
        assert n.case is not None and n.case.customer_id == event.customer_id
    assert "Tell us once: pensions" not in page
    assert event.kind is EventKind.DEATH and event.inquest is False
    assert event.details == {"place": "Home", "inquest": "no"}
    informant = event.person(PersonRole.INFORMANT)
    assert (informant.name, informant.relationship_, informant.email) == (
        "Byron Lovelace",
        "Son",
        "byron@example.org",
    )
    assert event.person(PersonRole.EXECUTOR).email == "ms@law.example"
    assert event.person(PersonRole.NEXT_OF_KIN).phone == "+447700900123"
    # Ada's existing record has her email, which the informant did not give: a new record
    # (the matcher links on what it is told), marked as dead, never the informant's.
    deceased = db.session.get(Customer, event.customer_id)
    assert deceased.full_name == "Ada Lovelace" and deceased.date_of_death.isoformat() == (
        "2026-11-18"
    )
    assert deceased.current_address.uprn == partnership.NORTH_UPRN
    assert not deceased.emails
    assert db.session.scalar(select(Draft)) is None
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"report_life_event", "record_death"} <= actions


def test_the_confirmation_email_goes_to_the_informant_though_the_person_has_died(resident, p, app):
    _, tokens = report(resident, "death", DEATH)
    send_check(resident, tokens)
    event = db.session.scalars(select(LifeEvent)).one()
    message = db.session.scalars(
        select(ResidentMessage).where(ResidentMessage.life_event_id == event.id)
    ).one()
    assert message.to_address == "byron@example.org"
    assert event.reference in message.subject
    assert "Dear Byron" in message.body and "Tell us once: libraries" in message.body
    assert send.run(message.id) == "sent"
    db.session.refresh(message)
    assert message.status is MessageStatus.SENT


def test_welsh_speakers_get_their_confirmation_in_welsh(resident, p):
    answers = {**MOVE, "informant": {**MOVE["informant"], "language": Language.WELSH.value}}
    _, tokens = report(resident, "move", answers)
    send_check(resident, tokens)
    message = db.session.scalars(select(ResidentMessage)).one()
    assert message.body.startswith("Annwyl Grace") and "Diolch am ddweud wrthym" in message.body


def test_a_move_updates_the_record_and_tells_the_new_areas_services(resident, p):
    _, tokens = report(resident, "move", MOVE)
    page = text(send_check(resident, tokens))
    event = db.session.scalars(select(LifeEvent)).one()
    assert {n.service.code for n in event.notifications} == set(partnership.MOVE_SERVICES)
    mover = db.session.get(Customer, event.customer_id)
    assert mover.current_address.uprn == partnership.SOUTH_UPRN
    assert mover.emails[0].address == "grace@example.org"  # about herself: her own details
    assert event.old_address.startswith("1 Mill Lane")
    assert "Tell us once: council tax" in page


def test_the_same_move_reported_again_links_to_the_first_and_tells_nobody(resident, p):
    _, tokens = report(resident, "move", MOVE)
    send_check(resident, tokens)
    first = db.session.scalars(select(LifeEvent)).one()
    cases, notifications = count(Case), count(Notification)

    _, tokens = report(resident, "move", MOVE)
    page = text(send_check(resident, tokens))

    again = db.session.scalars(select(LifeEvent).order_by(LifeEvent.id.desc())).first()
    assert again.duplicate_of_id == first.id and again.customer_id == first.customer_id
    assert (count(Case), count(Notification)) == (cases, notifications)
    assert "We had already been told" in page and again.reference in page
    assert first.reference not in page  # nothing the resident did not give
    assert "Tell us once: council tax" not in page
    message = db.session.scalars(
        select(ResidentMessage).where(ResidentMessage.life_event_id == again.id)
    ).one()
    assert "not told any service a second time" in message.body


def test_a_double_click_reports_once(resident, p):
    _, tokens = report(resident, "death", DEATH)
    data = {**tokens, "website": ""}
    first = resident.client.post("/life-event/check", data=data)
    second = resident.client.post("/life-event/check", data=data)
    assert first.status_code == second.status_code == 302
    assert count(LifeEvent) == 1 and count(WebLifeEvent) == 1
    assert count(ResidentMessage) == 1
    assert db.session.scalars(select(LifeEvent)).one().reference in text(
        resident.get("/life-event/done")
    )


def test_a_birth_is_reported_on_the_parents_record(resident, p):
    from frontoffice.life_events.models import TellRule

    db.session.add(TellRule(event_kind=EventKind.BIRTH, service_id=p.services["tuo-libraries"].id))
    db.session.commit()
    answers = {
        "informant": {**MOVE["informant"], "first_name": "Mary", "last_name": "Shelley"},
        "authority": {"authority": "self"},
        "person": {"first_name": "Mary", "last_name": "Shelley"},
        "details": {
            "child_name": "Percy Shelley",
            "event_date": ["2", "11", "2026"],
            "other_parent": "Percy Bysshe Shelley",
        },
    }
    _, tokens = report(resident, "birth", answers)
    send_check(resident, tokens)
    event = db.session.scalars(select(LifeEvent)).one()
    assert event.child_name == "Percy Shelley"
    assert event.parents == "Mary Shelley and Percy Bysshe Shelley"
    assert event.customer.full_name == "Mary Shelley"


def test_someone_without_authority_cannot_go_on(resident, p):
    resident.post("/life-event/what", {"kind": "death"})
    resident.post("/life-event/you", DEATH["informant"])
    page = resident.get("/life-event/authority")
    assert "I am the person it is about" not in text(page)  # not offered for a death
    response = resident.post("/life-event/authority", {"authority": "none"})
    expect_redirect(response, "/life-event/cannot-continue")
    html = text(resident.get("/life-event/cannot-continue"))
    assert "Only the next of kin, the executor" in html
    # A hand-made post claiming an authority not offered for a death is refused.
    bad = resident.post("/life-event/authority", {"authority": "self"})
    assert bad.status_code == 400 and "Select who you are" in text(bad)


def test_change_links_come_back_to_check_your_answers(resident, p):
    html, _ = report(resident, "death", DEATH)
    assert 'href="/life-event/person?change=1"' in html
    response = resident.post(
        "/life-event/person?change=1",
        {**DEATH["person"], "first_name": "Augusta"},
        form_url="/life-event/person?change=1",
    )
    expect_redirect(response, "/life-event/check")
    assert "Augusta Lovelace" in text(resident.get("/life-event/check"))


def test_choosing_no_service_at_all_is_sent_back_to_choose(resident, p):
    _, tokens = report(resident, "move", MOVE, tell=None)
    for number in (1, 2, 3):
        resident.post(f"/life-event/services/{number}", {"tell": "no"})
    _, tokens = resident.check_page("/life-event/check")
    response = resident.client.post("/life-event/check", data={**tokens, "website": ""})
    expect_redirect(response, "/life-event/services/1")
    assert count(LifeEvent) == 0


def test_a_life_event_is_tracked_with_its_reference_and_email_or_postcode(resident, p):
    _, tokens = report(resident, "move", MOVE)
    send_check(resident, tokens)
    event = db.session.scalars(select(LifeEvent)).one()
    for secret in ("GRACE@example.org", "sd1 1aa"):
        page = resident.post("/track", {"reference": event.reference.lower(), "secret": secret})
        assert page.status_code == 200, text(page)[:2000]
        html = text(page)
        assert "Tell us once: council tax" in html and "Being told" in html
    wrong = resident.post("/track", {"reference": event.reference, "secret": "NV1 2AB"})
    assert wrong.status_code == 404
    assert "Tell us once" not in text(wrong)
    unknown = resident.post("/track", {"reference": "LE-999999", "secret": "grace@example.org"})
    assert unknown.status_code == 404
    assert text(unknown).count("We could not find") == text(wrong).count("We could not find")


def test_tracking_shows_each_services_progress(resident, p):
    from frontoffice.access.actor import Actor
    from frontoffice.cases import operations as cases
    from frontoffice.cases.status import CaseStatus
    from frontoffice.dispatch.models import Dispatch, DispatchStatus
    from frontoffice.dispatch.updates import reject

    _, tokens = report(resident, "move", MOVE)
    send_check(resident, tokens)
    event = db.session.scalars(select(LifeEvent)).one()
    by_code = {n.service.code: n for n in event.notifications}
    system = Actor(None, "test")
    cases.change_status(system, by_code["tuo-council-tax"].case, CaseStatus.RESOLVED)
    for d in db.session.scalars(select(Dispatch)):
        d.status = DispatchStatus.DELIVERED
    db.session.flush()
    dispatch = db.session.scalars(
        select(Dispatch).where(Dispatch.case_id == by_code["tuo-libraries"].case_id)
    ).first()
    reject(system, dispatch.partner, dispatch, "Not known to us")
    db.session.commit()
    html = text(resident.post("/track", {"reference": event.reference, "secret": "SD1 1AA"}))
    assert "Actioned" in html and "Rejected" in html and "Told" in html
    assert "Not known to us" not in html  # a partner's reason is for staff


def test_a_report_taken_by_an_adviser_is_tracked_with_the_informants_email(resident, p):
    from dataclasses import replace

    from frontoffice.access.actor import Actor
    from frontoffice.life_events import operations

    report_ = partnership.death_report((p.services["tuo-libraries"].id,))
    informant = replace(report_.informant, email="Walter@Example.org")
    event = operations.report(
        Actor(None, "test"), p.customer, replace(report_, informant=informant)
    )
    db.session.commit()
    found = resident.post("/track", {"reference": event.reference, "secret": "walter@example.org"})
    assert found.status_code == 200 and "Tell us once: libraries" in text(found)
    # The deceased's own email and postcode are not the informant's: nothing shown.
    for secret in ("ada@example.org", "NV1 2AB"):
        refused = resident.post("/track", {"reference": event.reference, "secret": secret})
        assert refused.status_code == 404


def test_a_death_of_someone_on_our_records_changes_their_own_record(resident, p):
    from frontoffice.access.actor import Actor
    from frontoffice.cases import operations as cases
    from frontoffice.cases.models import CaseEvent, Channel

    repair = cases.raise_case(
        Actor(None, "test"), p.customer, p.services["tuo-housing"], Channel.PHONE, "Repair"
    )
    db.session.commit()
    customers = count(Customer)
    ada = {**DEATH["person"], "date_of_birth": ["1", "5", "1940"]}  # as her record has it
    _, tokens = report(resident, "death", {**DEATH, "person": ada})
    page = text(send_check(resident, tokens))

    event = db.session.scalars(select(LifeEvent)).one()
    assert event.customer_id == p.customer.id and count(Customer) == customers
    db.session.refresh(p.customer)
    assert p.customer.date_of_death.isoformat() == "2026-11-18"
    flags = db.session.scalars(
        select(CaseEvent.note).where(CaseEvent.case_id == repair.id, CaseEvent.note.like("Review%"))
    ).all()
    assert len(flags) == 1
    assert "ada@example.org" not in page  # her record's details are never shown


def test_a_death_that_may_be_someone_on_our_records_is_queued_for_review(resident, p):
    from frontoffice.identity.models import MatchReview

    _, tokens = report(resident, "death", DEATH)  # her name and home, another date of birth
    send_check(resident, tokens)
    event = db.session.scalars(select(LifeEvent)).one()
    assert event.customer_id != p.customer.id
    db.session.refresh(p.customer)
    assert p.customer.date_of_death is None  # not hers until a supervisor says so
    reviews = db.session.scalars(select(MatchReview)).all()
    assert [(r.customer_id, r.other_customer_id, r.source) for r in reviews] == [
        (p.customer.id, event.customer_id, "web")
    ]
