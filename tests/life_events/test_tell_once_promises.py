"""The last promises of tell us once: each service is sent only the details its rule shares
(in its dispatch, its API and its partner pages); the informant hears of services' public
notes, in their language; an adviser's informant chooses English or Welsh; both parents'
names are kept whole."""

from __future__ import annotations

import html
from datetime import date

import pytest
from sqlalchemy import select

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.accounts.models import Role
from frontoffice.cases.models import Channel
from frontoffice.customers.models import Language
from frontoffice.dispatch.models import Dispatch
from frontoffice.extensions import db
from frontoffice.life_events import operations, rule_admin, shares
from frontoffice.life_events.models import Authority, EventKind, LifeEvent, TellRule
from frontoffice.messages.models import ResidentMessage
from frontoffice.partner_api import keys
from tests.conftest import sign_in
from tests.factories import StaffUserFactory
from tests.life_events import partnership

ACTOR = Actor(None, "test", "")
RULES_URL = "/staff/admin/tell-rules/"
pytestmark = pytest.mark.usefixtures("frozen")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def death(p, codes=None, email="", language=Language.ENGLISH) -> operations.Report:
    chosen = codes or tuple(p.services)
    return operations.Report(
        kind=EventKind.DEATH,
        event_date=date(2026, 11, 18),
        channel=Channel.PHONE,
        informant=operations.PersonDetails("Walter Hopper", "Neighbour", "07700 900555", email),
        authority=Authority.ACTING_FOR,
        service_ids=tuple(p.services[c].id for c in chosen),
        consent_wording=operations.consent_wording(EventKind.DEATH),
        next_of_kin=operations.PersonDetails("Byron Lovelace", "Son", "07700 900123"),
        executor=operations.PersonDetails("Mary Somerville", "Solicitor", email="ms@law.ex"),
        inquest=True,
        language=language,
    )


def payload_of(event, code: str) -> dict:
    case_id = next(n.case_id for n in event.notifications if n.service.code == code)
    return db.session.scalar(select(Dispatch).where(Dispatch.case_id == case_id)).payload


def test_a_service_is_sent_only_what_its_rule_shares_everywhere_it_sees_it(p, as_role, client, app):
    admin = sign_in(app.test_client(), StaffUserFactory(role="administrator"))
    libraries = p.services["tuo-libraries"]
    response = admin.post(
        RULES_URL,
        {
            "event_kind": "death",
            "service": str(libraries.id),
            "area_kind": "any",
            "purpose": "To close the library account",
            "shares": ["event_date", "next_of_kin"],
        },
    )
    assert response.status_code == 302, text(response)[:2000]
    page = text(admin.get(RULES_URL))
    assert "Date of death, Next of kin’s contact details" in page
    event = operations.report(ACTOR, p.customer, death(p))
    db.session.commit()

    sent = payload_of(event, "tuo-libraries")["answers"]
    assert sent == {
        "life_event": event.reference,
        "event": "death",
        "event_date": "2026-11-18",
        "next_of_kin": {
            "name": "Byron Lovelace",
            "relationship": "Son",
            "phone": "07700 900123",
            "email": "",
            "address": "",
        },
    }
    # A rule that chose nothing shares every detail of a death, as before.
    pensions = payload_of(event, "tuo-pensions")["answers"]
    assert pensions["inquest"] is True and pensions["executor"]["email"] == "ms@law.ex"
    assert "informant" not in pensions

    reference = next(n.case.reference for n in event.notifications if n.service == libraries)
    county = as_role(Role.PARTNER_USER, partner=p.partners["COUNTY"])
    seen = text(county.get(f"/partner/cases/{reference}"))
    assert "Byron Lovelace" in seen
    assert "Mary Somerville" not in seen and "ms@law.ex" not in seen
    _key, secret = keys.create(ACTOR, p.partners["COUNTY"].id, "County system")
    db.session.commit()
    detail = client.get(
        f"/api/v1/cases/{reference}", headers={"Authorization": f"Bearer {secret}"}
    ).get_json()
    assert set(detail["answers"]) == {"life_event", "event", "event_date", "next_of_kin"}
    assert detail["summary"] == payload_of(event, "tuo-libraries")["summary"]
    assert "died on 18 November 2026" in detail["summary"]


@pytest.mark.no_db
def test_a_cases_summary_says_no_more_than_its_rule_shares():
    birth = LifeEvent(id=7, kind=EventKind.BIRTH, event_date=date(2026, 11, 2))
    birth.child_name = "Ada Byron"
    everything = shares.shared(EventKind.BIRTH, None)
    assert shares.summary("Anne Isabella", birth, everything) == (
        f"Tell us once ({birth.reference}): Anne Isabella has a new child, Ada Byron, "
        "born on 02 November 2026."
    )
    only_parents = shares.summary("Anne Isabella", birth, frozenset({"parents"}))
    assert "Ada Byron" not in only_parents and "2026" not in only_parents
    death = LifeEvent(id=8, kind=EventKind.DEATH, event_date=date(2026, 11, 18))
    assert shares.summary("Ada King", death, frozenset({"next_of_kin"})) == (
        f"Tell us once ({death.reference}): Ada King has died."
    )


def test_changing_what_a_rule_shares_is_audited_and_checked_against_the_event(p, as_role):
    from frontoffice.audit.models import AuditEvent

    admin = as_role("administrator")
    data = {"event_kind": "death", "service": str(p.services["tuo-libraries"].id)}
    bad = admin.post(RULES_URL, {**data, "area_kind": "any", "shares": ["child"]})
    assert bad.status_code == 422
    assert "Choose only details that a report of a death has" in text(bad)
    rule = db.session.scalar(
        select(TellRule).where(
            TellRule.event_kind == EventKind.DEATH,
            TellRule.service_id == p.services["tuo-libraries"].id,
        )
    )
    assert rule.shares is None
    with pytest.raises(rule_admin.RuleError):
        rule_admin.add_rule(
            ACTOR,
            rule_admin.RuleDetails(
                EventKind.MOVE, p.services["tuo-libraries"], rule.area_kind, "", "", ("inquest",)
            ),
        )
    db.session.rollback()

    admin.post(RULES_URL, {**data, "area_kind": "any", "shares": ["executor"]})
    db.session.expire_all()
    assert rule.shares == ["executor"]
    audit = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.record_type == "tell_rule", AuditEvent.record_id == str(rule.id))
        .order_by(AuditEvent.id.desc())
    ).first()
    assert audit.action == "change_tell_rule" and audit.details["shares"] == ["executor"]
    assert shares.shared(EventKind.DEATH, rule.shares) == {"executor"}


def post_note(p, event, code: str, note: str) -> None:
    from frontoffice.adapters.base import StatusUpdate
    from frontoffice.dispatch.updates import apply_update

    notification = next(n for n in event.notifications if n.service.code == code)
    dispatch = db.session.scalar(select(Dispatch).where(Dispatch.case_id == notification.case_id))
    apply_update(
        ACTOR,
        dispatch.partner,
        dispatch,
        StatusUpdate(
            update_id=f"u-{code}-{note}",
            service_request_id=notification.case.reference,
            status="open",
            updated_datetime=clock.now(),
            description=note,
        ),
    )
    db.session.commit()


def messages() -> list[ResidentMessage]:
    return list(db.session.scalars(select(ResidentMessage).order_by(ResidentMessage.id)))


def test_the_informant_is_emailed_a_services_public_note_in_their_language(p):
    event = operations.report(
        ACTOR,
        p.customer,
        death(p, ("tuo-libraries",), email="walter@example.org", language=Language.WELSH),
    )
    db.session.commit()
    post_note(p, event, "tuo-libraries", "The library account is closed")

    [message] = messages()  # to the informant, never to the person who died
    assert message.to_address == "walter@example.org" and message.life_event_id == event.id
    assert event.reference in message.subject and "Eich adroddiad" in message.subject
    assert "Annwyl Walter Hopper" in message.body
    assert "The library account is closed" in message.body


def test_an_informant_without_an_email_and_the_person_who_died_get_nothing(p):
    event = operations.report(ACTOR, p.customer, death(p, ("tuo-libraries",)))
    db.session.commit()
    post_note(p, event, "tuo-libraries", "The library account is closed")
    assert messages() == []


def test_a_mover_who_told_us_themselves_is_emailed_once(p):
    from frontoffice.customers.models import CustomerEmail
    from frontoffice.customers.operations import AddressDetails

    db.session.add(
        CustomerEmail(
            customer_id=p.customer.id, address="ada@example.org", address_key="ada@example.org"
        )
    )
    db.session.commit()
    report = operations.Report(
        kind=EventKind.MOVE,
        event_date=date(2026, 11, 1),
        channel=Channel.PHONE,
        informant=operations.PersonDetails("Ada Lovelace", "Self", email="ADA@example.org"),
        authority=Authority.SELF,
        service_ids=(p.services["tuo-libraries"].id,),
        consent_wording=operations.consent_wording(EventKind.MOVE),
        move_scope=operations.MoveScope.WITHIN,
        new_address=AddressDetails(
            "9 Quay", town="Shire", postcode="SD1 1AA", uprn=partnership.SOUTH_UPRN
        ),
    )
    event = operations.report(ACTOR, p.customer, report)
    db.session.commit()
    post_note(p, event, "tuo-libraries", "New card posted")
    [message] = messages()
    assert message.to_address == "ada@example.org" and "New card posted" in message.body

    p.customer.date_of_death = date(2026, 11, 20)  # and has died since
    db.session.commit()
    post_note(p, event, "tuo-libraries", "Card cancelled")
    assert [m.body for m in messages() if "Card cancelled" in m.body] == [], "nor to them"


def test_an_advisers_informant_gets_the_receipt_in_welsh_when_they_ask(p, as_role):
    adviser = as_role("adviser")
    url = f"/staff/customers/{p.customer.id}/life-events/new/death"
    assert "Welsh (Cymraeg)" in text(adviser.get(url))
    data = {
        "event_date": ["18", "11", "2026"],
        "inquest": "no",
        "informant_name": "Byron Lovelace",
        "informant_relationship": "Son",
        "informant_email": "byron@example.org",
        "language": "cy",
        "authority": "next_of_kin",
        "channel": "phone",
        "services": [str(p.services["tuo-libraries"].id)],
        "consent": "y",
    }
    response = adviser.post(url, data=data)
    assert response.status_code == 302
    [receipt] = messages()
    assert "Annwyl Byron Lovelace" in receipt.body and "Diolch am ddweud wrthym" in receipt.body
    assert "cyfeirnod a'r cyfeiriad e-bost hwn" in receipt.body
    event = db.session.scalar(select(LifeEvent))
    assert event.informant.language is Language.WELSH


def test_both_parents_names_at_their_longest_are_kept_whole(p):
    parents = f"{'A' * 100} {'B' * 100} and {'C' * 200}"  # the longest the web allows
    birth = operations.Report(
        kind=EventKind.BIRTH,
        event_date=date(2026, 11, 1),
        channel=Channel.PHONE,
        informant=operations.PersonDetails("Ada Lovelace", "Mother"),
        authority=Authority.SELF,
        service_ids=(),
        consent_wording=operations.consent_wording(EventKind.BIRTH),
        child_name="Baby Lovelace",
        parents=parents,
    )
    db.session.add(TellRule(event_kind=EventKind.BIRTH, service_id=p.services["tuo-libraries"].id))
    db.session.commit()
    birth = operations.Report(
        **{**birth.__dict__, "service_ids": (p.services["tuo-libraries"].id,)}
    )
    event = operations.report(ACTOR, p.customer, birth)
    db.session.commit()
    db.session.expire_all()
    assert len(event.parents) == 406 and event.parents == parents
    assert payload_of(event, "tuo-libraries")["answers"]["parents"] == parents

    longer = operations.Report(**{**birth.__dict__, "parents": "x" * 501, "child_name": "Other"})
    with pytest.raises(operations.LifeEventError) as refused:
        operations.report(ACTOR, p.customer, longer)
    assert refused.value.field == "parents"
