"""Logging a contact over HTTP, raising cases in the same submission, all or nothing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from frontoffice import models as m
from frontoffice.cases.models import Channel
from frontoffice.contacts.models import Direction
from frontoffice.extensions import db
from tests.cases.fixtures import audits, counts, page, post
from tests.factories import ContactFactory

NOW = datetime(2026, 4, 2, 13, 0, tzinfo=UTC)  # 14:00 in London, the Thursday before Easter


def _url(world):
    return f"/staff/customers/{world.customer.id}/contacts/new"


def _opened(adviser, world) -> str:
    text = adviser.get(_url(world)).get_data(as_text=True)
    match = re.search(r'name="started_at" type="hidden" value="([^"]+)"', text)
    assert match, "no started_at on the form"
    return match.group(1)


def _data(world, started_at: str, **changes):
    data = {
        "channel": "phone",
        "direction": "inbound",
        "reason": "Bin missed and moving house",
        "outcome": "Raised both",
        "started_at": started_at,
    }
    data.update(changes)
    return data


def _contacts(world):
    return list(
        db.session.scalars(
            select(m.Contact)
            .where(m.Contact.customer_id == world.customer.id)
            .order_by(m.Contact.id)
        )
    )


def test_an_adviser_logs_a_call_and_raises_two_cases_in_one_go(as_role, world):
    with time_machine.travel(NOW, tick=False):
        adviser = as_role("adviser")
        started_at = _opened(adviser, world)
    with time_machine.travel(NOW + timedelta(minutes=7), tick=False):
        response = post(
            adviser,
            _url(world),
            _data(
                world,
                started_at,
                resolved_first_contact="y",
                **{
                    "cases-0-service": str(world.bins.id),
                    "cases-0-summary": "Green bin missed",
                    "cases-1-service": str(world.moving.id),
                    "cases-1-summary": "Moving to 1 High Street on 1 May",
                },
            ),
        )
        assert response.status_code == 302, page(response)[:3000]
        [contact] = _contacts(world)
        assert response.headers["Location"].endswith(f"/staff/contacts/{contact.id}")
        assert contact.channel is Channel.PHONE
        assert contact.direction is Direction.INBOUND
        assert contact.adviser_id == adviser.user.id
        assert contact.started_at == NOW
        assert contact.ended_at == NOW + timedelta(minutes=7)
        assert contact.resolved_first_contact is True
        assert [c.service_id for c in contact.cases] == [world.bins.id, world.moving.id]
        assert [c.owning_partner_id for c in contact.cases] == [world.north.id, world.south.id]
        assert contact.cases[0].due_date == date(2026, 4, 8)
        assert len(audits("create", "contact", world.customer.id)) == 1
        assert len(audits("create", "case", world.customer.id)) == 2
        shown = page(adviser.get(response.headers["Location"]))
        for case in contact.cases:
            assert case.reference in shown
        assert "Cases raised: " in shown


def test_a_walk_in_records_the_one_stop_shop(as_role, world):
    adviser = as_role("adviser")
    started_at = _opened(adviser, world)
    data = _data(world, started_at, channel="walk_in", location="  Market Street, Ashby ")
    assert post(adviser, _url(world), data).status_code == 302
    [contact] = _contacts(world)
    assert contact.location == "Market Street, Ashby"
    assert contact.cases == []


def test_times_typed_by_the_adviser_are_london_times_today(as_role, world):
    with time_machine.travel(NOW, tick=False):
        adviser = as_role("adviser")
        started_at = _opened(adviser, world)
        data = _data(world, started_at, start_time="13:30", end_time="13.45")
        assert post(adviser, _url(world), data).status_code == 302
    [contact] = _contacts(world)
    assert contact.started_at == datetime(2026, 4, 2, 12, 30, tzinfo=UTC)  # BST
    assert contact.ended_at == datetime(2026, 4, 2, 12, 45, tzinfo=UTC)


ROW = {"cases-0-service": "", "cases-0-summary": ""}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"channel": ""}, "channel", "Select how the customer got in touch"),
        ({"channel": "carrier_pigeon"}, "channel", "Select how the customer got in touch"),
        ({"channel": "walk_in"}, "location", "Enter the one-stop shop the customer visited"),
        (
            {"channel": "walk_in", "location": "x" * 101},
            "location",
            "The one-stop shop must be 100 characters or fewer",
        ),
        (
            {"channel": "walk_in", "location": "Line\nbreak"},
            "location",
            "must not contain special characters",
        ),
        ({"direction": "sideways"}, "direction", "Select who started the contact"),
        ({"reason": ""}, "reason", "Enter the reason for the contact"),
        ({"reason": "r" * 2001}, "reason", "The reason must be 2,000 characters or fewer"),
        ({"reason": "nul\x00"}, "reason", "The reason must not contain special characters"),
        ({"outcome": "o" * 5001}, "outcome", "The outcome must be 5,000 characters or fewer"),
        ({"start_time": "25:00"}, "start_time", "Enter the start time like 14:05"),
        ({"start_time": "14:05'; --"}, "start_time", "Enter the start time like 14:05"),
        ({"start_time": "13:50"}, "start_time", "The start time must be in the past"),
        ({"end_time": "13:55"}, "end_time", "The end time must not be in the future"),
        (
            {"start_time": "13:30", "end_time": "13:10"},
            "end_time",
            "The end time must be after the start time",
        ),
        ({"started_at": "yesterday"}, "start_time", "We could not tell when the contact started"),
        ({"started_at": "2026-03-01T10:00:00+00:00"}, "start_time", "We could not tell"),
        ({"started_at": "2026-04-02T12:40:00"}, "start_time", "We could not tell"),
        (
            {"cases-0-service": "WORLD_BINS"},
            "cases-0-summary",
            "Enter a summary for case 1",
        ),
        (
            {"cases-1-summary": "A summary with no service"},
            "cases-1-service",
            "Select a service for case 2",
        ),
        (
            {"cases-2-service": "WORLD_RETIRED", "cases-2-summary": "Old"},
            "cases-2-service",
            "Select a service from the list for case 3",
        ),
        (
            {"cases-0-service": "424242", "cases-0-summary": "Nope"},
            "cases-0-service",
            "Select a service from the list for case 1",
        ),
        (
            {"cases-0-service": "WORLD_BINS", "cases-0-summary": "s" * 2001},
            "cases-0-summary",
            "The summary for case 1 must be 2,000 characters or fewer",
        ),
    ],
)
def test_bad_input_is_shown_by_its_field_and_nothing_is_saved(
    as_role, world, changes, field, message
):
    replacements = {"WORLD_BINS": str(world.bins.id), "WORLD_RETIRED": str(world.retired.id)}
    changes = {k: replacements.get(v, v) for k, v in changes.items()}
    with time_machine.travel(NOW - timedelta(minutes=20), tick=False):
        adviser = as_role("adviser")
        started_at = _opened(adviser, world)
    with time_machine.travel(NOW - timedelta(minutes=15), tick=False):  # 13:45 in London
        before = counts()
        # A good first case alongside: a refusal anywhere saves none of it.
        good = {"cases-4-service": str(world.moving.id), "cases-4-summary": "Moving"}
        data = {**_data(world, started_at), **good, **changes}
        response = post(adviser, _url(world), data)
        assert response.status_code == 422
        text = page(response)
        assert "There is a problem" in text
        assert f'href="#{field}"' in text
        assert message in text
        assert counts() == before


def test_more_rows_than_offered_are_refused(as_role, world):
    adviser = as_role("adviser")
    started_at = _opened(adviser, world)
    rows = {}
    for n in range(6):
        rows[f"cases-{n}-service"] = str(world.bins.id)
        rows[f"cases-{n}-summary"] = f"Case {n}"
    before = counts()
    response = post(adviser, _url(world), _data(world, started_at, **rows))
    assert response.status_code == 422
    assert "Raise no more than 5 cases from one contact" in page(response)
    assert counts() == before


def test_a_row_beyond_the_fifth_is_refused(as_role, world):
    adviser = as_role("adviser")
    started_at = _opened(adviser, world)
    before = counts()
    rows = {"cases-7-service": str(world.bins.id), "cases-7-summary": "Sneaky"}
    response = post(adviser, _url(world), _data(world, started_at, **rows))
    assert response.status_code == 422
    assert counts() == before


def test_rows_keep_their_places_when_some_are_skipped(as_role, world):
    adviser = as_role("adviser")
    started_at = _opened(adviser, world)
    rows = {
        "cases-1-service": str(world.bins.id),
        "cases-1-summary": "Second row",
        "cases-3-service": str(world.moving.id),
        "cases-3-summary": "Fourth row",
    }
    assert post(adviser, _url(world), _data(world, started_at, **rows)).status_code == 302
    [contact] = _contacts(world)
    assert [c.summary for c in contact.cases] == ["Second row", "Fourth row"]


def test_five_cases_are_fine(as_role, world):
    adviser = as_role("adviser")
    started_at = _opened(adviser, world)
    rows = {}
    for n in range(5):
        rows[f"cases-{n}-service"] = str(world.bins.id)
        rows[f"cases-{n}-summary"] = f"Case {n} 🚮 مرحبا"
    assert post(adviser, _url(world), _data(world, started_at, **rows)).status_code == 302
    [contact] = _contacts(world)
    assert [c.summary for c in contact.cases] == [f"Case {n} 🚮 مرحبا" for n in range(5)]


@pytest.mark.parametrize("role", ["partner_user", "administrator"])
def test_only_front_office_staff_log_contacts(as_role, world, role):
    user = as_role(role, partner=world.north)
    before = counts()
    assert user.get(_url(world)).status_code == 403
    assert post(user, _url(world), _data(world, NOW.isoformat())).status_code == 403
    assert counts() == before


def test_an_unknown_customer_is_404(as_role):
    adviser = as_role("adviser")
    assert adviser.get("/staff/customers/424242/contacts/new").status_code == 404


def test_the_contact_page_is_for_front_office_staff_and_audited(as_role, world):
    contact = ContactFactory(customer=world.customer, reason="Asked about <b>bins</b>")
    db.session.commit()
    adviser = as_role("adviser")
    response = adviser.get(f"/staff/contacts/{contact.id}")
    assert response.status_code == 200
    assert "Asked about <b>bins</b>" in page(response)
    assert "&lt;b&gt;" in response.get_data(as_text=True)
    [audit] = audits("view", "contact", world.customer.id)
    assert audit.record_id == str(contact.id)
    assert adviser.get("/staff/contacts/99999999999999").status_code == 404


@pytest.mark.parametrize(("role", "status"), [("partner_user", 404), ("administrator", 403)])
def test_others_cannot_read_contacts(as_role, world, role, status):
    contact = ContactFactory(customer=world.customer)
    db.session.commit()
    user = as_role(role, partner=world.north)
    assert user.get(f"/staff/contacts/{contact.id}").status_code == status
