"""Demo deliveries: every partner takes cases through the portal, and each demo case reached
its partner a minute after it was raised, except a few a supervisor has to deal with: two in
triage and two whose delivery failed for good."""

from __future__ import annotations

import random
from datetime import timedelta

from frontoffice.cases.models import Case, CaseEvent, CaseEventKind
from frontoffice.cases.status import CaseStatus
from frontoffice.demo.catalogue import Organisation
from frontoffice.dispatch.models import (
    AttemptOutcome,
    Dispatch,
    DispatchAttempt,
    DispatchStatus,
    PartnerAdapter,
)
from frontoffice.extensions import db

TRIAGE_REASON = "No routing rule covers this service in an address we could not place"
REFUSED = "Partner answered 422: the service code was not recognised by its system"


def build(org: Organisation, cases: list[Case], rng: random.Random) -> None:
    adapters = {
        p.id: PartnerAdapter(partner_id=p.id, name=f"{p.name} portal", adapter_type="portal")
        for p in org.partners.values()
    }
    db.session.add_all(adapters.values())
    db.session.flush()
    names = {p.id: p.name for p in org.partners.values()}
    new_cases = [c for c in cases if c.status is CaseStatus.NEW]
    rng.shuffle(new_cases)
    in_triage = {c.id for c in new_cases[:2]}
    refused = {c.id for c in new_cases[2:4]}
    rows: list[object] = []
    for case in cases:
        if case.id in in_triage:
            _send_to_triage(case)
            continue
        sent_at = case.created_at + timedelta(minutes=1)
        dispatch = Dispatch(
            case_id=case.id,
            partner_id=case.owning_partner_id,
            partner_adapter_id=adapters[case.owning_partner_id].id,
            adapter_type="portal",
            reason="routed",
            payload={"case_reference": case.reference},
            attempts=1,
            created_at=case.created_at,
            window_started_at=case.created_at,
            next_attempt_at=None,
            claimed_at=sent_at,
        )
        partner = names[case.owning_partner_id]
        if case.id in refused:
            dispatch.status = DispatchStatus.DEAD
            dispatch.dead_at = sent_at
            dispatch.last_error = REFUSED
            outcome, detail = AttemptOutcome.PERMANENT, REFUSED
            event = CaseEvent(
                case_id=case.id,
                kind=CaseEventKind.DISPATCH_FAILED,
                at=sent_at,
                note=f"Delivery to {partner} failed and needs a supervisor: {REFUSED}",
                details={"attempt": 1, "partner_id": case.owning_partner_id},
            )
        else:
            dispatch.status = DispatchStatus.DELIVERED
            dispatch.delivered_at = sent_at
            outcome, detail = AttemptOutcome.DELIVERED, "available in the partner portal"
            event = CaseEvent(
                case_id=case.id,
                kind=CaseEventKind.DISPATCHED,
                at=sent_at,
                note=f"Delivered to {partner} by portal",
                details={"attempt": 1, "partner_id": case.owning_partner_id},
            )
        dispatch.attempts_log = [
            DispatchAttempt(number=1, at=sent_at, outcome=outcome, detail=detail, duration_ms=3)
        ]
        rows.extend((dispatch, event))
    db.session.add_all(rows)
    db.session.flush()


def _send_to_triage(case: Case) -> None:
    case.triage_reason = TRIAGE_REASON
    for event in case.events:
        if event.kind is CaseEventKind.ROUTED:
            event.kind = CaseEventKind.TRIAGE
            event.note = f"Sent to triage: {TRIAGE_REASON}"
