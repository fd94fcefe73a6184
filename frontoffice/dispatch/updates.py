"""Status sent back by partners (Open311 ``servicerequestupdates``), applied to their cases.

Each update is matched to the dispatch whose partner reference is its service request id,
kept once per partner and update id (polling the same window twice changes nothing), and put
on the case's timeline. An update older than the latest one already applied to that dispatch
never rolls its state back. The case itself moves only where the partner's word is clear:

- ``closed``: resolved, once every partner the case went to has said closed;
- ``open`` (or ``in_progress``, ``acknowledged``, ``accepted``): in progress, if the case was
  new or waiting on the partner.

A partner can also reject a case it does not deliver (`reject`): its copy is withdrawn and the
case goes back to the front office's triage queue to be routed again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.adapters.base import StatusUpdate
from frontoffice.audit import operations as audit
from frontoffice.cases import operations as cases
from frontoffice.cases.models import Case, CaseEvent, CaseEventKind
from frontoffice.cases.status import ALLOWED_TRANSITIONS, CaseStatus
from frontoffice.dispatch.models import (
    Dispatch,
    DispatchStatus,
    PartnerAdapter,
    PartnerStatusUpdate,
)
from frontoffice.extensions import db
from frontoffice.messages.operations import tell_informant, tell_resident
from frontoffice.partner_webhooks.events import said_by_partner
from frontoffice.partners.models import Partner

log = logging.getLogger(__name__)

CLOSED = "closed"
WORKING = frozenset({"open", "in_progress", "acknowledged", "accepted"})


@dataclass
class UpdatesRead:
    applied: int = 0
    stale: int = 0
    unknown: int = 0
    repeated: int = 0


def apply_updates(adapter: PartnerAdapter, updates: Iterable[StatusUpdate]) -> UpdatesRead:
    """Applies `updates` (oldest first) from `adapter`'s partner. Flushes; the caller commits."""
    read = UpdatesRead()
    actor = Actor.system(f"partner:{adapter.partner.code}")
    for update in updates:
        dispatch = db.session.scalar(
            select(Dispatch)
            .where(
                Dispatch.partner_id == adapter.partner_id,
                Dispatch.partner_reference == update.service_request_id[:100],
                Dispatch.status == DispatchStatus.DELIVERED,
            )
            .order_by(Dispatch.id.desc())
            .limit(1)
        )
        outcome = apply_update(actor, adapter.partner, dispatch, update)
        setattr(read, outcome, getattr(read, outcome) + 1)
    return read


def apply_update(
    actor: Actor, partner: Partner, dispatch: Dispatch | None, update: StatusUpdate
) -> str:
    """One update from `partner` about its copy of a case (`dispatch`, None when nothing we
    sent matches): 'applied', 'stale', 'unknown' or 'repeated'. Flushes."""
    said_by_partner(db.session(), partner.id)
    if _seen(partner.id, update.update_id):
        return "repeated"
    if dispatch is None:
        outcome = "unknown"
        log.warning(
            "%s sent an update for service request %r, which we did not send it",
            partner.name,
            update.service_request_id[:100],
        )
    elif dispatch.partner_status_at is not None and (
        update.updated_datetime <= dispatch.partner_status_at
    ):
        outcome = "stale"
    else:
        outcome = "applied"
        _apply(actor, partner, dispatch, update)
    db.session.add(
        PartnerStatusUpdate(
            partner_id=partner.id,
            update_id=update.update_id[:100],
            service_request_id=update.service_request_id[:100],
            dispatch_id=dispatch.id if dispatch is not None else None,
            status=update.status[:30],
            updated_at=update.updated_datetime,
            description=update.description[:5000],
            outcome=outcome,
        )
    )
    db.session.flush()
    return outcome


def _seen(partner_id: int, update_id: str) -> bool:
    return (
        db.session.scalar(
            select(PartnerStatusUpdate.id).where(
                PartnerStatusUpdate.partner_id == partner_id,
                PartnerStatusUpdate.update_id == update_id[:100],
            )
        )
        is not None
    )


def _apply(actor: Actor, partner: Partner, dispatch: Dispatch, update: StatusUpdate) -> None:
    dispatch.partner_status = update.status[:30]
    dispatch.partner_status_at = update.updated_datetime
    case = db.session.get(Case, dispatch.case_id)
    if case.acknowledged_at is None:
        case.acknowledged_at = clock.now()
    said = f"{partner.name} says {update.status.replace('_', ' ')}"
    note = f"{said}: {update.description}" if update.description else said
    db.session.add(
        CaseEvent(
            case_id=case.id,
            kind=CaseEventKind.PARTNER_UPDATE,
            at=clock.now(),
            actor_id=actor.user_id,
            note=note[:5000],
            details={
                "partner_id": partner.id,
                "update_id": update.update_id[:100],
                "status": update.status[:30],
                "updated_datetime": update.updated_datetime.isoformat(),
                # The partner's public note: what the resident may read (tracking, Open311).
                "description": update.description[:5000],
            },
        )
    )
    db.session.flush()
    if update.description:
        told = tell_resident(case, partner.name, update.description)
        tell_informant(case, partner.name, update.description, told)
    wanted = _case_status_for(case, update.status)
    if wanted is not None and wanted in ALLOWED_TRANSITIONS[case.status]:
        cases.change_status(
            actor, case, wanted, note=f"{said} (service request {update.service_request_id})"
        )


def _case_status_for(case: Case, status: str) -> CaseStatus | None:
    if status == CLOSED:
        live = db.session.scalars(
            select(Dispatch.partner_status).where(
                Dispatch.case_id == case.id, Dispatch.status != DispatchStatus.CANCELLED
            )
        ).all()
        return CaseStatus.RESOLVED if all(s == CLOSED for s in live) else None
    if status in WORKING and case.status in (CaseStatus.NEW, CaseStatus.WAITING_ON_PARTNER):
        return CaseStatus.IN_PROGRESS
    return None


def reject(actor: Actor, partner: Partner, dispatch: Dispatch, reason: str) -> None:
    """`partner` will not deliver this case: withdraw its copy, send the case to triage."""
    said_by_partner(db.session(), partner.id)
    now = clock.now()
    dispatch.status = DispatchStatus.CANCELLED
    dispatch.partner_status = "rejected"
    dispatch.partner_status_at = now
    dispatch.next_attempt_at = None
    dispatch.last_error = f"rejected by the partner: {reason}"[:500]
    case = db.session.get(Case, dispatch.case_id)
    case.triage_reason = f"Rejected by {partner.name}: {reason}"[:2000]
    db.session.add(
        CaseEvent(
            case_id=case.id,
            kind=CaseEventKind.PARTNER_UPDATE,
            at=now,
            actor_id=actor.user_id,
            note=f"{partner.name} rejected this case: {reason}"[:5000],
            details={"partner_id": partner.id, "status": "rejected"},
        )
    )
    audit.record(
        actor,
        "reject",
        "case",
        case.id,
        customer_id=case.customer_id,
        reason=reason,
        details={"partner_id": partner.id, "dispatch_id": dispatch.id},
    )
    db.session.flush()
