"""Shared test data for the cases and contacts tests: two partners, three services, a customer."""

from __future__ import annotations

import html
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from frontoffice import models as m
from frontoffice.access.actor import Actor
from frontoffice.extensions import db
from tests.conftest import csrf_token
from tests.factories import CustomerFactory, PartnerFactory, ServiceFactory


@dataclass
class World:
    north: m.Partner
    south: m.Partner
    bins: m.Service  # owned by north, 2 working days
    moving: m.Service  # owned by south, 10 working days
    retired: m.Service  # inactive
    customer: m.Customer


@pytest.fixture
def world() -> World:
    north = PartnerFactory(name="North District Council")
    south = PartnerFactory(name="South District Council")
    world = World(
        north=north,
        south=south,
        bins=ServiceFactory(name="Missed bin", owning_partner=north, sla_working_days=2),
        moving=ServiceFactory(
            name="Council tax: moving home", owning_partner=south, sla_working_days=10
        ),
        retired=ServiceFactory(name="Retired service", owning_partner=north, active=False),
        customer=CustomerFactory(given_name="Ada", family_name="Lovelace"),
    )
    db.session.commit()
    return world


def counts() -> dict[str, int]:
    """Rows in every table these packages write, to prove a refusal changed nothing."""
    tables = {
        "case": m.Case,
        "case_event": m.CaseEvent,
        "contact": m.Contact,
        "audit": m.AuditEvent,
    }
    result = {
        name: db.session.scalar(select(func.count()).select_from(t)) for name, t in tables.items()
    }
    result["contact_case"] = db.session.scalar(select(func.count()).select_from(m.contact_case))
    return result


def audits(action: str, record_type: str, customer_id: int | None = None) -> list[m.AuditEvent]:
    query = select(m.AuditEvent).where(
        m.AuditEvent.action == action, m.AuditEvent.record_type == record_type
    )
    if customer_id is not None:
        query = query.where(m.AuditEvent.customer_id == customer_id)
    return list(db.session.scalars(query.order_by(m.AuditEvent.id)))


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def post(staff, url: str, data: dict) -> object:
    """POST as a browser would, with the CSRF token from the staff home page (which writes
    nothing), so row counts taken before the call see only what the POST did."""
    home = staff.client.get("/staff/")
    token = csrf_token(home.get_data(as_text=True))
    return staff.client.post(url, data={"csrf_token": token, **data})


def actor_for(user: m.StaffUser) -> Actor:
    return Actor(user_id=user.id, label=user.email, ip_address="127.0.0.1")
