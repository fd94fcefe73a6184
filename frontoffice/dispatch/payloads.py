"""What a partner is sent about a case: only the customer fields it needs to deliver it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select

from frontoffice.cases.models import Case
from frontoffice.customers.models import Customer, CustomerEmail, CustomerPhone
from frontoffice.extensions import db
from frontoffice.partners.models import Partner


def customer_part(customer: Customer) -> dict[str, Any]:
    """The customer fields a partner is sent, the same for each of a customer's cases."""
    address = customer.current_address
    phone, email = _first_phone_and_email(customer)
    return {
        "given_name": customer.given_name,
        "family_name": customer.family_name,
        "phone": phone,
        "email": email,
        "address": address.one_line if address else "",
        "postcode": address.postcode if address else "",
        "uprn": address.uprn if address else None,
    }


def _first_phone_and_email(customer: Customer) -> tuple[str, str]:
    """From the record's lists when they are loaded, else both in one query that loads
    neither list."""
    unloaded = inspect(customer).unloaded
    if customer.id is None or not {"phones", "emails"} & unloaded:
        phones, emails = customer.phones, customer.emails
        return (phones[0].number if phones else "", emails[0].address if emails else "")
    phone, email = db.session.execute(
        select(
            _first(CustomerPhone, CustomerPhone.number, customer.id),
            _first(CustomerEmail, CustomerEmail.address, customer.id),
        )
    ).one()
    return phone or "", email or ""


def _first(model: type[CustomerPhone | CustomerEmail], column: Any, customer_id: int) -> Any:
    """The column of the customer's earliest row of `model`, as a scalar subquery."""
    return (
        select(column)
        .where(model.customer_id == customer_id)
        .order_by(model.id)
        .limit(1)
        .scalar_subquery()
    )


def case_payload(
    case: Case, partner: Partner, customer: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`customer`: customer_part(case.customer), when the caller has it already."""
    return {
        "case_reference": case.reference,
        "service_code": case.service.code,
        "service_name": case.service.name,
        "partner_code": partner.code,
        "status": case.status.value,
        "summary": case.summary,
        "created_at": case.created_at.isoformat(),
        "answers": dict(case.answers or {}),
        "customer": dict(customer or customer_part(case.customer)),
        "address": case.location_text or None,
        "lat": case.latitude,
        "long": case.longitude,
        "kind": "case",
        "extra": {
            "priority": case.priority.value,
            "due_date": case.due_date.isoformat() if case.due_date else None,
        },
    }
