"""Reads for contacts: only front-office staff see them (access.policy.sees_contacts)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from frontoffice.access.policy import customer_scope, sees_contacts
from frontoffice.accounts.models import StaffUser
from frontoffice.cases.queries import fits
from frontoffice.contacts.models import Contact
from frontoffice.customers.models import Customer
from frontoffice.extensions import db


def visible_contact(
    user: StaffUser, contact_id: int, *, customer_id: int | None = None
) -> Contact | None:
    """The contact if the user may see it (and, when given, it is this customer's)."""
    if not sees_contacts(user) or not fits(contact_id):
        return None
    query = (
        select(Contact)
        .join(Customer, Customer.id == Contact.customer_id)
        .where(Contact.id == contact_id, customer_scope(user))
        .options(selectinload(Contact.cases), selectinload(Contact.adviser))
    )
    if customer_id is not None:
        query = query.where(Contact.customer_id == customer_id)
    return db.session.scalar(query)
