"""What a partner is sent about a case: only the customer fields it needs to deliver it."""

from __future__ import annotations

from typing import Any

from frontoffice.cases.models import Case
from frontoffice.customers.models import Customer
from frontoffice.partners.models import Partner


def customer_part(customer: Customer) -> dict[str, Any]:
    """The customer fields a partner is sent, the same for each of a customer's cases."""
    address = customer.current_address
    return {
        "given_name": customer.given_name,
        "family_name": customer.family_name,
        "phone": customer.phones[0].number if customer.phones else "",
        "email": customer.emails[0].address if customer.emails else "",
        "address": address.one_line if address else "",
        "postcode": address.postcode if address else "",
        "uprn": address.uprn if address else None,
    }


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
