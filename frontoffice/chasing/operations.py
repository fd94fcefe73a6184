"""Writing chases, ending them, and the steps of sending one. Flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.adapters.base import DeliveryPayload
from frontoffice.audit import operations as audit
from frontoffice.cases.models import Case, CaseEvent, CaseEventKind
from frontoffice.chasing.models import Chase, ChaseEnd, ChaseEndKind, ChaseStatus
from frontoffice.chasing.policy import ChasePolicy
from frontoffice.chasing.selection import CHASEABLE, Due
from frontoffice.dispatch import outbox
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.extensions import db

OUTBOX_KEY = "frontoffice.chasing.outbox"
REMINDER_EVENT = "case.reminder"
# Adapters that can carry a reminder about a case they already delivered. Open311 cannot
# (GeoReport v2 has no call for it) and the portal pushes nothing: for those partners the
# chase is on the case they work in our partner UI and API (and their webhooks hear of it).
PUSHED_BY = frozenset({"webhook", "email", "csv_batch"})
REASON_LIMIT = 2000


class ChaseRefused(Exception):
    """Why this case cannot be chased (or stopped) now, in words for the supervisor."""


def chased_partners(case_id: int) -> list[Dispatch]:
    """The latest delivery to each partner the case is still routed to."""
    latest: dict[int, Dispatch] = {}
    for dispatch in db.session.scalars(
        select(Dispatch)
        .where(Dispatch.case_id == case_id, Dispatch.status == DispatchStatus.DELIVERED)
        .order_by(Dispatch.id)
    ):
        latest[dispatch.partner_id] = dispatch
    return list(latest.values())


def chases_so_far(case_id: int) -> int:
    return db.session.scalar(select(func.max(Chase.number)).where(Chase.case_id == case_id)) or 0


def ending(case_id: int) -> ChaseEnd | None:
    return db.session.scalar(select(ChaseEnd).where(ChaseEnd.case_id == case_id))


def why_not_chase(case: Case) -> str | None:
    if case.acknowledged_at is not None:
        return "The partner has acknowledged it"
    if case.status not in CHASEABLE:
        return f"The case is {case.status.label.lower()}"
    return None


def chase(
    actor: Actor, case: Case, number: int, policy: ChasePolicy, *, requested_by_id=None
) -> list[Chase]:
    """Chase number `number` of the case: a reminder to each partner it was delivered to, its
    timeline entry and audit. Raises ChaseRefused when it cannot be chased, or that chase was
    already made (by another sweeper, or an earlier click)."""
    why = why_not_chase(case)
    if why:
        raise ChaseRefused(why)
    dispatches = chased_partners(case.id)
    if not dispatches:
        raise ChaseRefused("It has not been delivered to a partner yet")
    now = clock.now()
    written = []
    try:
        with db.session.begin_nested():
            for dispatch in dispatches:
                pushed = dispatch.adapter_type in PUSHED_BY
                written.append(
                    Chase(
                        case_id=case.id,
                        partner_id=dispatch.partner_id,
                        dispatch_id=dispatch.id,
                        number=number,
                        requested_by_id=requested_by_id,
                        channel=dispatch.adapter_type,
                        status=ChaseStatus.PENDING if pushed else ChaseStatus.SHOWN,
                        attempts=0,
                        created_at=now,
                        next_attempt_at=now if pushed else None,
                        sent_at=None if pushed else now,
                    )
                )
            db.session.add_all(written)
            db.session.flush()
    except IntegrityError:
        raise ChaseRefused(f"Chase {number} has already been made") from None
    names = ", ".join(d.partner.name for d in dispatches)
    due = case.ack_due_date.strftime("%-d %B %Y") if case.ack_due_date else "not set"
    of = f" of {policy.max_chases}" if requested_by_id is None else ""
    note = f"Reminder {number}{of} to {names}: acknowledgement was due {due}"
    for dispatch in dispatches:
        db.session.add(
            CaseEvent(
                case_id=case.id,
                kind=CaseEventKind.CHASED,
                at=now,
                actor_id=actor.user_id,
                note=note,
                details={"partner_id": dispatch.partner_id, "number": number},
            )
        )
    audit.record(
        actor,
        "chase_now" if requested_by_id else "chase",
        "case",
        case.id,
        customer_id=case.customer_id,
        details={"number": number, "chase_ids": [c.id for c in written]},
    )
    db.session.flush()
    db.session.info.setdefault(OUTBOX_KEY, set()).update(
        c.id for c in written if c.status is ChaseStatus.PENDING
    )
    return written


def escalate(actor: Actor, case: Case, chases: int) -> ChaseEnd:
    """Chased the most times allowed and still not acknowledged: supervisors take it on."""
    try:
        with db.session.begin_nested():
            end = ChaseEnd(case_id=case.id, kind=ChaseEndKind.ESCALATED, chases=chases)
            db.session.add(end)
            db.session.flush()
    except IntegrityError:
        raise ChaseRefused("Chasing of this case has already ended") from None
    note = f"Chased {chases} times without an acknowledgement: escalated to supervisors"
    _timeline(actor, case, CaseEventKind.CHASE_ESCALATED, note, {"chases": chases})
    audit.record(
        actor,
        "chase_escalated",
        "case",
        case.id,
        customer_id=case.customer_id,
        details={"chases": chases},
    )
    db.session.flush()
    return end


def stop(actor: Actor, case: Case, reason: str) -> ChaseEnd:
    """A supervisor stops the automatic chasing of a case (an escalated one too), with why;
    reminders not yet sent are not sent."""
    reason = reason.strip()
    if not reason:
        raise ChaseRefused("Enter why chasing should stop")
    end = ending(case.id)
    if end is not None and end.kind is ChaseEndKind.STOPPED:
        raise ChaseRefused("Chasing of this case was already stopped")
    chases = chases_so_far(case.id)
    if end is None:
        try:
            with db.session.begin_nested():
                end = ChaseEnd(case_id=case.id, kind=ChaseEndKind.STOPPED, chases=chases)
                db.session.add(end)
                db.session.flush()
        except IntegrityError:  # escalated by the periodic task meanwhile: stop that instead
            end = ending(case.id)
    end.kind, end.chases, end.at = ChaseEndKind.STOPPED, chases, clock.now()
    end.by_id, end.reason = actor.user_id, reason[:REASON_LIMIT]
    cancelled = db.session.execute(
        update(Chase)
        .where(Chase.case_id == case.id, Chase.status == ChaseStatus.PENDING)
        .values(status=ChaseStatus.CANCELLED, next_attempt_at=None, last_error="chasing stopped")
        .execution_options(synchronize_session=False)
    ).rowcount
    _timeline(actor, case, CaseEventKind.CHASE_STOPPED, f"Chasing stopped: {end.reason}", {})
    audit.record(
        actor,
        "chase_stopped",
        "case",
        case.id,
        customer_id=case.customer_id,
        reason=end.reason,
        details={"chases": chases, "cancelled": cancelled},
    )
    db.session.flush()
    return end


def _timeline(actor: Actor, case: Case, kind: CaseEventKind, note: str, details) -> None:
    db.session.add(
        CaseEvent(
            case_id=case.id,
            kind=kind,
            at=clock.now(),
            actor_id=actor.user_id,
            note=note[:5000],
            details=details,
        )
    )


@dataclass(frozen=True)
class SweepResult:
    chased: int = 0
    escalated: int = 0
    skipped: int = 0


def act_on(actor: Actor, item: Due, policy: ChasePolicy) -> str:
    """One case the selection found: chase it again, or escalate it. Returns what was done."""
    case = db.session.get(Case, item.case_id)
    try:
        if item.escalate:
            escalate(actor, case, item.chases)
            return "escalated"
        chase(actor, case, item.chases + 1, policy)
        return "chased"
    except ChaseRefused:
        return "skipped"


# --- sending one chase -----------------------------------------------------------------


def claim(chase_id: int, policy: RetryPolicy) -> Chase | None:
    return outbox.claim(
        Chase, chase_id, policy, waiting=ChaseStatus.PENDING, working=ChaseStatus.SENDING
    )


def reason_not_to_send(chase: Chase) -> str | None:
    """Read at send time: an acknowledgement or a stop that came after the chase was
    written still stops it."""
    case = db.session.get(Case, chase.case_id, populate_existing=True)
    why = why_not_chase(case)
    if why:
        return why
    end = ending(chase.case_id)
    if end is not None and end.kind is ChaseEndKind.STOPPED:
        return "Chasing was stopped"
    dispatch = db.session.get(Dispatch, chase.dispatch_id, populate_existing=True)
    if dispatch.status is not DispatchStatus.DELIVERED:
        return "The case is no longer with that partner"
    return None


def cancel(chase: Chase, why: str) -> None:
    chase.status = ChaseStatus.CANCELLED
    chase.next_attempt_at = None
    chase.last_error = why[:REASON_LIMIT]
    db.session.flush()


def reminder_payload(chase: Chase, dispatch: Dispatch, case: Case) -> DeliveryPayload:
    """What the partner first got (only the fields it needs), marked as a reminder, with the
    chase's own idempotency key: every retry of this chase sends the same one."""
    due = case.ack_due_date.isoformat() if case.ack_due_date else None
    extra: dict[str, Any] = dict(dispatch.payload.get("extra") or {})
    extra.update(
        event=REMINDER_EVENT,
        chase={
            "number": chase.number,
            "ack_due_date": due,
            "delivery_id": dispatch.idempotency_key,
        },
    )
    summary = (
        f"REMINDER {chase.number}: please acknowledge {case.reference}"
        f" (acknowledgement was due {due}).\n\n{dispatch.payload.get('summary', '')}"
    )
    return DeliveryPayload.from_dict(
        {
            **dispatch.payload,
            "idempotency_key": chase.idempotency_key,
            "kind": "case_update",
            "status": case.status.value,
            "summary": summary,
            "extra": extra,
        }
    )


def record_sent(chase: Chase) -> None:
    chase.status = ChaseStatus.SENT
    chase.sent_at = clock.now()
    chase.next_attempt_at = None
    chase.last_error = ""
    db.session.flush()


def record_failure(
    chase: Chase, error: str, *, permanent: bool, retry_after: float | None, policy: RetryPolicy
) -> datetime | None:
    """Schedules the next attempt with the same key, or gives up; None when given up."""
    now = clock.now()
    next_at = None
    if not permanent:
        next_at = policy.next_attempt(
            created_at=chase.created_at, now=now, attempt=chase.attempts, retry_after=retry_after
        )
    chase.last_error = error[:REASON_LIMIT]
    chase.status = ChaseStatus.PENDING if next_at else ChaseStatus.FAILED
    chase.next_attempt_at = next_at
    db.session.flush()
    return next_at


def defer(chase: Chase, until: datetime) -> None:
    """The partner's system is known to be failing (its breaker is open): not called now."""
    chase.status = ChaseStatus.PENDING
    chase.attempts -= 1
    chase.next_attempt_at = until
    db.session.flush()


def due_to_send(policy: RetryPolicy) -> list[int]:
    return outbox.due(Chase, policy, waiting=ChaseStatus.PENDING, working=ChaseStatus.SENDING)
