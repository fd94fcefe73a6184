from datetime import date

import pytest

from frontoffice.routing.resolve import Rule, check_rules, resolve

pytestmark = pytest.mark.no_db

COUNTY, NORTH, EAST, REVS = 1, 2, 3, 4
BINS, POTHOLE = 10, 11
ON = date(2026, 11, 28)


def rule(
    id, service, partners, kind="any", code="", priority=100, start=date(2020, 1, 1), end=None
):
    return Rule(id, service, kind, code, priority, start, end, tuple(partners))


def test_district_service_goes_to_the_district_of_the_address_county_service_to_the_county():
    rules = [
        rule(1, BINS, [NORTH], "district", "E07000001"),
        rule(2, BINS, [EAST], "district", "E07000002"),
        rule(3, POTHOLE, [COUNTY]),
    ]
    assert resolve(
        rules, service_id=BINS, district_code="E07000002", ward_code=None, on=ON
    ).partner_ids == (EAST,)
    assert resolve(
        rules, service_id=POTHOLE, district_code="E07000002", ward_code=None, on=ON
    ).partner_ids == (COUNTY,)


def test_the_most_specific_area_wins_then_the_highest_priority():
    rules = [
        rule(1, BINS, [COUNTY], priority=500),
        rule(2, BINS, [NORTH], "district", "E07000001", priority=1),
        rule(3, BINS, [EAST], "ward", "E05000101", priority=1),
        rule(4, BINS, [REVS], "district", "E07000001", priority=2),
    ]
    assert resolve(
        rules, service_id=BINS, district_code="E07000001", ward_code="E05000101", on=ON
    ).partner_ids == (EAST,)
    assert resolve(
        rules, service_id=BINS, district_code="E07000001", ward_code="E05000999", on=ON
    ).partner_ids == (REVS,)
    assert resolve(
        rules, service_id=BINS, district_code="E07000009", ward_code=None, on=ON
    ).partner_ids == (COUNTY,)


def test_a_shared_service_moves_between_partners_on_the_day_the_rules_say():
    rules = [
        rule(1, BINS, [NORTH], end=date(2026, 12, 31)),
        rule(2, BINS, [EAST], start=date(2027, 1, 1)),
    ]
    assert resolve(
        rules, service_id=BINS, district_code=None, ward_code=None, on=date(2026, 12, 31)
    ).partner_ids == (NORTH,)
    assert resolve(
        rules, service_id=BINS, district_code=None, ward_code=None, on=date(2027, 1, 1)
    ).partner_ids == (EAST,)


def test_one_rule_can_send_a_case_to_several_partners():
    rules = [rule(1, BINS, [NORTH, REVS])]
    assert resolve(
        rules, service_id=BINS, district_code=None, ward_code=None, on=ON
    ).partner_ids == (NORTH, REVS)


def test_no_rule_or_an_unplaceable_address_or_a_tie_goes_to_triage():
    rules = [
        rule(1, BINS, [NORTH], "district", "E07000001"),
        rule(2, POTHOLE, [COUNTY], priority=5),
        rule(3, POTHOLE, [EAST], priority=5),
        rule(4, BINS, [EAST], "district", "E07000002", end=date(2020, 6, 1)),
    ]
    unplaced = resolve(rules, service_id=BINS, district_code=None, ward_code=None, on=ON)
    assert unplaced.needs_triage and "could not place" in unplaced.triage_reason
    expired = resolve(rules, service_id=BINS, district_code="E07000002", ward_code=None, on=ON)
    assert expired.needs_triage
    tie = resolve(rules, service_id=POTHOLE, district_code="E07000001", ward_code=None, on=ON)
    assert tie.needs_triage and "overlap" in tie.triage_reason


def test_check_rules_shows_overlaps_and_gaps_including_future_ones():
    rules = [
        rule(1, BINS, [NORTH], "district", "E07000001", end=date(2026, 12, 31)),
        rule(2, BINS, [EAST], "district", "E07000002"),
        rule(3, BINS, [REVS], "district", "E07000002"),
    ]
    problems = check_rules(
        rules, service_id=BINS, district_codes=["E07000001", "E07000002", "E07000003"], on=ON
    )
    messages = [(p.kind, p.message) for p in problems]
    assert (
        "overlap",
        "Rules 2 and 3 cover the same area with the same priority at the same time",
    ) in messages
    assert ("gap", "No rule covers district E07000001 from 2027-01-01") in messages
    assert ("gap", f"No rule covers district E07000003 from {ON}") in messages
    assert len(problems) == 3
