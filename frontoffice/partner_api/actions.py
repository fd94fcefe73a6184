"""What a partner can do to a case routed to it, whether through its API key or its staff in
the partner UI: acknowledge, accept, reject, post an update, close.

No Flask here: each action takes who is acting, the partner, the case and plain values, flushes
and raises an `ActionError` when the case or the values forbid it. The caller commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.adapters.base import StatusUpdate
from frontoffice.audit import operations as audit
from frontoffice.cases.models import Case, CaseEvent, CaseEventKind
from frontoffice.dispatch import updates
from frontoffice.dispatch.models import Dispatch
from frontoffice.extensions import db
from frontoffice.partner_api import queries
from frontoffice.partners.models import Partner

# The status vocabulary partners use (the OpenAPI document lists the same words).
STATUSES = ("acknowledged", "in_progress", "waiting", "closed")
NOTE_MAX = 5000
REFERENCE_MAX = 100


class ActionError(Exception):
    """A change the case's state or the values given forbid. `field` names the value at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


class NotRouted(ActionError):
    """The case is not (or no longer) routed to this partner."""


class CaseClosed(ActionError):
    """The case has stopped: it takes no more work."""


class Invalid(ActionError):
    """A value outside what the action takes."""


def dispatch_for(partner: Partner, case: Case) -> Dispatch:
    dispatch = queries.dispatch_to(case, partner.id)
    if dispatch is None:
        raise NotRouted(f"Case {case.reference} was not routed to {partner.name}")
    return dispatch


def refuse_if_closed(case: Case) -> None:
    if case.status.stops_the_clock:
        raise CaseClosed(f"Case {case.reference} is {case.status.label.lower()}")


def _text(field: str, value: str, limit: int, *, required: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid(required, field)
    if len(value) > limit:
        raise Invalid("This is too long", field)
    return value


def post_update(
    actor: Actor,
    partner: Partner,
    case: Case,
    *,
    status: str,
    public_note: str = "",
    internal_note: str = "",
    your_reference: str = "",
    update_id: str = "",
    at: datetime | None = None,
) -> str:
    """One update from `partner`: 'applied', 'stale' (older than the last one: nothing rolls
    back) or 'repeated' (an update id already seen). A public note is emailed to the resident."""
    if status not in STATUSES:
        raise Invalid(f"Use one of: {', '.join(STATUSES)}", "status")
    public_note = _text("public_note", public_note, NOTE_MAX)
    internal_note = _text("internal_note", internal_note, NOTE_MAX)
    your_reference = _text("your_reference", your_reference, REFERENCE_MAX)
    update_id = _text("update_id", update_id, REFERENCE_MAX)
    dispatch = dispatch_for(partner, case)
    at = at or clock.now()
    newer = dispatch.partner_status_at is None or at > dispatch.partner_status_at
    if newer and status != "closed":
        refuse_if_closed(case)
    if your_reference and not dispatch.partner_reference:
        dispatch.partner_reference = your_reference
    outcome = _apply(actor, partner, case, dispatch, status, at, update_id, public_note)
    if internal_note and outcome == "applied":
        db.session.add(
            CaseEvent(
                case_id=case.id,
                kind=CaseEventKind.NOTE,
                at=clock.now(),
                actor_id=actor.user_id,
                note=f"Internal note from {partner.name}: {internal_note}",
                details={"partner_id": partner.id},
            )
        )
    if outcome == "applied":
        audit.record(
            actor,
            "partner_update",
            "case",
            case.id,
            customer_id=case.customer_id,
            details={"partner_id": partner.id, "status": status, "dispatch_id": dispatch.id},
        )
    db.session.flush()
    return outcome


def acknowledge(actor: Actor, partner: Partner, case: Case, *, update_id: str = "") -> str:
    """The partner has seen the case (it stops the acknowledgement clock)."""
    refuse_if_closed(case)
    return post_update(actor, partner, case, status="acknowledged", update_id=update_id)


def accept(actor: Actor, partner: Partner, case: Case, *, update_id: str = "") -> str:
    """The partner will deliver this case: work starts."""
    refuse_if_closed(case)
    dispatch = dispatch_for(partner, case)
    outcome = _apply(actor, partner, case, dispatch, "accepted", clock.now(), update_id, "")
    if outcome == "applied":
        audit.record(
            actor,
            "accept",
            "case",
            case.id,
            customer_id=case.customer_id,
            details={"partner_id": partner.id, "dispatch_id": dispatch.id},
        )
    db.session.flush()
    return outcome


def reject(actor: Actor, partner: Partner, case: Case, reason: str) -> None:
    """Not this partner's to deliver: its copy is withdrawn and the case goes back to the
    front office's triage queue to be routed again."""
    reason = _text(
        "reason", reason, NOTE_MAX, required="Say why your partner cannot deliver this case"
    )
    refuse_if_closed(case)
    updates.reject(actor, partner, dispatch_for(partner, case), reason)


def close(
    actor: Actor,
    partner: Partner,
    case: Case,
    *,
    outcome: str,
    internal_note: str = "",
    update_id: str = "",
) -> str:
    """The partner's work is done; `outcome` (what was done) is told to the resident. The case
    is resolved once every partner it went to has closed it."""
    outcome = _text("outcome", outcome, NOTE_MAX, required="Say what was done")
    refuse_if_closed(case)
    if dispatch_for(partner, case).partner_status == "closed":
        raise CaseClosed(f"{partner.name} has already closed case {case.reference}")
    return post_update(
        actor,
        partner,
        case,
        status="closed",
        public_note=outcome,
        internal_note=internal_note,
        update_id=update_id,
    )


def _apply(
    actor: Actor,
    partner: Partner,
    case: Case,
    dispatch: Dispatch,
    status: str,
    at: datetime,
    update_id: str,
    note: str,
) -> str:
    """Through the same code as the status updates read from partners' Open311 servers."""
    update = StatusUpdate(
        update_id=update_id or f"api-{uuid.uuid4().hex}",
        service_request_id=dispatch.partner_reference or case.reference,
        status=status,
        updated_datetime=at,
        description=note,
    )
    return updates.apply_update(actor, partner, dispatch, update)
