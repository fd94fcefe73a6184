"""The request journey over HTTP: find, one question a page, address, contact, check, send."""

from __future__ import annotations

from sqlalchemy import func, select

from frontoffice.cases.models import Case, Channel
from frontoffice.customers.models import Customer
from frontoffice.extensions import db
from frontoffice.messages.models import ResidentMessage
from frontoffice.public.models import Draft, WebRequest
from tests import factories as f
from tests.public.conftest import complete


def _cases() -> int:
    return db.session.scalar(select(func.count()).select_from(Case))


def test_start_page_is_the_front_door(resident):
    page = resident.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Ask the council for something" in html and "Shire Councils Partnership" in html
    assert "GOV.UK" not in html and "crown" not in html.lower()


def test_search_finds_a_service_by_the_words_residents_use(resident, bins):
    html = resident.get("/request/service?q=wheelie").get_data(as_text=True)
    assert "Report a missed bin collection" in html
    html = resident.get("/request/service?q=unicorn").get_data(as_text=True)
    assert "We could not find a service for ‘unicorn’" in html


def test_browse_by_group(resident, bins):
    html = resident.get("/request/service").get_data(as_text=True)
    assert "Bins and recycling" in html
    html = resident.get("/request/service?group=Bins+and+recycling").get_data(as_text=True)
    assert "Report a missed bin collection" in html


def test_a_request_becomes_a_routed_web_case_with_a_reference(resident, bins):
    html, tokens = complete(resident, bins)
    assert "Grey bin" in html and "1 High Street" in html and "ada@example.org" in html
    assert html.count(">Change<") >= 6
    sent = resident.client.post("/request/check", data=tokens)
    assert sent.status_code == 302 and sent.headers["Location"] == "/request/done"
    done = resident.get("/request/done").get_data(as_text=True)
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert f"<strong>{case.reference}</strong>" in done and "ada@example.org" in done
    assert case.channel is Channel.WEB
    assert case.answers == {"bin": "grey", "details": "Left out since Monday"}
    assert case.location_uprn == "100000000001"
    assert case.customer.family_name == "Lovelace"
    assert case.triage_reason or case.events  # routed: to a partner or to triage
    message = db.session.scalar(select(ResidentMessage).where(ResidentMessage.case_id == case.id))
    assert message.to_address == "ada@example.org" and case.reference in message.body
    assert db.session.get(Draft, tokens["token"]) is None


def test_a_double_click_makes_one_case(resident, bins):
    _, tokens = complete(resident, bins)
    before = _cases()
    first = resident.client.post("/request/check", data=tokens)
    second = resident.client.post("/request/check", data=tokens)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == "/request/done"
    assert _cases() == before + 1


def test_change_link_returns_to_check_answers(resident, bins):
    complete(resident, bins)
    r = resident.post("/request/question/1?change=1", {"q_bin": "blue"})
    assert r.headers["Location"] == "/request/check"
    html, _ = resident.check_page()
    assert "Blue bin" in html


def test_answers_are_shown_again_when_going_back(resident, bins):
    complete(resident, bins)
    html = resident.get("/request/question/2").get_data(as_text=True)
    assert "Left out since Monday" in html
    html = resident.get("/request/contact").get_data(as_text=True)
    assert 'value="Ada"' in html


def test_manual_address_when_the_postcode_has_none(resident, bins):
    resident.post(f"/request/service/{bins.code}")
    resident.post("/request/address", {"postcode": "NV9 9ZZ"})
    html = resident.get("/request/address/choose").get_data(as_text=True)
    assert "We could not find an address for NV9 9ZZ" in html
    html, tokens = complete(
        resident,
        bins,
        address={"line_1": "Flat 2, The Mews", "town": "Northvale", "postcode": "nv9 9zz"},
    )
    assert "Flat 2, The Mews" in html
    resident.client.post("/request/check", data=tokens)
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case.location_text == "Flat 2, The Mews, Northvale, NV9 9ZZ"
    assert case.location_uprn is None


def test_a_confident_match_links_to_the_existing_record(resident, bins):
    customer = f.CustomerFactory(given_name="Ada", family_name="Lovelace")
    f.CustomerEmailFactory(
        customer=customer, address="ada@example.org", address_key="ada@example.org"
    )
    db.session.commit()
    customers = db.session.scalar(select(func.count()).select_from(Customer))
    _, tokens = complete(resident, bins)
    resident.client.post("/request/check", data=tokens)
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case.customer_id == customer.id
    assert db.session.scalar(select(func.count()).select_from(Customer)) == customers


def test_another_persons_phone_is_not_linked_and_never_shown(resident, bins):
    """Someone who gives another person's phone number under another name is not linked to
    that record (the matcher sees the names differ), and sees and is sent nothing of it."""
    other = f.CustomerFactory(given_name="Victoria", family_name="Secretname")
    f.CustomerPhoneFactory(customer=other, number="+447700900982", number_key="+447700900982")
    f.CustomerEmailFactory(
        customer=other, address="victoria@example.org", address_key="victoria@example.org"
    )
    db.session.commit()
    contact = {
        "first_name": "Mallory",
        "last_name": "Guess",
        "email": "mallory@example.org",
        "phone": "07700 900982",
        "reply_by": "email",
        "language": "en",
    }
    html, tokens = complete(resident, bins, contact=contact)
    sent = resident.client.post("/request/check", data=tokens)
    done = resident.get(sent.headers["Location"]).get_data(as_text=True)
    for page in (html, done):
        assert "Victoria" not in page and "Secretname" not in page and "victoria@" not in page
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case.customer_id != other.id
    assert case.customer.family_name == "Guess"
    message = db.session.scalar(select(ResidentMessage).where(ResidentMessage.case_id == case.id))
    assert message.to_address == "mallory@example.org" and "Mallory" in message.body
    assert "Victoria" not in message.body
    assert db.session.scalar(select(WebRequest).where(WebRequest.case_id == case.id)).email == (
        "mallory@example.org"
    )


def test_welsh_confirmation(resident, bins):
    contact = {
        "first_name": "Dafydd",
        "last_name": "Jones",
        "email": "dafydd@example.org",
        "reply_by": "email",
        "language": "cy",
    }
    _, tokens = complete(resident, bins, contact=contact)
    resident.client.post("/request/check", data=tokens)
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    message = db.session.scalar(select(ResidentMessage).where(ResidentMessage.case_id == case.id))
    assert message.subject.startswith("Mae eich cais") and "Annwyl Dafydd" in message.body
    assert case.customer.preferred_language.value == "cy"


def test_pages_without_a_draft_send_the_resident_to_start_again(resident, bins):
    for url in ("/request/question/1", "/request/address", "/request/contact", "/request/check"):
        r = resident.get(url)
        assert r.status_code == 302 and "expired=1" in r.headers["Location"]
