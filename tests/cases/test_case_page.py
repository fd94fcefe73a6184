"""The case page: what it shows, to whom, and that reading it is audited."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from frontoffice.cases.models import CaseEventKind
from frontoffice.cases.status import CaseStatus
from frontoffice.cases.views import answer_items
from frontoffice.filters import optional_url
from tests.cases.fixtures import audits, page
from tests.factories import (
    CaseEventFactory,
    CaseFactory,
    ContactFactory,
    StaffUserFactory,
)


def _case(world, **kwargs):
    kwargs.setdefault("customer", world.customer)
    kwargs.setdefault("service", world.bins)
    return CaseFactory(**kwargs)


def test_adviser_sees_the_whole_case_and_the_read_is_audited(as_role, world):
    adviser = as_role("adviser")
    assignee = StaffUserFactory(role="partner_user", partner=world.north, name="Nia North")
    case = _case(
        world,
        summary="Green bin missed\nSecond week running",
        answers={"bin_colour": "green", "collection_days": ["Mon", "Thu"], "side_waste": False},
        due_date=date(2020, 1, 6),
        assigned_to=assignee,
    )
    contact = ContactFactory(customer=world.customer, reason="Rang about the bin")
    contact.cases.append(case)
    response = adviser.get(f"/staff/cases/{case.id}")
    assert response.status_code == 200
    text = page(response)
    for expected in (
        case.reference,
        "Ada Lovelace",
        "Missed bin",
        "North District Council",
        "New",
        "Normal",
        "Phone",
        "6 January 2020",
        "Overdue",
        "Nia North",
        "Second week running",
        "Bin colour",
        "Mon, Thu",
        "Side waste",
        "Linked contacts",
        "Rang about the bin",
    ):
        assert expected in text, expected
    [audit] = audits("view", "case", world.customer.id)
    assert audit.record_id == str(case.id)
    assert audit.actor_id == adviser.user.id


def test_the_customer_links_to_the_customer_record_when_that_page_exists(app, as_role, world):
    adviser = as_role("adviser")
    case = _case(world)
    text = page(adviser.get(f"/staff/cases/{case.id}"))
    with app.test_request_context():
        record_url = optional_url("customers.record", customer_id=world.customer.id)
        assert optional_url("no.such_endpoint") is None
    if record_url is not None:
        assert f'href="{record_url}"' in text


def test_answers_become_readable_rows():
    assert answer_items({"bin_colour": "green", "ok": True, "none": None, "n": 3}) == [
        ("Bin colour", "green"),
        ("Ok", "Yes"),
        ("None", "Not answered"),
        ("N", "3"),
    ]


def test_the_timeline_is_newest_first_with_actor_and_time(as_role, world):
    adviser = as_role("adviser")
    actor = StaffUserFactory(name="Tim Line")
    case = _case(world)
    times = [datetime(2026, 3, day, 9, 30, tzinfo=UTC) for day in (2, 3, 4, 5)]
    CaseEventFactory(case=case, kind=CaseEventKind.CREATED, at=times[0], actor=actor, note="")
    CaseEventFactory(
        case=case,
        kind=CaseEventKind.STATUS_CHANGED,
        at=times[1],
        actor=actor,
        from_status="new",
        to_status="in_progress",
        note="",
    )
    CaseEventFactory(case=case, kind=CaseEventKind.NOTE, at=times[2], actor=actor, note="Rang")
    CaseEventFactory(
        case=case,
        kind=CaseEventKind.REASSIGNED,
        at=times[3],
        actor=actor,
        note="",
        details={"from": None, "to": {"id": actor.id, "name": "Tim Line"}},
    )
    text = page(adviser.get(f"/staff/cases/{case.id}"))
    timeline = text[text.index('id="timeline"') :]
    order = [
        timeline.index("Assigned to Tim Line"),
        timeline.index("Rang"),
        timeline.index("Status changed from new to in progress"),
        timeline.index("Case raised"),
    ]
    assert order == sorted(order)
    assert "5 Mar 2026 09:30" in timeline
    assert "Tim Line" in timeline


def test_only_the_allowed_transitions_are_offered(as_role, world):
    adviser = as_role("adviser")
    case = _case(world, status=CaseStatus.RESOLVED)
    text = page(adviser.get(f"/staff/cases/{case.id}"))
    form = text[text.index('id="status"') : text.index("</select>", text.index('id="status"'))]
    assert 'value="closed"' in form
    assert 'value="in_progress"' in form
    assert 'value="cancelled"' not in form
    assert 'value="new"' not in form
    closed = _case(world, status=CaseStatus.CLOSED)
    text = page(adviser.get(f"/staff/cases/{closed.id}"))
    assert "its status cannot change" in text


def test_partner_user_sees_own_partners_cases_only(as_role, world):
    partner_user = as_role("partner_user", partner=world.north)
    ours = _case(world)
    theirs = _case(world, service=world.moving)  # owned by south
    contact = ContactFactory(customer=world.customer, reason="Front office notes")
    contact.cases.append(ours)
    response = partner_user.get(f"/staff/cases/{ours.id}")
    assert response.status_code == 200
    assert "Front office notes" not in page(response)  # contacts are the front office's own
    response = partner_user.get(f"/staff/cases/{theirs.id}")
    assert response.status_code == 404
    assert theirs.reference not in page(response)
    assert [a.record_id for a in audits("view", "case", world.customer.id)] == [str(ours.id)]


@pytest.mark.parametrize("case_id", ["999999", "99999999999999999999", "0"])
def test_missing_cases_are_404(as_role, case_id):
    adviser = as_role("adviser")
    assert adviser.get(f"/staff/cases/{case_id}").status_code == 404


def test_administrators_see_no_cases(as_role, world):
    admin = as_role("administrator")
    case = _case(world)
    assert admin.get(f"/staff/cases/{case.id}").status_code == 403


def test_anonymous_people_are_sent_to_sign_in(client, world):
    case = _case(world)
    response = client.get(f"/staff/cases/{case.id}")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_overdue_is_judged_on_todays_date(as_role, world):
    case = _case(world, due_date=date(2026, 6, 5))
    with time_machine.travel(datetime(2026, 6, 5, 12, tzinfo=UTC), tick=False):
        adviser = as_role("adviser")
        assert "Overdue" not in page(adviser.get(f"/staff/cases/{case.id}"))
    with time_machine.travel(datetime(2026, 6, 8, 12, tzinfo=UTC), tick=False):
        adviser = as_role("adviser")
        assert "Overdue" in page(adviser.get(f"/staff/cases/{case.id}"))
