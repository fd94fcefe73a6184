"""What deliveries put on the case timeline, so advisers see whether a case reached its partner."""

from __future__ import annotations

from frontoffice.cases.models import CaseEvent, CaseEventKind
from frontoffice.dispatch.models import Dispatch
from frontoffice.extensions import db


def delivered_note(partner_name: str, adapter_type: str, partner_reference: str | None) -> str:
    reference = f" (their reference {partner_reference})" if partner_reference else ""
    return f"Delivered to {partner_name} by {adapter_type}{reference}"


def failed(dispatch: Dispatch, error: str, *, final: bool) -> None:
    if final:
        note = f"Delivery to {dispatch.partner.name} failed and needs a supervisor: {error}"
    else:
        note = f"Delivery to {dispatch.partner.name} failed, will retry: {error}"
    _add(dispatch, CaseEventKind.DISPATCH_FAILED, note)


def _add(dispatch: Dispatch, kind: CaseEventKind, note: str) -> None:
    db.session.add(
        CaseEvent(
            case_id=dispatch.case_id,
            kind=kind,
            note=note[:5000],
            details={
                "dispatch_id": dispatch.id,
                "attempt": dispatch.attempts,
                "partner_id": dispatch.partner_id,
            },
        )
    )
