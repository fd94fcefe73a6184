"""Which services are offered to be told of an event at an address: the tell rules.

A rule names an event kind, a service and an area (anywhere, a district, a ward). Every
active rule covering the address offers its service; the partner that is then told is the
one the routing rules name for that service there. In a two-tier area the county's services
and the district's are both offered, each delivered by its own tier.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from frontoffice.catalogue.models import Service
from frontoffice.extensions import db
from frontoffice.life_events.models import EventKind, TellRule
from frontoffice.routing import resolve
from frontoffice.routing.models import AreaKind


@dataclass(frozen=True)
class Place:
    uprn: str | None
    district_code: str | None
    ward_code: str | None


def place_of(uprn: str | None) -> Place:
    from frontoffice.gazetteer import queries as gazetteer

    found = gazetteer.by_uprn(uprn) if uprn else None
    if found is None:
        return Place(uprn, None, None)
    return Place(uprn, found.district_code, found.ward_code)


def covers(rule: TellRule, place: Place) -> bool:
    if rule.area_kind is AreaKind.ANY:
        return True
    if rule.area_kind is AreaKind.DISTRICT:
        return bool(place.district_code) and rule.area_code == place.district_code
    return bool(place.ward_code) and rule.area_code == place.ward_code


@dataclass(frozen=True)
class Offer:
    service: Service
    purpose: str


def offered(kind: EventKind, place: Place) -> list[Offer]:
    """The services to offer the informant, each once, by the catalogue's order of names."""
    rules = db.session.scalars(
        select(TellRule).where(TellRule.event_kind == kind, TellRule.active.is_(True))
    ).all()
    best: dict[int, TellRule] = {}
    for rule in rules:
        if not rule.service.active or not covers(rule, place):
            continue
        held = best.get(rule.service_id)
        rank = resolve.SPECIFICITY[rule.area_kind.value]
        if held is None or rank > resolve.SPECIFICITY[held.area_kind.value]:
            best[rule.service_id] = rule
    return sorted(
        (Offer(r.service, r.purpose) for r in best.values()), key=lambda o: o.service.name
    )
