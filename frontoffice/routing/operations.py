"""Routing a case: decide its partner(s) from the rules and write one dispatch per partner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.orm import joinedload

from frontoffice import clock, config_cache
from frontoffice.access.actor import Actor
from frontoffice.audit import operations as audit
from frontoffice.cases.models import Case, CaseEvent, CaseEventKind
from frontoffice.customers.models import Customer
from frontoffice.database import transaction_cache
from frontoffice.dispatch import operations as dispatches
from frontoffice.dispatch.models import Dispatch
from frontoffice.dispatch.payloads import case_payload, customer_part
from frontoffice.extensions import db
from frontoffice.partner_webhooks import events as webhooks
from frontoffice.partners.models import Partner
from frontoffice.routing import resolve
from frontoffice.routing.models import RoutingRule


def to_rule(r: RoutingRule) -> resolve.Rule:
    """The plain rule data `resolve` works on, from a routing rule row."""
    return resolve.Rule(
        id=r.id,
        service_id=r.service_id,
        area_kind=r.area_kind.value,
        area_code=r.area_code,
        priority=r.priority,
        effective_from=r.effective_from,
        effective_to=r.effective_to,
        partner_ids=tuple(p.id for p in r.partners),
        active=r.active,
    )


def rules_for(service_id: int) -> list[resolve.Rule]:
    cache = transaction_cache("rules_for")
    if service_id not in cache:
        _read_rules([service_id])
    return cache[service_id]


@dataclass(frozen=True)
class PartnerRef:
    """What routing needs of a partner (a payload's code, a timeline's name), kept per
    process (frontoffice.config_cache) where a Partner row could not be."""

    id: int
    code: str
    name: str


def _all_rules() -> tuple[dict[int, list[resolve.Rule]], dict[int, PartnerRef]]:
    """Every routing rule, by service, and the partners they name: one read per process
    while the set-up is unchanged."""
    by_service: dict[int, list[resolve.Rule]] = {}
    partners: dict[int, PartnerRef] = {}
    rows = (
        db.session.scalars(select(RoutingRule).options(joinedload(RoutingRule.partners)))
        .unique()
        .all()
    )
    for r in rows:
        by_service.setdefault(r.service_id, []).append(to_rule(r))
        partners.update((p.id, PartnerRef(p.id, p.code, p.name)) for p in r.partners)
    return by_service, partners


def _read_rules(service_ids: list[int]) -> None:
    """The rules of these services, read in one go into the transaction's cache."""
    cache = transaction_cache("rules_for")
    missing = [i for i in dict.fromkeys(service_ids) if i not in cache]
    if not missing:
        return
    kept = config_cache.cached("routing_rules", _all_rules)
    if kept is not None:
        by_service, partners = kept
        for service_id in missing:
            cache[service_id] = by_service.get(service_id, [])
        transaction_cache("partners").update(partners)
        return
    for service_id in missing:
        cache[service_id] = []
    rows = (
        db.session.scalars(
            select(RoutingRule)
            .where(RoutingRule.service_id.in_(missing))
            .options(joinedload(RoutingRule.partners))
        )
        .unique()
        .all()
    )
    partners = transaction_cache("partners")
    for r in rows:
        cache[r.service_id].append(to_rule(r))
        partners.update((p.id, p) for p in r.partners)


def _address(uprn: str | None, customer: Customer):
    if not uprn and customer.current_address is not None:
        uprn = customer.current_address.uprn
    if not uprn:
        return None
    from frontoffice.gazetteer import queries as gazetteer

    return gazetteer.by_uprn(uprn)


def plan(rows: list[dict[str, Any]], customer: Customer) -> list[resolve.Route]:
    """Before new cases are written (`rows`, their columns, changed here): each placed from
    its UPRN or the customer's address, and its partners decided, so it is written once,
    owned by the partner that delivers it, or in triage owned by the service's partner."""
    return _plan(rows, [customer] * len(rows), clock.today())


def _plan(rows: list[dict[str, Any]], customers: list[Customer], on: date) -> list[resolve.Route]:
    routes = []
    with db.session.no_autoflush:
        _read_rules([row["service_id"] for row in rows])
        for row, customer in zip(rows, customers, strict=True):
            found = None if row["district_code"] else _address(row["location_uprn"], customer)
            if found is not None:
                row["district_code"], row["ward_code"] = found.district_code, found.ward_code
                if row["latitude"] is None:
                    row["latitude"], row["longitude"] = found.latitude, found.longitude
            route = resolve.resolve(
                rules_for(row["service_id"]),
                service_id=row["service_id"],
                district_code=row["district_code"],
                ward_code=row["ward_code"],
                on=on,
            )
            if route.needs_triage:
                row["triage_reason"] = route.triage_reason
            else:
                row["owning_partner_id"] = route.partner_ids[0]
            routes.append(route)
        dispatches.read_adapters({p for route in routes for p in route.partner_ids})
    return routes


class Routed(NamedTuple):
    events: list[dict[str, Any]]  # routing timeline entries, for the caller to write
    dispatch_ids: list[int]


def write_routes(
    cases: list[Case], routes: list[resolve.Route], actor: Actor, reason: str = "routed"
) -> Routed:
    """After the new cases of `plan` are written: their dispatches (the outbox) and the
    partners' webhook events, each in one INSERT. Returns their routing timeline entries,
    for the caller to write with its own, and the dispatches' ids."""
    now = clock.now()
    events: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    told: list[tuple[Case, tuple[int, ...]]] = []
    customers: dict[int, dict] = {}  # one customer's part of the payload, for all its cases
    for case, route in zip(cases, routes, strict=True):
        if route.needs_triage:
            note = f"Sent to triage: {route.triage_reason}"
            events.append(_event_row(case, actor, CaseEventKind.TRIAGE, note, {}, now))
            continue
        by_id = _partners(route.partner_ids)
        if case.customer_id not in customers:
            customers[case.customer_id] = customer_part(case.customer)
        rows.extend(
            dispatches.row(
                case_id=case.id,
                partner_id=partner_id,
                service_id=case.service_id,
                payload=case_payload(case, by_id[partner_id], customers[case.customer_id]),
                reason=reason,
                now=now,
            )
            for partner_id in route.partner_ids
        )
        names = ", ".join(by_id[p].name for p in route.partner_ids)
        details = {"rule_id": route.rule_id}
        events.append(
            _event_row(case, actor, CaseEventKind.ROUTED, f"Routed to {names}", details, now)
        )
        told.append((case, route.partner_ids))
    ids = dispatches.write_many(rows)
    webhooks.tell_of_new_cases(db.session(), told)
    return Routed(events, ids)


def _event_row(
    case: Case, actor: Actor, kind: CaseEventKind, note: str, details: dict, now: datetime
) -> dict[str, Any]:
    return {
        "case_id": case.id,
        "kind": kind,
        "at": now,
        "actor_id": actor.user_id,
        "from_status": None,
        "to_status": None,
        "note": note,
        "details": details,
    }


def route_case(
    case: Case, actor: Actor, *, on: date | None = None, reason: str = "routed"
) -> list[Dispatch]:
    """Routes a case already written: its dispatches are written in the caller's
    transaction (outbox) and returned."""
    ids = route_cases([case], actor, on=on, reason=reason)
    return list(
        db.session.scalars(select(Dispatch).where(Dispatch.id.in_(ids)).order_by(Dispatch.id))
    )


_PLACE = ("district_code", "ward_code", "latitude", "longitude")  # filled in by _plan


def route_cases(
    cases: list[Case], actor: Actor, *, on: date | None = None, reason: str = "routed"
) -> list[int]:
    """Routes cases already written (a test's, a benchmark's) as raising routes new ones:
    placed and decided by `plan`, written by `write_routes`, a statement each for the batch.
    Returns the ids of their dispatches."""
    db.session.flush()
    rows = [
        {name: getattr(case, name) for name in ("service_id", "location_uprn", *_PLACE)}
        for case in cases
    ]
    routes = _plan(rows, [case.customer for case in cases], on or clock.today())
    for case, row in zip(cases, rows, strict=True):
        for name in _PLACE:
            setattr(case, name, row[name])
        case.triage_reason = row.get("triage_reason", "")
        case.owning_partner_id = row.get("owning_partner_id", case.owning_partner_id)
    routed = write_routes(cases, routes, actor, reason)
    if routed.events:
        db.session.execute(insert(CaseEvent.__table__), routed.events)
    db.session.flush()
    return routed.dispatch_ids


def _partners(ids: tuple[int, ...]) -> dict[int, Partner | PartnerRef]:
    cache = transaction_cache("partners")
    missing = [i for i in ids if i not in cache]
    if missing:
        for partner in db.session.scalars(select(Partner).where(Partner.id.in_(missing))):
            cache[partner.id] = partner
    return {i: cache[i] for i in ids}


def reroute(case: Case, actor: Actor, *, partner_ids: list[int], reason: str) -> list:
    """A supervisor sends a case to other partner(s): undelivered dispatches are cancelled."""
    if not reason.strip():
        raise ValueError("Give a reason for re-routing")
    partners = db.session.scalars(select(Partner).where(Partner.id.in_(partner_ids))).all()
    if not partners or len(partners) != len(set(partner_ids)):
        raise ValueError("Choose a partner")
    dispatches.cancel_open(case.id, f"re-routed: {reason}")
    case.triage_reason = ""
    case.owning_partner_id = partners[0].id
    written = [
        dispatches.write(
            case_id=case.id,
            partner_id=p.id,
            service_id=case.service_id,
            payload=case_payload(case, p),
            reason=f"re-routed: {reason}",
        )
        for p in partners
    ]
    names = ", ".join(p.name for p in partners)
    _event(case, actor, CaseEventKind.ROUTED, f"Re-routed to {names}: {reason}", {"reason": reason})
    audit.record(
        actor,
        "reroute",
        "case",
        case.id,
        customer_id=case.customer_id,
        reason=reason,
        details={"partner_ids": [p.id for p in partners]},
    )
    db.session.flush()
    return written


def _event(
    case: Case, actor: Actor, kind: CaseEventKind, note: str, details: dict | None = None
) -> None:
    db.session.add(
        CaseEvent(
            case_id=case.id, kind=kind, actor_id=actor.user_id, note=note, details=details or {}
        )
    )
