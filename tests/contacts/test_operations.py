"""log_contact without HTTP: one contact, its cases linked, all or nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from frontoffice.cases.models import Channel
from frontoffice.cases.operations import CaseError
from frontoffice.contacts import operations
from frontoffice.contacts.models import Direction
from frontoffice.extensions import db
from tests.cases.fixtures import actor_for, audits, counts
from tests.factories import StaffUserFactory

NOW = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)  # the Thursday before Easter


@pytest.fixture
def adviser(world):
    return StaffUserFactory(role="adviser", partner=world.north)


def _log(adviser, world, **kwargs):
    args = {
        "channel": Channel.PHONE,
        "direction": Direction.INBOUND,
        "reason": "Bin missed and moving house",
        "started_at": NOW - timedelta(minutes=6),
        "ended_at": NOW,
    }
    args.update(kwargs)
    return operations.log_contact(actor_for(adviser), world.customer, **args)


def test_a_call_raising_two_cases(adviser, world):
    with time_machine.travel(NOW, tick=False):
        contact = _log(
            adviser,
            world,
            outcome="Both raised",
            cases=[
                operations.CaseRequest(world.bins, "Green bin missed"),
                operations.CaseRequest(world.moving, "Moving to 1 High Street"),
            ],
        )
    assert contact.adviser_id == adviser.id
    assert [c.service for c in contact.cases] == [world.bins, world.moving]
    assert [c.owning_partner for c in contact.cases] == [world.north, world.south]
    assert [c.channel for c in contact.cases] == [Channel.PHONE, Channel.PHONE]
    assert contact.cases[0].due_date == date(2026, 4, 8)  # over Easter
    assert counts()["contact_case"] == 2
    [audit] = audits("create", "contact", world.customer.id)
    assert audit.customer_id == world.customer.id
    assert len(audits("create", "case", world.customer.id)) == 2


def test_walk_in_needs_its_one_stop_shop_and_others_drop_it(adviser, world):
    with pytest.raises(operations.ContactError, match="one-stop shop"):
        _log(adviser, world, channel=Channel.WALK_IN, location=" ")
    visit = _log(adviser, world, channel=Channel.WALK_IN, location="Market Street")
    assert visit.location == "Market Street"
    call = _log(adviser, world, location="Market Street")
    assert call.location == ""


def test_refusals_before_anything_is_written(adviser, world):
    before = counts()
    with pytest.raises(operations.ContactError):
        _log(adviser, world, reason="  ")
    with pytest.raises(operations.ContactError):
        _log(adviser, world, ended_at=NOW - timedelta(hours=1))
    with pytest.raises(operations.ContactError):
        _log(adviser, world, cases=[operations.CaseRequest(world.bins, "x")] * 6)
    assert counts() == before


def test_an_inactive_service_refuses_the_whole_contact(adviser, world):
    """The caller rolls back: the contact and the first case go too."""
    before = counts()
    with pytest.raises(CaseError):
        _log(
            adviser,
            world,
            cases=[
                operations.CaseRequest(world.bins, "Green bin missed"),
                operations.CaseRequest(world.retired, "Gone"),
            ],
        )
    db.session.rollback()
    assert counts() == before
