"""Who may do and see what: decided here and nowhere else.

Every view declares one permission with @requires (or @public). A guard run before every
request refuses a view that declared nothing, sends anonymous people to sign in and answers
403 to a role without the permission. Queries narrow what a permitted user sees with the
scopes below, so no view filters by hand.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import ColumnElement, exists, false, select, true

from frontoffice.accounts.models import Role, StaffUser


class Permission(enum.StrEnum):
    PUBLIC = "public"
    # The partner API: no staff session; the view checks the partner's API key itself.
    PARTNER_API = "partner_api"
    SIGNED_IN = "signed_in"
    CUSTOMER_SEARCH = "customer.search"
    CUSTOMER_VIEW = "customer.view"
    CUSTOMER_CREATE = "customer.create"
    CUSTOMER_EDIT = "customer.edit"
    CONTACT_LOG = "contact.log"
    CASE_RAISE = "case.raise"
    CASE_VIEW = "case.view"
    CASE_UPDATE = "case.update"
    CASE_REASSIGN = "case.reassign"
    QUEUE_VIEW = "queue.view"
    # The partner UI (/partner/): work the cases routed to one's own partner.
    PARTNER_WORK = "partner.work"
    LIFE_EVENT_REPORT = "life_event.report"
    AUDIT_VIEW = "audit.view"
    # Deciding possible duplicates; merging and unmerging customer records.
    IDENTITY_REVIEW = "identity.review"
    DELIVERY_MANAGE = "delivery.manage"
    # Chase a partner now, or stop chasing, for an overdue acknowledgement.
    CHASE_MANAGE = "chase.manage"
    # Raise again, or close, a resident's web request the worker could not raise.
    WEB_REQUEST_MANAGE = "web_request.manage"
    ADMINISTER = "administer"


_FRONT_OFFICE = {
    Permission.SIGNED_IN,
    Permission.CUSTOMER_SEARCH,
    Permission.CUSTOMER_VIEW,
    Permission.CUSTOMER_CREATE,
    Permission.CUSTOMER_EDIT,
    Permission.CONTACT_LOG,
    Permission.CASE_RAISE,
    Permission.CASE_VIEW,
    Permission.CASE_UPDATE,
    Permission.CASE_REASSIGN,
    Permission.QUEUE_VIEW,
    Permission.LIFE_EVENT_REPORT,
}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADVISER: frozenset(_FRONT_OFFICE),
    Role.SUPERVISOR: frozenset(
        _FRONT_OFFICE
        | {
            Permission.AUDIT_VIEW,
            Permission.DELIVERY_MANAGE,
            Permission.CHASE_MANAGE,
            Permission.IDENTITY_REVIEW,
            Permission.WEB_REQUEST_MANAGE,
        }
    ),
    Role.PARTNER_USER: frozenset(
        {
            Permission.SIGNED_IN,
            Permission.CUSTOMER_SEARCH,
            Permission.CUSTOMER_VIEW,
            Permission.CASE_VIEW,
            Permission.CASE_UPDATE,
            Permission.CASE_REASSIGN,
            Permission.QUEUE_VIEW,
            Permission.PARTNER_WORK,
        }
    ),
    # Administrators run the partnership's set-up; they see no resident's data.
    Role.ADMINISTRATOR: frozenset({Permission.SIGNED_IN, Permission.ADMINISTER}),
}

PERMISSION_ATTR = "_frontoffice_permission"
F = TypeVar("F", bound=Callable)


def requires(permission: Permission) -> Callable[[F], F]:
    def mark(view: F) -> F:
        setattr(view, PERMISSION_ATTR, permission)
        return view

    return mark


def public(view: F) -> F:
    setattr(view, PERMISSION_ATTR, Permission.PUBLIC)
    return view


def declared_permission(view: Callable | None) -> Permission | None:
    return getattr(view, PERMISSION_ATTR, None)


def allows(user: StaffUser | None, permission: Permission) -> bool:
    if permission is Permission.PUBLIC:
        return True
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return permission in GRANTS.get(user.role, frozenset())


def sees_everything(user: StaffUser) -> bool:
    """Front-office staff work across every partner."""
    return user.role in (Role.ADVISER, Role.SUPERVISOR)


def case_scope(user: StaffUser) -> ColumnElement[bool]:
    from frontoffice.cases.models import Case

    if sees_everything(user):
        return true()
    if user.role is Role.PARTNER_USER:
        return Case.owning_partner_id == user.partner_id
    return false()


def accepted_request_scope(user: StaffUser) -> ColumnElement[bool]:
    """Requests residents sent that are not yet cases: no partner has them yet, so only the
    front office's supervisors see them."""
    return true() if sees_everything(user) else false()


def dispatch_scope(user: StaffUser) -> ColumnElement[bool]:
    """A partner user sees its own partner's deliveries, not where else a case went."""
    from frontoffice.dispatch.models import Dispatch

    if sees_everything(user):
        return true()
    if user.role is Role.PARTNER_USER:
        return Dispatch.partner_id == user.partner_id
    return false()


def partner_work_scope(user: StaffUser) -> ColumnElement[bool]:
    """The cases a partner user works in the partner UI: those routed to its partner (a
    delivery that was not withdrawn), whichever partner owns them."""
    if user.role is Role.PARTNER_USER and user.partner_id is not None:
        from frontoffice.partner_api.queries import routed_to

        return routed_to(user.partner_id)
    return false()


def partner_sees_event(user: StaffUser, kind: str, details: dict | None) -> bool:
    """On a case's timeline in the partner UI: the case's life (raised, status changes) and
    what concerns the user's own partner; not the front office's notes, nor other partners'."""
    if kind in ("created", "status_changed"):
        return True
    return user.role is Role.PARTNER_USER and (details or {}).get("partner_id") == user.partner_id


def customer_scope(user: StaffUser) -> ColumnElement[bool]:
    from frontoffice.cases.models import Case
    from frontoffice.customers.models import Customer

    if sees_everything(user):
        return true()
    if user.role is Role.PARTNER_USER:
        return exists(
            select(Case.id).where(
                Case.customer_id == Customer.id, Case.owning_partner_id == user.partner_id
            )
        )
    return false()


def reference_scope(user: StaffUser) -> ColumnElement[bool]:
    from frontoffice.customers.models import ExternalReference

    if sees_everything(user):
        return true()
    if user.role is Role.PARTNER_USER:
        return ExternalReference.partner_id == user.partner_id
    return false()


def sees_contacts(user: StaffUser) -> bool:
    """Contacts are the front office's own notes of calls and visits."""
    return sees_everything(user)


def staff_scope_for_assignment(user: StaffUser) -> ColumnElement[bool]:
    """Whom a user may assign a case to."""
    if sees_everything(user):
        return StaffUser.role.in_([Role.ADVISER, Role.SUPERVISOR, Role.PARTNER_USER])
    if user.role is Role.PARTNER_USER:
        return (StaffUser.partner_id == user.partner_id) & (StaffUser.role == Role.PARTNER_USER)
    return false()
