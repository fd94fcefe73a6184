"""The only writers of customer records: change, flush, audit. The view commits once.

Audit details name the fields that changed, never their values: a changed date of birth or
phone number is personal data and the audit trail is read more widely than the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.audit import operations as audit
from frontoffice.customers import normalise
from frontoffice.customers.models import (
    Customer,
    CustomerAddress,
    CustomerEmail,
    CustomerPhone,
    ExternalReference,
    Language,
    PreferredChannel,
    WarningMarker,
)
from frontoffice.customers.queries import reference_taken
from frontoffice.extensions import db


@dataclass(frozen=True)
class AddressDetails:
    line_1: str
    line_2: str = ""
    town: str = ""
    postcode: str = ""  # normalised, "NV1 2AB"
    uprn: str | None = None


@dataclass(frozen=True)
class CustomerDetails:
    given_name: str
    family_name: str
    title: str = ""
    preferred_name: str = ""
    date_of_birth: date | None = None
    phones: tuple[str, ...] = ()  # E.164
    email: str | None = None
    address: AddressDetails | None = None
    preferred_language: Language = Language.ENGLISH
    preferred_channel: PreferredChannel = PreferredChannel.PHONE
    accessibility_needs: str = ""
    # Fields a form did not show are left alone on update.
    untouched: frozenset[str] = field(default_factory=frozenset)


SCALAR_FIELDS = (
    "title",
    "preferred_name",
    "date_of_birth",
    "preferred_language",
    "preferred_channel",
    "accessibility_needs",
)


class ReferenceTaken(ValueError):
    """The partner's system already has this reference on another customer's record."""


def _phone(e164: str) -> CustomerPhone:
    return CustomerPhone(
        number=e164, number_key=normalise.phone_key(e164), kind=normalise.phone_kind(e164)
    )


def _email(address: str) -> CustomerEmail:
    return CustomerEmail(address=address, address_key=normalise.email_key(address))


def _address(details: AddressDetails, valid_from: date | None) -> CustomerAddress:
    address = CustomerAddress(valid_from=valid_from)
    _fill_address(address, details)
    return address


def _fill_address(address: CustomerAddress, details: AddressDetails) -> None:
    address.line_1 = details.line_1
    address.line_2 = details.line_2
    address.town = details.town
    address.postcode = details.postcode
    address.postcode_key = normalise.postcode_key(details.postcode)
    address.uprn = details.uprn or None


def _address_differs(address: CustomerAddress, details: AddressDetails) -> bool:
    return (address.line_1, address.line_2, address.town, address.postcode, address.uprn) != (
        details.line_1,
        details.line_2,
        details.town,
        details.postcode,
        details.uprn or None,
    )


def create_customer(
    actor: Actor, details: CustomerDetails, *, possible_duplicates: Sequence[int] = ()
) -> Customer:
    customer = Customer(
        title=details.title,
        preferred_name=details.preferred_name,
        date_of_birth=details.date_of_birth,
        preferred_language=details.preferred_language,
        preferred_channel=details.preferred_channel,
        accessibility_needs=details.accessibility_needs,
    )
    customer.set_names(given_name=details.given_name, family_name=details.family_name)
    customer.phones = [_phone(p) for p in dict.fromkeys(details.phones)]
    # Empty lists rather than none, so using them later in the transaction reads nothing.
    customer.emails = [_email(details.email)] if details.email else []
    customer.addresses = (
        [_address(details.address, valid_from=clock.today())] if details.address is not None else []
    )
    db.session.add(customer)
    db.session.flush()
    filled = ["given_name", "family_name"]
    filled += [name for name in SCALAR_FIELDS if getattr(details, name) not in ("", None)]
    filled += [n for n, v in (("phone", details.phones), ("email", details.email)) if v]
    filled += ["address"] if details.address is not None else []
    audit_details: dict = {"fields": filled}
    if possible_duplicates:
        audit_details["created_despite_possible_duplicates"] = list(possible_duplicates)
    audit.record(
        actor, "create", "customer", customer.id, customer_id=customer.id, details=audit_details
    )
    return customer


def update_customer(actor: Actor, customer: Customer, details: CustomerDetails) -> list[str]:
    """Apply the edit form; returns the names of the fields that changed (audited)."""
    changed: list[str] = []
    if (customer.given_name, customer.family_name) != (details.given_name, details.family_name):
        changed += [
            name
            for name in ("given_name", "family_name")
            if getattr(customer, name) != getattr(details, name)
        ]
        customer.set_names(given_name=details.given_name, family_name=details.family_name)
    for name in SCALAR_FIELDS:
        if name not in details.untouched and getattr(customer, name) != getattr(details, name):
            setattr(customer, name, getattr(details, name))
            changed.append(name)

    # The form shows the first two phone numbers and the first email; others stay as they are.
    shown, kept = customer.phones[:2], customer.phones[2:]
    wanted = [p for p in dict.fromkeys(details.phones) if p not in {k.number for k in kept}]
    if [p.number for p in shown] != wanted:
        by_number = {p.number: p for p in shown}
        customer.phones = [by_number.get(p) or _phone(p) for p in wanted] + kept
        changed.append("phone")
    first_email = customer.emails[0] if customer.emails else None
    if (first_email.address if first_email else None) != (details.email or None):
        if first_email is not None and details.email:
            first_email.address = details.email
            first_email.address_key = normalise.email_key(details.email)
        elif first_email is not None:
            customer.emails.remove(first_email)
        else:
            customer.emails.append(_email(details.email or ""))
        changed.append("email")

    # Correcting the current address in place; a move is move_home().
    current = customer.current_address
    if details.address is not None:
        if current is None:
            customer.addresses.append(_address(details.address, valid_from=clock.today()))
            changed.append("address")
        elif _address_differs(current, details.address):
            _fill_address(current, details.address)
            changed.append("address")

    if changed:
        db.session.flush()
        audit.record(
            actor,
            "update",
            "customer",
            customer.id,
            customer_id=customer.id,
            details={"changed": changed},
        )
    return changed


def move_home(
    actor: Actor, customer: Customer, details: AddressDetails, moved_on: date
) -> CustomerAddress:
    """A new current address from moved_on; the old current address ends that day."""
    previous = customer.current_address
    if previous is not None:
        previous.valid_to = moved_on
    address = _address(details, valid_from=moved_on)
    customer.addresses.append(address)
    db.session.flush()
    audit.record(
        actor,
        "move_address",
        "customer_address",
        address.id,
        customer_id=customer.id,
        details={"previous_address_id": previous.id if previous else None},
    )
    return address


def add_warning(
    actor: Actor, customer: Customer, *, category: str, reason: str, review_date: date
) -> WarningMarker:
    marker = WarningMarker(
        category=category, reason=reason, review_date=review_date, created_by_id=actor.user_id
    )
    customer.warnings.append(marker)
    db.session.flush()
    audit.record(
        actor,
        "add_warning",
        "warning_marker",
        marker.id,
        customer_id=customer.id,
        details={"category": category},
    )
    return marker


def end_warning(actor: Actor, marker: WarningMarker, *, reason: str) -> None:
    marker.ended_at = clock.now()
    db.session.flush()
    audit.record(
        actor,
        "end_warning",
        "warning_marker",
        marker.id,
        customer_id=marker.customer_id,
        reason=reason,
    )


def add_reference(
    actor: Actor,
    customer: Customer,
    *,
    partner_id: int,
    system: str,
    reference: str,
    verified: bool,
) -> ExternalReference:
    holder = reference_taken(partner_id, system, reference)
    if holder is not None:
        raise ReferenceTaken(
            "This reference is already on this record"
            if holder.id == customer.id
            else "This reference is already on another customer’s record"
        )
    ref = ExternalReference(
        partner_id=partner_id,
        system=system,
        reference=reference,
        reference_key=normalise.reference_key(reference),
        verified=verified,
    )
    customer.references.append(ref)
    db.session.flush()
    audit.record(
        actor,
        "add_reference",
        "external_reference",
        ref.id,
        customer_id=customer.id,
        details={"partner_id": partner_id, "system": system},
    )
    return ref
