"""Imports every model so metadata is complete (Alembic, create_app, tests)."""

import frontoffice.cases.ids  # noqa: F401 - case ids on SQLite
from frontoffice.accounts.models import Role, StaffUser
from frontoffice.audit.models import AuditEvent
from frontoffice.cases.models import Case, CaseEvent
from frontoffice.catalogue.models import QuestionType, Service, ServiceQuestion, ServiceTier
from frontoffice.chasing.models import Chase, ChaseEnd
from frontoffice.config_cache import ConfigVersion
from frontoffice.contacts.models import Contact, contact_case
from frontoffice.customers.models import (
    Customer,
    CustomerAddress,
    CustomerEmail,
    CustomerPhone,
    ExternalReference,
    WarningMarker,
)
from frontoffice.dispatch.models import (
    Dispatch,
    DispatchAttempt,
    PartnerAdapter,
    PartnerStatusUpdate,
)
from frontoffice.gazetteer.models import GazetteerAddress
from frontoffice.identity.models import MatchReview
from frontoffice.imports.models import ImportRun
from frontoffice.life_events.models import LifeEvent, LifeEventPerson, Notification, TellRule
from frontoffice.merging.models import CustomerMerge, DuplicateSweep
from frontoffice.messages.models import ResidentMessage
from frontoffice.open311.models import Open311Submission
from frontoffice.partner_api.models import ApiKey
from frontoffice.partner_webhooks.models import WebhookDelivery, WebhookSubscription
from frontoffice.partners.models import Partner, PartnerKind
from frontoffice.public.models import AcceptedRequest, Draft, WebLifeEvent, WebRequest
from frontoffice.routing.models import RoutingRule

__all__ = [
    "AcceptedRequest",
    "ImportRun",
    "Chase",
    "ChaseEnd",
    "CustomerMerge",
    "DuplicateSweep",
    "WebhookDelivery",
    "WebhookSubscription",
    "MatchReview",
    "LifeEvent",
    "LifeEventPerson",
    "Notification",
    "TellRule",
    "ApiKey",
    "Open311Submission",
    "ResidentMessage",
    "AuditEvent",
    "Case",
    "CaseEvent",
    "ConfigVersion",
    "Contact",
    "Customer",
    "Dispatch",
    "DispatchAttempt",
    "PartnerAdapter",
    "PartnerStatusUpdate",
    "RoutingRule",
    "CustomerAddress",
    "CustomerEmail",
    "CustomerPhone",
    "ExternalReference",
    "Partner",
    "PartnerKind",
    "Role",
    "Service",
    "ServiceQuestion",
    "ServiceTier",
    "QuestionType",
    "GazetteerAddress",
    "StaffUser",
    "WarningMarker",
    "Draft",
    "WebLifeEvent",
    "WebRequest",
    "contact_case",
]
