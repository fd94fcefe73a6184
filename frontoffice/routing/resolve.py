"""Deciding which partner(s) deliver a case: pure functions over plain rule data.

A rule matches a case when it is for the case's service, active, in force on the day, and its
area covers the case's address (a ward rule covers that ward, a district rule that district,
an 'any' rule everywhere). The most specific matching area wins (ward, then district, then
any); among those, the highest priority. Two different winning rules with the same
specificity and priority cannot be told apart: the case goes to triage rather than guessing.
No matching rule, or an address we cannot place when only area rules exist: triage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

SPECIFICITY = {"ward": 2, "district": 1, "any": 0}


@dataclass(frozen=True)
class Rule:
    id: int
    service_id: int
    area_kind: str
    area_code: str
    priority: int
    effective_from: date
    effective_to: date | None
    partner_ids: tuple[int, ...]
    active: bool = True

    def in_force(self, day: date) -> bool:
        return (
            self.active
            and self.effective_from <= day
            and (self.effective_to is None or day <= self.effective_to)
        )

    def covers(self, district_code: str | None, ward_code: str | None) -> bool:
        if self.area_kind == "any":
            return True
        if self.area_kind == "district":
            return bool(district_code) and self.area_code == district_code
        if self.area_kind == "ward":
            return bool(ward_code) and self.area_code == ward_code
        return False


@dataclass(frozen=True)
class Route:
    partner_ids: tuple[int, ...]
    rule_id: int | None
    triage_reason: str = ""

    @property
    def needs_triage(self) -> bool:
        return not self.partner_ids


def resolve(
    rules: Iterable[Rule],
    *,
    service_id: int,
    district_code: str | None,
    ward_code: str | None,
    on: date,
) -> Route:
    matching = [
        r
        for r in rules
        if r.service_id == service_id and r.in_force(on) and r.covers(district_code, ward_code)
    ]
    if not matching:
        where = district_code or ward_code or "an address we could not place"
        return Route((), None, f"No routing rule covers this service in {where} on {on}")
    best_key = max((SPECIFICITY[r.area_kind], r.priority) for r in matching)
    winners = [r for r in matching if (SPECIFICITY[r.area_kind], r.priority) == best_key]
    if len({r.partner_ids for r in winners}) > 1:
        ids = ", ".join(str(r.id) for r in winners)
        return Route((), None, f"Routing rules {ids} overlap with the same priority")
    winner = min(winners, key=lambda r: r.id)
    if not winner.partner_ids:
        return Route((), winner.id, f"Routing rule {winner.id} names no partner")
    return Route(winner.partner_ids, winner.id)


@dataclass(frozen=True)
class RuleProblem:
    kind: str  # "overlap" or "gap"
    message: str


def check_rules(
    rules: Iterable[Rule], *, service_id: int, district_codes: Iterable[str], on: date
) -> list[RuleProblem]:
    """What an administrator should see before saving a service's rules."""
    rules = [r for r in rules if r.service_id == service_id]
    problems: list[RuleProblem] = []
    for i, a in enumerate(rules):
        for b in rules[i + 1 :]:
            if (
                a.active
                and b.active
                and (a.area_kind, a.area_code, a.priority) == (b.area_kind, b.area_code, b.priority)
                and _windows_overlap(a, b)
                and a.partner_ids != b.partner_ids
            ):
                problems.append(
                    RuleProblem(
                        "overlap",
                        f"Rules {a.id} and {b.id} cover the same area with the same priority "
                        "at the same time",
                    )
                )
    # A gap can open later, when a rule ends with no successor: check every boundary from `on`.
    days = {on}
    for r in rules:
        if r.effective_from > on:
            days.add(r.effective_from)
        if r.effective_to is not None and r.effective_to >= on:
            days.add(r.effective_to + timedelta(days=1))
    for district in district_codes:
        for day in sorted(days):
            route = resolve(
                rules, service_id=service_id, district_code=district, ward_code=None, on=day
            )
            if (
                route.needs_triage
                and route.rule_id is None
                and "overlap" not in route.triage_reason
            ):
                problems.append(
                    RuleProblem("gap", f"No rule covers district {district} from {day}")
                )
                break
    return problems


def _windows_overlap(a: Rule, b: Rule) -> bool:
    a_end = a.effective_to or date.max
    b_end = b.effective_to or date.max
    return a.effective_from <= b_end and b.effective_from <= a_end
