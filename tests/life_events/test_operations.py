"""Reporting a life event: fan-out in one transaction, once means once, the record changes."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import func, select

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.cases import operations as cases
from frontoffice.cases.models import Case, CaseEvent, Channel
from frontoffice.cases.status import CaseStatus
from frontoffice.customers.operations import AddressDetails
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.dispatch.updates import reject
from frontoffice.extensions import db
from frontoffice.life_events import operations, queries, rules
from frontoffice.life_events.models import (
    Authority,
    EventKind,
    LifeEvent,
    MoveScope,
    Notification,
    NotificationStatus,
    TellRule,
    format_reference,
    parse_reference,
)
from frontoffice.messages.models import MessageStatus, ResidentMessage
from frontoffice.messages.operations import tell_resident
from frontoffice.routing.models import AreaKind
from tests.life_events import partnership
from tests.life_events.partnership import NORTH, NORTH_UPRN, SERVICES, SOUTH, SOUTH_UPRN

ACTOR = Actor(None, "test", "")
pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel("2026-11-20 10:00:00+00:00", tick=False):
        yield


@pytest.fixture
def p() -> partnership.Partnership:
    built = partnership.build()
    db.session.commit()
    return built


def death(p, *, on=date(2026, 11, 18), authority=Authority.NEXT_OF_KIN, services=None, **kw):
    ids = services if services is not None else tuple(s.id for s in p.services.values())
    return operations.Report(
        kind=EventKind.DEATH,
        event_date=on,
        channel=Channel.PHONE,
        informant=operations.PersonDetails("Byron Lovelace", "Son", "07700 900123"),
        authority=authority,
        service_ids=ids,
        consent_wording=operations.consent_wording(EventKind.DEATH),
        next_of_kin=operations.PersonDetails("Byron Lovelace", "Son", "07700 900123"),
        executor=operations.PersonDetails("Mary Somerville", "Solicitor", email="ms@law.example"),
        **kw,
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_references_round_trip():
    assert format_reference(123) == "LE-000123"
    assert parse_reference("le 123") == 123 and parse_reference("FO-000123") is None
    assert parse_reference("LE-99999999999") is None


def test_a_death_tells_each_chosen_service_at_both_tiers_in_one_transaction(p):
    event = operations.report(ACTOR, p.customer, death(p))
    db.session.commit()

    assert event.reference.startswith("LE-")
    assert len(event.notifications) == 12
    told = {n.service.code: n.partner.code for n in event.notifications}
    assert told["tuo-electoral"] == "NORTH" and told["tuo-libraries"] == "COUNTY"
    assert told["tuo-pensions"] == "PENSIONS" and told["tuo-council-tax"] == "REVS"
    dispatches = db.session.scalars(select(Dispatch)).all()
    assert len(dispatches) == 12 and {d.status for d in dispatches} == {DispatchStatus.PENDING}
    assert {d.partner.code for d in dispatches} == {"NORTH", "COUNTY", "REVS", "PENSIONS"}
    payload = dispatches[0].payload
    assert payload["answers"]["life_event"] == event.reference
    assert payload["answers"]["executor"]["email"] == "ms@law.example"
    receipt = queries.receipt(event)
    assert [line.status for line in receipt.lines] == [NotificationStatus.PENDING] * 12
    n = event.notifications[0]
    assert n.consent_given_by == "Byron Lovelace" and "death" in n.consent_wording


def test_only_the_services_the_informant_chose_are_told(p):
    chosen = (p.services["tuo-council-tax"].id, p.services["tuo-libraries"].id)
    event = operations.report(ACTOR, p.customer, death(p, services=chosen))
    assert sorted(n.service.code for n in event.notifications) == [
        "tuo-council-tax",
        "tuo-libraries",
    ]
    assert count(Dispatch) == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"authority": Authority.NONE}, "authority"),
        ({"authority": Authority.SELF}, "authority"),
        ({"on": date(2026, 12, 1)}, "event_date"),
        ({"on": date(1930, 1, 1)}, "event_date"),
        ({"services": ()}, "services"),
        ({"services": (999_999,)}, "services"),
    ],
)
def test_a_refused_report_says_why_and_changes_nothing(p, change, field):
    before = (count(LifeEvent), count(Case), count(Dispatch))
    with pytest.raises(operations.LifeEventError) as refused:
        operations.report(ACTOR, p.customer, death(p, **change))
    assert refused.value.field == field
    assert (count(LifeEvent), count(Case), count(Dispatch)) == before
    assert p.customer.date_of_death is None


def test_the_same_death_reported_again_is_linked_not_told_twice(p):
    first = operations.report(ACTOR, p.customer, death(p))
    again = operations.report(ACTOR, p.customer, death(p))
    db.session.commit()
    assert again.duplicate_of_id == first.id and again.notifications == []
    assert count(Dispatch) == 12
    assert queries.receipt(again).first.reference == first.reference
    # A different date is a different claim about the person, and the record disagrees.
    with pytest.raises(operations.LifeEventError, match="already says"):
        operations.report(ACTOR, p.customer, death(p, on=date(2026, 11, 17)))


def test_a_death_marks_the_record_stops_emails_and_flags_open_cases(p):
    open_case = cases.raise_case(
        ACTOR, p.customer, p.services["tuo-housing"], Channel.PHONE, "Repair"
    )
    waiting = tell_resident(open_case, "Northvale", "We will visit on Monday")
    operations.report(ACTOR, p.customer, death(p, services=(p.services["tuo-libraries"].id,)))
    db.session.commit()

    assert p.customer.date_of_death == date(2026, 11, 18)
    assert db.session.get(ResidentMessage, waiting.id).status is MessageStatus.SUPPRESSED
    assert tell_resident(open_case, "Northvale", "Another update") is None
    flags = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == open_case.id, CaseEvent.note.like("Review%"))
    ).all()
    assert len(flags) == 1


def test_a_move_updates_the_address_history_and_routing_follows_it(p):
    new_home = AddressDetails("9 Quay", town="Shire", postcode="SD1 1AA", uprn=SOUTH_UPRN)
    offered = rules.offered(EventKind.MOVE, rules.place_of(SOUTH_UPRN))
    report = operations.Report(
        kind=EventKind.MOVE,
        event_date=date(2026, 11, 1),
        channel=Channel.WALK_IN,
        informant=operations.PersonDetails("Ada Lovelace", "Self"),
        authority=Authority.SELF,
        service_ids=tuple(o.service.id for o in offered),
        consent_wording=operations.consent_wording(EventKind.MOVE),
        move_scope=MoveScope.WITHIN,
        new_address=new_home,
    )
    event = operations.report(ACTOR, p.customer, report)
    db.session.commit()
    db.session.refresh(p.customer)
    assert p.customer.current_address.uprn == SOUTH_UPRN
    assert p.customer.previous_addresses[0].valid_to == date(2026, 11, 1)
    assert {n.service.code: n.partner.code for n in event.notifications}["tuo-electoral"] == (
        "SOUTH"
    )
    later = cases.raise_case(ACTOR, p.customer, p.services["tuo-housing"], Channel.PHONE, "Repair")
    assert later.district_code == SOUTH and later.owning_partner.code == "SOUTH"
    again = operations.report(ACTOR, p.customer, report)
    assert again.duplicate_of_id == event.id
    assert NORTH != SOUTH


def test_withdrawing_consent_before_sending_cancels_that_service_only(p):
    event = operations.report(ACTOR, p.customer, death(p))
    n = event.notifications[0]
    with pytest.raises(operations.LifeEventError):
        operations.withdraw(ACTOR, n, "  ")
    operations.withdraw(ACTOR, n, "The family will tell them")
    db.session.commit()
    [line, *rest] = queries.receipt(event).lines
    assert line.status is NotificationStatus.WITHDRAWN and n.case.status is CaseStatus.CANCELLED
    assert {r.status for r in rest} == {NotificationStatus.PENDING}
    delivered = db.session.scalar(
        select(Dispatch).where(Dispatch.case_id == rest[0].notification.case_id)
    )
    delivered.status = DispatchStatus.DELIVERED
    with pytest.raises(operations.NotSendable):
        operations.withdraw(ACTOR, rest[0].notification, "Too late")


def test_statuses_follow_delivery_acknowledgement_and_rejection(p):
    event = operations.report(ACTOR, p.customer, death(p))
    db.session.commit()
    ns = {n.service.code: n for n in event.notifications}

    def dispatch_of(code):
        return db.session.scalar(select(Dispatch).where(Dispatch.case_id == ns[code].case_id))

    dispatch_of("tuo-libraries").status = DispatchStatus.DELIVERED
    dispatch_of("tuo-blue-badge").status = DispatchStatus.DELIVERED
    ns["tuo-blue-badge"].case.acknowledged_at = ns["tuo-blue-badge"].case.created_at
    dispatch_of("tuo-bus-pass").status = DispatchStatus.DELIVERING
    bad = dispatch_of("tuo-pensions")
    bad.status = DispatchStatus.DELIVERED
    reject(ACTOR, bad.partner, bad, "We hold no pension for this person")
    cases.change_status(ACTOR, ns["tuo-housing"].case, CaseStatus.RESOLVED)
    db.session.commit()

    got = {line.notification.service.code: line for line in queries.receipt(event).lines}
    assert got["tuo-libraries"].status is NotificationStatus.DELIVERED
    assert got["tuo-blue-badge"].status is NotificationStatus.ACKNOWLEDGED
    assert got["tuo-bus-pass"].status is NotificationStatus.SENT
    assert got["tuo-housing"].status is NotificationStatus.ACTIONED
    assert got["tuo-pensions"].status is NotificationStatus.REJECTED
    assert got["tuo-pensions"].reason == "We hold no pension for this person"
    attention = queries.needing_attention()
    assert [line.notification.service.code for line in attention] == ["tuo-pensions"]
    with time_machine.travel("2026-11-30 10:00:00+00:00", tick=False):
        overdue = {line.notification.service.code for line in queries.needing_attention()}
    assert "tuo-libraries" in overdue and "tuo-blue-badge" not in overdue
    assert "tuo-pensions" in overdue and "tuo-housing" not in overdue
    assert len(SERVICES) == 12 and count(Notification) == 12


def test_cases_raised_together_each_keep_their_service_with_a_reserved_id_among_them(p):
    codes = ("tuo-council-tax", "tuo-libraries", "tuo-pensions")
    made = cases.raise_cases(
        ACTOR,
        p.customer,
        [p.services[c] for c in codes],
        Channel.WEB,
        "Three at once",
        case_ids=[None, 7_000_001, None],
    )
    db.session.commit()
    assert made[1].id == 7_000_001
    for case, code in zip(made, codes, strict=True):
        db.session.refresh(case)
        assert case.service.code == code and case.owning_partner.code == SERVICES[code]
        (dispatch,) = db.session.scalars(select(Dispatch).where(Dispatch.case_id == case.id))
        assert dispatch.partner.code == SERVICES[code]
        assert dispatch.payload["service_code"] == code
        assert dispatch.payload["case_reference"] == case.reference


def test_tell_rules_for_an_area_are_offered_there_only_and_the_most_specific_wins(p):
    libraries, electoral, housing = (
        p.services[c] for c in ("tuo-libraries", "tuo-electoral", "tuo-housing")
    )
    db.session.add_all(
        [
            TellRule(event_kind=EventKind.BIRTH, service_id=libraries.id, purpose="anywhere"),
            TellRule(
                event_kind=EventKind.BIRTH,
                service_id=libraries.id,
                area_kind=AreaKind.DISTRICT,
                area_code=NORTH,
                purpose="in Northvale",
            ),
            TellRule(
                event_kind=EventKind.BIRTH,
                service_id=electoral.id,
                area_kind=AreaKind.DISTRICT,
                area_code=NORTH,
            ),
            TellRule(
                event_kind=EventKind.BIRTH,
                service_id=housing.id,
                area_kind=AreaKind.DISTRICT,
                area_code=SOUTH,
            ),
        ]
    )
    db.session.commit()

    def offers(uprn):
        found = rules.offered(EventKind.BIRTH, rules.place_of(uprn))
        return {o.service.code: o.purpose for o in found}

    assert offers(NORTH_UPRN) == {"tuo-libraries": "in Northvale", "tuo-electoral": ""}
    assert offers(SOUTH_UPRN) == {"tuo-libraries": "anywhere", "tuo-housing": ""}
    assert offers(None) == {"tuo-libraries": "anywhere"}  # an address we cannot place
    with pytest.raises(operations.LifeEventError, match="only from the services listed"):
        operations.report(ACTOR, p.customer, birth(services=(housing.id,)))
    assert count(LifeEvent) == 0


def birth(services, child="Ada Byron", on=date(2026, 11, 2)):
    return operations.Report(
        kind=EventKind.BIRTH,
        event_date=on,
        channel=Channel.PHONE,
        informant=operations.PersonDetails("Ada Lovelace", "Mother"),
        authority=Authority.SELF,
        service_ids=services,
        consent_wording=operations.consent_wording(EventKind.BIRTH),
        child_name=child,
        parents="Ada Lovelace and William King",
    )


def test_the_same_birth_is_told_once_and_a_twin_is_told_too(p):
    libraries = p.services["tuo-libraries"]
    db.session.add(TellRule(event_kind=EventKind.BIRTH, service_id=libraries.id))
    db.session.commit()

    first = operations.report(ACTOR, p.customer, birth((libraries.id,)))
    again = operations.report(ACTOR, p.customer, birth((libraries.id,), child=" ada  BYRON "))
    twin = operations.report(ACTOR, p.customer, birth((libraries.id,), child="Byron King"))
    db.session.commit()

    assert again.duplicate_of_id == first.id and again.notifications == []
    assert twin.duplicate_of_id is None and len(twin.notifications) == 1
    assert count(Notification) == 2 and count(Dispatch) == 2
    [told] = first.notifications
    assert told.consent_given_by == "Ada Lovelace"
    assert told.consent_given_at == clock.now() and "birth" in told.consent_wording
