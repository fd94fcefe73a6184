"""Which services are offered to be told of an event at an address: the tell rules.

A rule names an event kind, a service and an area (anywhere, a district, a ward). Every
active rule covering the address offers its service; the partner that is then told is the
one the routing rules name for that service there. In a two-tier area the county's services
and the district's are both offered, each delivered by its own tier.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from frontoffice import config_cache
from frontoffice.catalogue.models import Service
from frontoffice.extensions import db
from frontoffice.life_events import shares
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


def covers(rule: TellRule | TellRef, place: Place) -> bool:
    if rule.area_kind is AreaKind.ANY:
        return True
    if rule.area_kind is AreaKind.DISTRICT:
        return bool(place.district_code) and rule.area_code == place.district_code
    return bool(place.ward_code) and rule.area_code == place.ward_code


@dataclass(frozen=True)
class Offer:
    service: Service
    purpose: str
    shares: frozenset[str]  # the groups of details the service is sent (shares.GROUPS)


@dataclass(frozen=True)
class TellRef:
    """An active tell rule as kept per process (frontoffice.config_cache)."""

    service_id: int
    area_kind: AreaKind
    area_code: str
    purpose: str
    shares: tuple[str, ...] | None


@dataclass(frozen=True)
class _Kept:
    rules: dict[EventKind, list[TellRef]]
    services: dict[int, dict[str, Any]]  # the columns of each service a rule names


def offered(kind: EventKind, place: Place) -> list[Offer]:
    """The services to offer the informant, each once, by the catalogue's order of names."""
    kept = config_cache.cached("tell_rules", _read_all)
    if kept is None:
        rules: list[TellRule | TellRef] = list(
            db.session.scalars(
                select(TellRule).where(TellRule.event_kind == kind, TellRule.active.is_(True))
            )
        )
        services = {r.service_id: r.service for r in rules}  # type: ignore[union-attr]
        active = {i for i, s in services.items() if s.active}
    else:
        rules = list(kept.rules.get(kind, ()))
        active = {i for i, columns in kept.services.items() if columns["active"]}
    best: dict[int, TellRule | TellRef] = {}
    for rule in rules:
        if rule.service_id not in active or not covers(rule, place):
            continue
        held = best.get(rule.service_id)
        rank = resolve.SPECIFICITY[rule.area_kind.value]
        if held is None or rank > resolve.SPECIFICITY[held.area_kind.value]:
            best[rule.service_id] = rule
    if kept is not None:
        services = {i: _in_session(kept.services[i]) for i in best}
    return sorted(
        (
            Offer(services[r.service_id], r.purpose, shares.shared(kind, r.shares))
            for r in best.values()
        ),
        key=lambda o: o.service.name,
    )


def _read_all() -> _Kept:
    rows = db.session.execute(
        select(
            TellRule.event_kind,
            TellRule.service_id,
            TellRule.area_kind,
            TellRule.area_code,
            TellRule.purpose,
            TellRule.shares,
        ).where(TellRule.active.is_(True))
    ).all()
    rules: dict[EventKind, list[TellRef]] = {}
    for kind, service_id, area_kind, area_code, purpose, chosen in rows:
        rule = TellRef(service_id, area_kind, area_code, purpose, tuple(chosen) if chosen else None)
        rules.setdefault(kind, []).append(rule)
    columns = [getattr(Service, a.key) for a in inspect(Service).column_attrs]
    services = {
        row.id: dict(row._mapping)
        for row in db.session.execute(
            select(*columns).where(Service.id.in_({r.service_id for r in rows}))
        )
    }
    return _Kept(rules, services)


def _in_session(columns: dict[str, Any]) -> Service:
    """The service as a row of this session, made from the kept columns without a read
    (or the session's own, if it holds it already)."""
    key = identity_key(Service, columns["id"])
    held = db.session.identity_map.get(key)
    if held is not None:
        return held  # type: ignore[return-value]
    service = Service(**columns)
    make_transient_to_detached(service)
    db.session.add(service)
    return service
