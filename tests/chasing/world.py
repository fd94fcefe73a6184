"""A partner with a webhook adapter (or the portal), a service acknowledged in one working day,
and cases raised and routed to it on a Monday."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from frontoffice.access.actor import Actor
from frontoffice.cases import operations as cases
from frontoffice.cases.models import Case, Channel
from frontoffice.crypto import encrypt_json
from frontoffice.dispatch.models import Dispatch, DispatchStatus, PartnerAdapter
from frontoffice.extensions import db
from frontoffice.routing.models import AreaKind, RoutingRule
from tests.factories import CustomerFactory, PartnerFactory, ServiceFactory

ACTOR = Actor.system("test")
MONDAY = datetime(2026, 6, 1, 9, tzinfo=UTC)  # acknowledgement due Tuesday 2 June


def at(day: date | datetime, hour: int = 10):
    when = day if isinstance(day, datetime) else datetime(*day.timetuple()[:3], hour, tzinfo=UTC)
    return time_machine.travel(when, tick=False)


def partner_with(adapter_url: str | None, secret_key: str, **kwargs):
    """A partner and a routed service of it; with a URL its cases go to a webhook there."""
    partner = PartnerFactory(**kwargs)
    if adapter_url:
        db.session.add(
            PartnerAdapter(
                partner_id=partner.id,
                name="webhook",
                adapter_type="webhook",
                settings={"url": adapter_url, "timeout": 5},
                secret_settings=encrypt_json(secret_key, {"secret": "s3cret-for-tests"}),
            )
        )
    service = ServiceFactory(owning_partner=partner, ack_working_days=1, sla_working_days=10)
    rule = RoutingRule(
        service_id=service.id, area_kind=AreaKind.ANY, effective_from=date(2020, 1, 1)
    )
    rule.partners = [partner]
    db.session.add(rule)
    db.session.flush()
    return partner, service


def delivered_case(service, when=MONDAY) -> Case:
    """Raised and routed on `when`, and delivered (as a worker would have)."""
    with time_machine.travel(when, tick=False):
        case = cases.raise_case(ACTOR, CustomerFactory(), service, Channel.PHONE, "Help please")
    for dispatch in dispatches(case):
        dispatch.status = DispatchStatus.DELIVERED
        dispatch.delivered_at = when
    db.session.flush()
    return case


def dispatches(case: Case) -> list[Dispatch]:
    return list(db.session.scalars(select(Dispatch).where(Dispatch.case_id == case.id)))
