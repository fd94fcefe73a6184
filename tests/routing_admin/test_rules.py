"""The routing rules pages: list, add, change, and the check before saving."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from frontoffice import clock
from frontoffice.extensions import db
from frontoffice.gazetteer.models import GazetteerAddress
from frontoffice.routing.models import AreaKind, RoutingRule
from tests.factories import PartnerFactory, ServiceFactory
from tests.routing_admin.helpers import (
    NEW_RULE,
    RULES,
    assert_error,
    audit_events,
    count,
    day,
    error_by_field,
    hidden_fields,
    make_rule,
    text,
)


@pytest.fixture
def world():
    north = PartnerFactory(name="Northvale District Council")
    east = PartnerFactory(name="Eastmoor District Council")
    county = PartnerFactory(name="Shire County Council")
    bins = ServiceFactory(name="Missed bin", owning_partner=north)
    potholes = ServiceFactory(name="Pothole", owning_partner=county)
    db.session.commit()
    return {"north": north, "east": east, "county": county, "bins": bins, "potholes": potholes}


def form(world, **changes) -> dict:
    values = {
        "service": str(world["potholes"].id),
        "area_kind": "any",
        "area_code": "",
        "priority": "100",
        "effective_from": day(date(2021, 4, 1)),
        "effective_to": ["", "", ""],
        "partner_ids": [str(world["county"].id)],
        "note": "County highways",
    }
    values.update(changes)
    return values


def test_the_list_shows_every_rule_by_service_and_filters_by_service(admin, world):
    make_rule(world["bins"], [world["north"]], "district", "E07000001", priority=200)
    make_rule(world["bins"], [world["east"]], "ward", "E05000101", end=date(2030, 3, 31))
    make_rule(world["potholes"], [world["county"]], active=False, note="Old county rule")
    db.session.commit()
    page = text(admin.get(RULES))
    for expected in (
        "Missed bin",
        "Pothole",
        "District E07000001",
        "Ward E05000101",
        "Everywhere",
        "200",
        "Northvale District Council",
        "Eastmoor District Council",
        "31 March 2030",
        "1 January 2020",
        "Switched off",
        "In force",
    ):
        assert expected in page, expected
    only = text(admin.get(f"{RULES}?service={world['bins'].id}"))
    assert "District E07000001" in only and "Old county rule" not in only
    assert "Everywhere" not in only
    # A filter naming no known service shows them all, rather than failing.
    assert "Old county rule" in text(admin.get(f"{RULES}?service=nonsense"))


def test_the_list_warns_of_problems_the_rules_already_have(admin, world):
    make_rule(world["bins"], [world["north"]], "district", "E07000001")
    make_rule(world["potholes"], [world["county"]], "district", "E07000002")
    db.session.commit()
    page = text(admin.get(RULES))
    assert "No rule covers district E07000002" in page  # bins: nothing for E07000002
    assert "No rule covers district E07000001" in page  # potholes: nothing for E07000001


def test_a_rule_without_problems_is_saved_at_once_and_audited(admin, world):
    before = count(RoutingRule)
    response = admin.post(NEW_RULE, form(world))
    assert response.status_code == 302, text(response)[:3000]
    assert count(RoutingRule) == before + 1
    saved = db.session.scalars(db.select(RoutingRule)).one()
    assert saved.area_kind is AreaKind.ANY and saved.area_code == ""
    assert saved.effective_from == date(2021, 4, 1) and saved.effective_to is None
    assert [p.id for p in saved.partners] == [world["county"].id] and saved.active
    (event,) = audit_events("routing_rule")
    assert event.action == "create" and event.record_id == str(saved.id)
    assert event.details["rule"]["partner_ids"] == [world["county"].id]
    assert event.actor_id == admin.user.id


def test_a_district_code_is_tidied_before_it_is_saved(admin, world):
    make_rule(world["bins"], [world["north"]])  # 'any' covers every district: no gap
    db.session.commit()
    response = admin.post(
        NEW_RULE,
        form(
            world,
            service=str(world["bins"].id),
            area_kind="district",
            area_code="  e07000001 ",
            priority="300",
            partner_ids=[str(world["north"].id)],
        ),
    )
    assert response.status_code == 302, text(response)[:3000]
    (rule,) = [r for r in db.session.scalars(db.select(RoutingRule)) if r.priority == 300]
    assert rule.area_kind is AreaKind.DISTRICT and rule.area_code == "E07000001"


HOSTILE = "<script>alert(1)</script>"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"service": ""}, "service", "Select a service"),
        ({"service": "999999"}, "service", "Select a service from the list"),
        ({"service": HOSTILE}, "service", "Select a service from the list"),
        ({"area_kind": "planet"}, "area_kind", "Select where the rule applies"),
        ({"area_kind": "district", "area_code": ""}, "area_code", "Enter the district code"),
        ({"area_kind": "ward", "area_code": ""}, "area_code", "Enter the ward code"),
        ({"area_kind": "district", "area_code": "E0700001"}, "area_code", "District code must"),
        ({"area_kind": "district", "area_code": "X07000001"}, "area_code", "District code must"),
        ({"area_kind": "ward", "area_code": "E050001011"}, "area_code", "Ward code must"),
        ({"area_kind": "ward", "area_code": "E０５000101"}, "area_code", "Ward code must"),
        ({"area_kind": "ward", "area_code": HOSTILE}, "area_code", "Ward code must"),
        ({"area_kind": "ward", "area_code": "E" + "1" * 5000}, "area_code", "Ward code must"),
        ({"priority": ""}, "priority", "Enter a priority"),
        ({"priority": "0"}, "priority", "Priority must be between 1 and 1000"),
        ({"priority": "1001"}, "priority", "Priority must be between 1 and 1000"),
        ({"priority": "9" * 5000}, "priority", "Priority must be between 1 and 1000"),
        ({"priority": "-5"}, "priority", "Priority must be a whole number"),
        ({"priority": "1e3"}, "priority", "Priority must be a whole number"),
        ({"priority": "١٠٠"}, "priority", "Priority must be a whole number"),
        ({"effective_from": ["", "", ""]}, "effective_from", "Enter the date the rule starts"),
        ({"effective_from": ["31", "2", "2027"]}, "effective_from", "must be a real date"),
        ({"effective_from": ["1", "4", ""]}, "effective_from", "must include a year"),
        ({"effective_from": ["1", "4", "27"]}, "effective_from", "Year must include 4 numbers"),
        ({"effective_from": ["1", "1", "1066"]}, "effective_from", "between 2000 and 2199"),
        ({"effective_to": ["31", "12", "9999"]}, "effective_to", "between 2000 and 2199"),
        ({"effective_to": ["31", "3", "2021"]}, "effective_to", "same as or after the start"),
        ({"partner_ids": []}, "partner_ids", "Select at least one partner"),
        ({"partner_ids": ["999999"]}, "partner_ids", "Select a partner from the list"),
        ({"partner_ids": [HOSTILE]}, "partner_ids", "Select a partner from the list"),
        ({"note": "x" * 1001}, "note", "Note must be 1,000 characters or fewer"),
        ({"note": "bad\x00byte"}, "note", "Note must not contain special characters"),
    ],
)
def test_a_bad_rule_is_refused_by_the_field_and_nothing_is_saved(
    admin, world, changes, field, message
):
    before = count(RoutingRule)
    response = admin.post(NEW_RULE, form(world, **changes))
    assert_error(response, field, message)
    assert count(RoutingRule) == before
    assert audit_events("routing_rule") == []
    assert HOSTILE not in text(response)


def test_an_empty_submission_names_every_missing_answer(admin, world):
    response = admin.post(
        NEW_RULE, {"area_kind": "", "priority": "", "effective_from": ["", "", ""]}
    )
    html = text(response)
    assert response.status_code == 422
    for field, message in (
        ("service", "Select a service"),
        ("area_kind", "Select where the rule applies"),
        ("priority", "Enter a priority"),
        ("effective_from", "Enter the date the rule starts"),
        ("partner_ids", "Select at least one partner"),
    ):
        assert message in error_by_field(html, field)
    assert count(RoutingRule) == 0


def test_an_overlap_is_shown_before_saving_and_saving_anyway_saves_it(admin, world):
    existing = make_rule(world["potholes"], [world["county"]])
    db.session.commit()
    response = admin.post(NEW_RULE, form(world, partner_ids=[str(world["north"].id)]))
    html = text(response)
    assert response.status_code == 200
    assert f"Overlap: Rule {existing.id} and the new rule cover the same area" in html
    assert "Save anyway" in html and "Change the rule" in html
    assert count(RoutingRule) == 1

    echoed = hidden_fields(html)
    assert echoed["partner_ids"] == [str(world["north"].id)]
    assert echoed["effective_from"] == ["1", "4", "2021"]
    saved = admin.client.post(NEW_RULE, data=echoed)
    assert saved.status_code == 302, text(saved)[:3000]
    assert count(RoutingRule) == 2
    (event,) = audit_events("routing_rule")
    assert event.action == "create"
    assert event.details["accepted_problems"] == [
        f"Rule {existing.id} and the new rule cover the same area with the same priority "
        "at the same time"
    ]


def test_change_the_rule_goes_back_to_the_form_with_the_answers(admin, world):
    make_rule(world["potholes"], [world["county"]])
    db.session.commit()
    confirm = admin.post(NEW_RULE, form(world, partner_ids=[str(world["north"].id)]))
    back = dict(hidden_fields(text(confirm)), change=["yes"])
    page = admin.client.post(NEW_RULE, data=back)
    html = text(page)
    assert page.status_code == 200 and "govuk-error-summary" not in html
    assert "County highways" in html and 'value="2021"' in html
    assert count(RoutingRule) == 1


def test_a_confirmation_for_other_problems_asks_again(admin, world):
    make_rule(world["potholes"], [world["county"]])
    db.session.commit()
    confirm = admin.post(NEW_RULE, form(world, partner_ids=[str(world["north"].id)]))
    stale = dict(hidden_fields(text(confirm)), confirm=["yes"])
    again = admin.client.post(NEW_RULE, data=stale)
    assert again.status_code == 200 and "Save anyway" in text(again)
    assert count(RoutingRule) == 1


def test_ending_a_district_rule_shows_the_gap_it_leaves(admin, world):
    make_rule(world["bins"], [world["north"]], "district", "E07000001")
    east = make_rule(world["bins"], [world["east"]], "district", "E07000002")
    db.session.commit()
    end = clock.today() + timedelta(days=40)
    response = admin.post(
        f"{RULES}/{east.id}",
        form(
            world,
            service=str(world["bins"].id),
            area_kind="district",
            area_code="E07000002",
            partner_ids=[str(world["east"].id)],
            effective_from=day(date(2020, 1, 1)),
            effective_to=day(end),
            note="",
            active="y",
        ),
    )
    html = text(response)
    assert response.status_code == 200
    gap = f"This leaves a gap: no rule covers district E07000002 from {end + timedelta(days=1)}"
    assert gap in html
    db.session.refresh(east)
    assert east.effective_to is None
    saved = admin.client.post(f"{RULES}/{east.id}", data=hidden_fields(html))
    assert saved.status_code == 302
    db.session.refresh(east)
    assert east.effective_to == end
    (event,) = audit_events("routing_rule")
    assert event.action == "update" and event.details["changed"]["effective_to"] == [
        None,
        end.isoformat(),
    ]


def test_districts_of_the_gazetteer_count_and_old_problems_are_told_apart(admin, world):
    db.session.add(
        GazetteerAddress(
            uprn="100000000001",
            line_1="1 High Street",
            postcode="NV9 9ZZ",
            postcode_key="NV99ZZ",
            district_code="E07000003",
        )
    )
    make_rule(world["bins"], [world["north"]], "district", "E07000001")
    db.session.commit()
    response = admin.post(
        NEW_RULE,
        form(
            world,
            service=str(world["bins"].id),
            area_kind="district",
            area_code="E07000002",
            partner_ids=[str(world["east"].id)],
        ),
    )
    html = text(response)
    assert response.status_code == 200
    assert "no rule covers district E07000003" in html
    assert "already the case before this change" in html


def test_switching_a_rule_off_is_an_edit_and_is_audited(admin, world):
    rule = make_rule(world["potholes"], [world["county"]], priority=50)
    make_rule(world["potholes"], [world["north"]], priority=10)  # still covers everywhere
    db.session.commit()
    url = f"{RULES}/{rule.id}"
    page = text(admin.get(url))
    assert 'name="active"' in page and "checked" in page
    response = admin.post(
        url, form(world, priority="50", effective_from=day(date(2020, 1, 1)), note="")
    )
    assert response.status_code == 302, text(response)[:3000]
    db.session.refresh(rule)
    assert rule.active is False and count(RoutingRule) == 2
    (event,) = audit_events("routing_rule")
    assert event.action == "deactivate" and event.details["changed"] == {"active": [True, False]}


def test_saving_an_unchanged_rule_changes_and_audits_nothing(admin, world):
    rule = make_rule(world["potholes"], [world["county"]], note="County highways")
    db.session.commit()
    response = admin.post(
        f"{RULES}/{rule.id}", form(world, effective_from=day(date(2020, 1, 1)), active="y")
    )
    assert response.status_code == 302
    assert audit_events("routing_rule") == []
    assert "Nothing was changed" in text(admin.get(response.headers["Location"]))


def test_the_service_of_a_saved_rule_cannot_be_changed(admin, world):
    rule = make_rule(world["potholes"], [world["county"]])
    db.session.commit()
    response = admin.post(
        f"{RULES}/{rule.id}",
        form(world, service=str(world["bins"].id), effective_from=day(date(2020, 1, 1))),
    )
    assert response.status_code in (200, 302)
    db.session.refresh(rule)
    assert rule.service_id == world["potholes"].id


def test_an_unknown_rule_is_a_404(admin):
    assert admin.get(f"{RULES}/999999").status_code == 404


@pytest.mark.parametrize("role", ["adviser", "supervisor", "partner_user"])
def test_only_administrators_may_see_or_change_rules(as_role, world, role):
    rule = make_rule(world["potholes"], [world["county"]])
    db.session.commit()
    client = as_role(role)
    for url in (RULES, NEW_RULE, f"{RULES}/{rule.id}"):
        assert client.get(url).status_code == 403, url
    for url in (NEW_RULE, f"{RULES}/{rule.id}"):
        assert client.client.post(url, data=form(world)).status_code == 403, url
    assert count(RoutingRule) == 1 and audit_events("routing_rule") == []


def test_signed_out_people_are_sent_to_sign_in(client, world):
    response = client.get(RULES)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_administrators_menu_links_to_both_pages(admin):
    page = text(admin.get("/staff/"))
    assert "Routing rules" in page and "Partner systems" in page
