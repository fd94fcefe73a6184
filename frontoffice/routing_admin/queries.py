"""Reads for the routing and partner-system pages. Administrators see the whole partnership's
set-up (and no resident's data), so nothing here is narrowed by user."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import inspect, select
from sqlalchemy.orm import selectinload

from frontoffice.catalogue.models import Service
from frontoffice.dispatch.models import PartnerAdapter
from frontoffice.extensions import db
from frontoffice.partners.models import Partner
from frontoffice.routing import resolve
from frontoffice.routing.models import AreaKind, RoutingRule
from frontoffice.routing.operations import to_rule
from frontoffice.routing_admin.operations import NEW_RULE_ID


def services() -> Sequence[Service]:
    return db.session.scalars(select(Service).order_by(Service.name, Service.id)).all()


def partners() -> Sequence[Partner]:
    return db.session.scalars(select(Partner).order_by(Partner.name, Partner.id)).all()


def partner(partner_id: int) -> Partner | None:
    return db.session.get(Partner, partner_id)


def rule(rule_id: int) -> RoutingRule | None:
    return db.session.scalar(
        select(RoutingRule)
        .where(RoutingRule.id == rule_id)
        .options(selectinload(RoutingRule.partners), selectinload(RoutingRule.service))
    )


def rules(service_id: int | None = None) -> Sequence[RoutingRule]:
    query = (
        select(RoutingRule)
        .join(RoutingRule.service)
        .options(selectinload(RoutingRule.partners), selectinload(RoutingRule.service))
        .order_by(
            Service.name,
            Service.id,
            RoutingRule.area_kind,
            RoutingRule.area_code,
            RoutingRule.priority.desc(),
            RoutingRule.effective_from,
            RoutingRule.id,
        )
    )
    if service_id is not None:
        query = query.where(RoutingRule.service_id == service_id)
    return db.session.scalars(query).all()


def known_districts(extra: Iterable[str] = ()) -> list[str]:
    """Every district code we know of: those named by routing rules and, when the gazetteer
    is installed, those of its addresses."""
    codes = set(
        db.session.scalars(
            select(RoutingRule.area_code)
            .where(RoutingRule.area_kind == AreaKind.DISTRICT)
            .distinct()
        )
    )
    codes.update(_gazetteer_districts())
    codes.update(extra)
    return sorted(c for c in codes if c)


def _gazetteer_districts() -> set[str]:
    try:
        from frontoffice.gazetteer.models import GazetteerAddress
    except ImportError:  # pragma: no cover - a deployment without the gazetteer package
        return set()
    if not inspect(db.session.connection()).has_table(GazetteerAddress.__tablename__):
        return set()  # pragma: no cover - a database not yet migrated
    return set(db.session.scalars(select(GazetteerAddress.district_code).distinct()))


@dataclass(frozen=True)
class Problem:
    kind: str  # "overlap" or "gap"
    message: str
    new: bool  # caused by this change, rather than there already


def describe(message: str) -> str:
    """check_rules names rules by id, and the rule being added has none yet."""
    message = re.sub(rf"^Rules {NEW_RULE_ID} and (\d+)", r"The new rule and rule \1", message)
    return re.sub(rf"^Rules (\d+) and {NEW_RULE_ID}\b", r"Rule \1 and the new rule", message)


def check(service_id: int, existing: Sequence[RoutingRule], proposed: resolve.Rule, on: date):
    """The problems the service's rules would have with `proposed` saved (replacing the rule
    with its id, or added): overlaps, and districts no rule covers from some day on."""
    current = [to_rule(r) for r in existing if r.service_id == service_id]
    after = [r for r in current if r.id != proposed.id] + [proposed]
    extra = [proposed.area_code] if proposed.area_kind == AreaKind.DISTRICT.value else []
    districts = known_districts(extra)
    before = {
        p.message
        for p in resolve.check_rules(
            current, service_id=service_id, district_codes=districts, on=on
        )
    }
    return [
        Problem(p.kind, describe(p.message), p.message not in before)
        for p in resolve.check_rules(after, service_id=service_id, district_codes=districts, on=on)
    ]


def problems_by_service(rows: Sequence[RoutingRule], on: date) -> dict[int, list[str]]:
    """The problems each service's rules have today, for the list page."""
    districts = known_districts()
    found: dict[int, list[str]] = {}
    for service_id in {r.service_id for r in rows}:
        plain = [to_rule(r) for r in rows if r.service_id == service_id]
        problems = resolve.check_rules(
            plain, service_id=service_id, district_codes=districts, on=on
        )
        if problems:
            found[service_id] = [p.message for p in problems]
    return found


# --- adapters ----------------------------------------------------------------------------


def adapter(adapter_id: int) -> PartnerAdapter | None:
    return db.session.get(PartnerAdapter, adapter_id)


def adapters_by_partner() -> list[tuple[Partner, list[PartnerAdapter]]]:
    rows = db.session.scalars(
        select(PartnerAdapter)
        .options(selectinload(PartnerAdapter.service))
        .order_by(PartnerAdapter.service_id.is_not(None), PartnerAdapter.id)
    ).all()
    by_partner: dict[int, list[PartnerAdapter]] = {}
    for row in rows:
        by_partner.setdefault(row.partner_id, []).append(row)
    return [(p, by_partner.get(p.id, [])) for p in partners()]
