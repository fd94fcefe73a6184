"""The case operations without HTTP: what they write, and what they refuse."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from frontoffice.cases import operations
from frontoffice.cases.models import CaseEventKind, Channel, Priority
from frontoffice.cases.status import ALLOWED_TRANSITIONS, CaseStatus, IllegalTransition
from frontoffice.extensions import db
from tests.cases.fixtures import actor_for, audits, counts
from tests.factories import CaseFactory, ContactFactory, CustomerFactory, StaffUserFactory


@pytest.fixture
def adviser(world):
    return StaffUserFactory(role="adviser", partner=world.north)


def _raise(adviser, world, **kwargs):
    args = {
        "actor": actor_for(adviser),
        "customer": world.customer,
        "service": world.bins,
        "channel": Channel.PHONE,
        "summary": "  Bin not emptied on Monday  ",
        "answers": {"bin_colour": "green"},
        "priority": Priority.HIGH,
    }
    args.update(kwargs)
    return operations.raise_case(**args)


def test_raise_case_sets_owner_due_date_event_and_audit(adviser, world):
    with time_machine.travel(datetime(2026, 6, 1, 9, 0, tzinfo=UTC), tick=False):  # a Monday
        case = _raise(adviser, world)
    assert case.reference == f"FO-{case.id:06d}"
    assert case.owning_partner_id == world.north.id
    assert case.status is CaseStatus.NEW
    assert case.priority is Priority.HIGH
    assert case.summary == "Bin not emptied on Monday"
    assert case.answers == {"bin_colour": "green"}
    assert case.created_by_id == adviser.id
    assert case.due_date == date(2026, 6, 3)  # two working days
    # the timeline as read back: no rule covers bins here, so it went to triage
    created, triage = case.events
    assert created.kind is CaseEventKind.CREATED
    assert created.actor_id == adviser.id
    assert triage.kind is CaseEventKind.TRIAGE
    [audit] = audits("create", "case", world.customer.id)
    assert audit.record_id == str(case.id)
    assert audit.customer_id == world.customer.id
    assert audit.actor_id == adviser.id


def test_raise_case_uses_a_reserved_id_when_given_one(adviser, world):
    reserved = 4_000_123  # a web submission that showed the resident its reference already
    case = _raise(adviser, world, case_id=reserved)
    db.session.expire_all()
    assert case.id == reserved and case.reference == "FO-4000123"
    assert [e.case_id for e in case.events] == [reserved, reserved]
    [audit] = audits("create", "case", world.customer.id)
    assert audit.record_id == str(reserved)
    assert _raise(adviser, world).id != reserved


@pytest.mark.parametrize(
    ("today", "days", "due"),
    [
        (datetime(2026, 4, 2, 10, tzinfo=UTC), 2, date(2026, 4, 8)),  # Good Friday, Easter Monday
        (datetime(2026, 12, 24, 10, tzinfo=UTC), 2, date(2026, 12, 30)),  # Christmas, Boxing Day
        (datetime(2026, 8, 28, 10, tzinfo=UTC), 1, date(2026, 9, 1)),  # late summer holiday
    ],
)
def test_due_date_skips_weekends_and_bank_holidays(adviser, world, today, days, due):
    world.bins.sla_working_days = days
    with time_machine.travel(today, tick=False):
        case = _raise(adviser, world)
    assert case.due_date == due


def test_a_service_without_a_target_gives_no_due_date(adviser, world):
    world.bins.sla_working_days = None
    assert _raise(adviser, world).due_date is None


def test_raise_case_refuses_an_inactive_service_and_writes_nothing(adviser, world):
    before = counts()
    with pytest.raises(operations.CaseError, match="not available"):
        _raise(adviser, world, service=world.retired)
    assert counts() == before


def test_raise_case_refuses_another_customers_contact(adviser, world):
    contact = ContactFactory(customer=CustomerFactory())
    before = counts()
    with pytest.raises(operations.CaseError, match="another customer"):
        _raise(adviser, world, contact=contact)
    assert counts() == before


def test_raise_case_refuses_an_empty_summary(adviser, world):
    with pytest.raises(operations.CaseError, match="summary"):
        _raise(adviser, world, summary="   ")


def test_raise_case_links_the_contact(adviser, world):
    contact = ContactFactory(customer=world.customer)
    case = _raise(adviser, world, contact=contact)
    assert contact.cases == [case]
    assert counts()["contact_case"] == 1


def test_add_note_writes_an_event_and_an_audit(adviser, world):
    case = CaseFactory(customer=world.customer, service=world.bins)
    event = operations.add_note(actor_for(adviser), case, "  Called back, no answer \n")
    assert event.kind is CaseEventKind.NOTE
    assert event.note == "Called back, no answer"
    [audit] = audits("add_note", "case", world.customer.id)
    assert audit.customer_id == world.customer.id
    with pytest.raises(operations.CaseError):
        operations.add_note(actor_for(adviser), case, " ")


@pytest.mark.parametrize(
    ("current", "wanted"),
    [(c, w) for c, allowed in ALLOWED_TRANSITIONS.items() for w in sorted(allowed)],
)
def test_every_allowed_transition_is_made(adviser, world, current, wanted):
    case = CaseFactory(customer=world.customer, service=world.bins, status=current)
    event = operations.change_status(actor_for(adviser), case, wanted, "because")
    assert case.status is wanted
    assert (event.from_status, event.to_status, event.note) == (
        current.value,
        wanted.value,
        "because",
    )
    [audit] = audits("change_status", "case", world.customer.id)
    assert audit.details == {"from": current.value, "to": wanted.value}
    assert audit.customer_id == world.customer.id


@pytest.mark.parametrize(
    ("current", "wanted"),
    [(c, w) for c in CaseStatus for w in CaseStatus if w not in ALLOWED_TRANSITIONS[c]],
)
def test_every_other_transition_is_refused_and_changes_nothing(adviser, world, current, wanted):
    case = CaseFactory(customer=world.customer, service=world.bins, status=current)
    before = counts()
    with pytest.raises(IllegalTransition):
        operations.change_status(actor_for(adviser), case, wanted)
    assert case.status is current
    assert counts() == before


def test_closed_at_marks_when_work_stopped(adviser, world):
    actor = actor_for(adviser)
    case = CaseFactory(customer=world.customer, service=world.bins)
    with time_machine.travel(datetime(2026, 6, 1, 9, 0, tzinfo=UTC), tick=False):
        operations.change_status(actor, case, CaseStatus.RESOLVED)
    resolved_at = case.closed_at
    assert resolved_at == datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    operations.change_status(actor, case, CaseStatus.IN_PROGRESS)  # reopened
    assert case.closed_at is None
    with time_machine.travel(datetime(2026, 6, 2, 9, 0, tzinfo=UTC), tick=False):
        operations.change_status(actor, case, CaseStatus.RESOLVED)
    with time_machine.travel(datetime(2026, 6, 9, 9, 0, tzinfo=UTC), tick=False):
        operations.change_status(actor, case, CaseStatus.CLOSED)
    assert case.closed_at == datetime(2026, 6, 2, 9, 0, tzinfo=UTC)  # when it was resolved
    cancelled = CaseFactory(customer=world.customer, service=world.bins)
    operations.change_status(actor, cancelled, CaseStatus.CANCELLED)
    assert cancelled.closed_at is not None


def test_a_resolved_case_is_never_overdue(world):
    case = CaseFactory(customer=world.customer, service=world.bins, due_date=date(2020, 1, 1))
    assert case.is_overdue
    case.status = CaseStatus.RESOLVED
    assert not case.is_overdue


def test_reassign_records_who_from_and_to(adviser, world):
    actor = actor_for(adviser)
    first = StaffUserFactory(role="partner_user", partner=world.north, name="Pat North")
    second = StaffUserFactory(role="supervisor", partner=world.south, name="Sam Super")
    case = CaseFactory(customer=world.customer, service=world.bins)
    operations.reassign(actor, case, first)
    event = operations.reassign(actor, case, second, "Needs a supervisor")
    assert case.assigned_to == second
    assert event.kind is CaseEventKind.REASSIGNED
    assert event.note == "Needs a supervisor"
    assert event.details == {
        "from": {"id": first.id, "name": "Pat North"},
        "to": {"id": second.id, "name": "Sam Super"},
    }
    assert [a.reason for a in audits("reassign", "case", world.customer.id)] == [
        "",
        "Needs a supervisor",
    ]
    operations.reassign(actor, case, None)
    assert case.assigned_to is None


def test_reassign_refuses_what_can_never_be_right(adviser, world):
    actor = actor_for(adviser)
    case = CaseFactory(customer=world.customer, service=world.bins)  # owned by north
    other_partner = StaffUserFactory(role="partner_user", partner=world.south)
    gone = StaffUserFactory(role="adviser", active=False)
    admin = StaffUserFactory(role="administrator")
    before = counts()
    for person in (other_partner, gone, admin):
        with pytest.raises(operations.CaseError):
            operations.reassign(actor, case, person)
    with pytest.raises(operations.CaseError, match="already unassigned"):
        operations.reassign(actor, case, None)
    case.assigned_to = adviser
    db.session.flush()
    with pytest.raises(operations.CaseError, match="already assigned"):
        operations.reassign(actor, case, adviser)
    assert counts() == before
