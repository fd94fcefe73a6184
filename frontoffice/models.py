"""Imports every model so metadata is complete (Alembic, create_app, tests)."""

from frontoffice.accounts.models import Role, StaffUser
from frontoffice.audit.models import AuditEvent
from frontoffice.cases.models import Case, CaseEvent
from frontoffice.catalogue.models import Service
from frontoffice.contacts.models import Contact, contact_case
from frontoffice.customers.models import (
    Customer,
    CustomerAddress,
    CustomerEmail,
    CustomerPhone,
    ExternalReference,
    WarningMarker,
)
from frontoffice.partners.models import Partner, PartnerKind

__all__ = [
    "AuditEvent",
    "Case",
    "CaseEvent",
    "Contact",
    "Customer",
    "CustomerAddress",
    "CustomerEmail",
    "CustomerPhone",
    "ExternalReference",
    "Partner",
    "PartnerKind",
    "Role",
    "Service",
    "StaffUser",
    "WarningMarker",
    "contact_case",
]
