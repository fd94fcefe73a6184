"""Work queues: tabs, filters, order, paging, and what each role may see."""

from __future__ import annotations

import re
from datetime import date

import pytest

from frontoffice.cases.status import CaseStatus
from frontoffice.extensions import db
from tests.cases.fixtures import audits, page
from tests.factories import CaseFactory, StaffUserFactory

QUEUE = "/staff/cases/"


def _case(world, **kwargs):
    kwargs.setdefault("customer", world.customer)
    kwargs.setdefault("service", world.bins)  # owned by north
    return CaseFactory(**kwargs)


def _listed(response) -> list[str]:
    assert response.status_code == 200, page(response)[:3000]
    return re.findall(r'data-case="(FO-\d+)"', response.get_data(as_text=True))


def test_tabs_for_an_adviser(as_role, world):
    adviser = as_role("adviser", partner=world.north, team="Contact centre")
    teammate = StaffUserFactory(partner=world.north, team="Contact centre")
    elsewhere = StaffUserFactory(partner=world.south, team="Contact centre")
    other_team = StaffUserFactory(partner=world.north, team="Revenues")
    mine = _case(world, assigned_to=adviser.user)
    teams = _case(world, assigned_to=teammate)
    pool = _case(world)  # unassigned, owned by north (my partner)
    south_pool = _case(world, service=world.moving)  # unassigned, owned by south
    same_team_other_partner = _case(world, assigned_to=elsewhere)
    other = _case(world, assigned_to=other_team)
    db.session.commit()

    assert _listed(adviser.get(QUEUE)) == [mine.reference]  # "My cases" by default
    assert sorted(_listed(adviser.get(QUEUE + "?tab=team"))) == sorted(
        [mine.reference, teams.reference, pool.reference]
    )
    everything = _listed(adviser.get(QUEUE + "?tab=all"))
    for case in (mine, teams, pool, south_pool, same_team_other_partner, other):
        assert case.reference in everything


def test_partner_users_only_ever_see_their_partners_cases(as_role, world):
    partner_user = as_role("partner_user", partner=world.north, team="Waste")
    ours = _case(world, assigned_to=partner_user.user)
    ours_unassigned = _case(world)
    theirs = _case(world, service=world.moving, assigned_to=partner_user.user)  # tampered data
    db.session.commit()
    for tab in ("mine", "team", "all"):
        listed = _listed(partner_user.get(f"{QUEUE}?tab={tab}&status=all"))
        assert theirs.reference not in listed
        assert ours.reference in listed
    assert ours_unassigned.reference in _listed(partner_user.get(QUEUE + "?tab=all"))
    assert partner_user.get(f"/staff/cases/{theirs.id}").status_code == 404
    text = page(partner_user.get(QUEUE + "?tab=all"))
    assert "South District Council" not in text  # not even as a filter option
    response = partner_user.get(f"{QUEUE}?tab=all&partner={world.south.id}")
    assert response.status_code == 422
    assert "Select a partner from the list" in page(response)
    assert theirs.reference not in page(response)


def test_filters_by_status_service_partner_and_overdue(as_role, world):
    adviser = as_role("adviser")
    new_bin = _case(world, due_date=date(2020, 1, 1))
    working_bin = _case(world, status=CaseStatus.IN_PROGRESS, due_date=date(2999, 1, 1))
    closed_bin = _case(world, status=CaseStatus.CLOSED)
    moving = _case(world, service=world.moving)
    db.session.commit()
    base = f"{QUEUE}?tab=all"

    def listed(query: str) -> set[str]:
        return set(_listed(adviser.get(base + query)))

    by_bins = f"&service={world.bins.id}"
    assert listed(by_bins) == {new_bin.reference, working_bin.reference}  # open by default
    assert listed(by_bins + "&status=all") == {
        r.reference for r in (new_bin, working_bin, closed_bin)
    }
    assert listed(by_bins + "&status=closed") == {closed_bin.reference}
    assert listed(by_bins + "&status=in_progress") == {working_bin.reference}
    assert listed(by_bins + "&overdue=y") == {new_bin.reference}
    assert moving.reference in listed(f"&partner={world.south.id}")
    assert not listed(f"&partner={world.south.id}") & {new_bin.reference, working_bin.reference}
    text = page(adviser.get(base + by_bins))
    assert "Overdue" in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=sideways", "Select a status from the list"),
        ("service=abc", "Select a service from the list"),
        ("service=99999999999999999999", "Select a service from the list"),
        ("partner=<script>", "Select a partner from the list"),
    ],
)
def test_bad_filters_are_explained(as_role, world, query, message):
    adviser = as_role("adviser")
    response = adviser.get(f"{QUEUE}?tab=all&{query}")
    assert response.status_code == 422
    text = page(response)
    assert "There is a problem" in text
    assert message in text


@pytest.mark.parametrize("query", ["tab=everyone", "page=0", "page=abc", "page=-1", "page=2"])
def test_unknown_tabs_and_pages_are_404(as_role, world, query):
    adviser = as_role("adviser")
    assert adviser.get(f"{QUEUE}?{query}").status_code == 404


def test_sorted_by_due_date_and_paged_by_fifty(as_role, world):
    adviser = as_role("adviser")
    undated = _case(world, assigned_to=adviser.user)
    dated = [
        _case(world, assigned_to=adviser.user, due_date=date(2030, 1, 1 + n % 28))
        for n in range(50)
    ]
    db.session.commit()
    first = _listed(adviser.get(QUEUE))
    assert len(first) == 50
    expected = [c.reference for c in sorted(dated, key=lambda c: (c.due_date, c.id))]
    assert first == expected
    text = page(adviser.get(QUEUE))
    assert "51 cases" in text
    assert "page=2" in text
    assert _listed(adviser.get(QUEUE + "?page=2")) == [undated.reference]  # no due date last
    assert adviser.get(QUEUE + "?page=3").status_code == 404


def test_viewing_a_queue_is_audited(as_role, world):
    adviser = as_role("adviser")
    case = _case(world, assigned_to=adviser.user)
    db.session.commit()
    adviser.get(QUEUE)
    [audit] = [a for a in audits("list", "case") if a.actor_id == adviser.user.id]
    assert audit.details["case_ids"] == [case.id]
    assert audit.details["tab"] == "mine"


def test_administrators_have_no_queue(as_role):
    admin = as_role("administrator")
    assert admin.get(QUEUE).status_code == 403
