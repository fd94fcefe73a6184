"""A notification's status, read from the case and dispatches that carry it: they are the
truth (the worker, the partner API and Open311 updates move them), so nothing here can drift."""

from __future__ import annotations

from collections.abc import Iterable

from frontoffice.cases.models import Case
from frontoffice.cases.status import CaseStatus
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.dispatch.updates import CLOSED, WORKING
from frontoffice.life_events.models import Notification, NotificationStatus

REJECTED = "rejected"


def status_of(
    notification: Notification, case: Case | None, dispatches: Iterable[Dispatch]
) -> NotificationStatus:
    if notification.withdrawn_at is not None:
        return NotificationStatus.WITHDRAWN
    if case is None:
        return NotificationStatus.NOT_ROUTED
    every = list(dispatches)
    live = [d for d in every if d.status is not DispatchStatus.CANCELLED]
    if not live:
        if any(d.partner_status == REJECTED for d in every):
            return NotificationStatus.REJECTED
        return NotificationStatus.NOT_ROUTED
    if case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) or all(
        d.partner_status == CLOSED for d in live
    ):
        return NotificationStatus.ACTIONED
    if case.acknowledged_at is not None or any(d.partner_status in WORKING for d in live):
        return NotificationStatus.ACKNOWLEDGED
    if all(d.status is DispatchStatus.DELIVERED for d in live):
        return NotificationStatus.DELIVERED
    if any(d.status is DispatchStatus.DEAD for d in live):
        return NotificationStatus.FAILED
    if any(d.status is DispatchStatus.DELIVERING for d in live):
        return NotificationStatus.SENT
    return NotificationStatus.PENDING


def rejection_reason(dispatches: Iterable[Dispatch]) -> str:
    for d in dispatches:
        if d.partner_status == REJECTED:
            return d.last_error.removeprefix("rejected by the partner: ")
    return ""
