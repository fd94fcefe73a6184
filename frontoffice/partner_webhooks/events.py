"""Which partners to tell of a change, written as outbox rows in the change's own transaction.

One hook, on every flush, looks at what the flush writes:

- a new dispatch to a partner is ``case.new`` for that partner (``case.changed`` when the case
  was already routed to it, as in a re-route that keeps it);
- a dispatch withdrawn from a partner (re-routed away, rejected) is ``case.changed`` for it;
- a new timeline entry on a case (status, notes, partner updates, routing) is ``case.changed``
  for every partner the case is routed to. Delivery attempts are not changes of the case.

The partner whose own word caused the change (`said_by_partner`, set where partners' updates
are applied) is not told of it. Within one transaction a case makes at most one row per
subscription: later flushes bring that row's status up to date instead of adding another.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session

from frontoffice import clock, config_cache
from frontoffice.cases.models import Case, CaseEvent, CaseEventKind
from frontoffice.database import transaction_scoped
from frontoffice.dispatch.models import Dispatch, DispatchStatus
from frontoffice.partner_webhooks.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookSubscription,
)

NEW, CHANGED = "case.new", "case.changed"
# Not changes a partner needs to hear of: delivery attempts, and the front office's own
# escalation or stopping of its chasing (a chase itself is, so a portal partner hears of it).
QUIET = frozenset(
    {
        CaseEventKind.CREATED,
        CaseEventKind.DISPATCHED,
        CaseEventKind.DISPATCH_FAILED,
        CaseEventKind.CHASE_ESCALATED,
        CaseEventKind.CHASE_STOPPED,
    }
)
SAID_BY_KEY = "frontoffice.webhooks.said_by"
WRITTEN_KEY = "frontoffice.webhooks.written"  # (subscription id, case id) -> delivery
OUTBOX_KEY = "frontoffice.webhooks.outbox"  # delivery ids to enqueue after commit
SUBSCRIPTIONS_KEY = "frontoffice.webhooks.subscriptions"


def said_by_partner(session: Session, partner_id: int) -> None:
    """The rest of this transaction carries `partner_id`'s word: it is not told of it."""
    session.info[SAID_BY_KEY] = partner_id


def case_path(reference: str) -> str:
    return f"/api/v1/cases/{reference}"


def payload_for(event_name: str, case: Case) -> dict[str, Any]:
    """Thin and privacy-safe: no customer details. The partner reads the case with its key."""
    return {
        "event": event_name,
        "case": {
            "reference": case.reference,
            "status": case.status.value,
            "updated_at": clock.now().isoformat(),
            "href": case_path(case.reference),
        },
    }


def _changes(session: Session) -> dict[int, dict[int, str]]:
    """case id -> partner id -> event, for what this flush writes."""
    new_to: dict[int, set[int]] = defaultdict(set)
    away: dict[int, set[int]] = defaultdict(set)
    changed: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Dispatch) and obj.status is not DispatchStatus.CANCELLED:
            new_to[obj.case_id].add(obj.partner_id)
        elif isinstance(obj, CaseEvent) and obj.kind not in QUIET:
            case_id = obj.case_id if obj.case_id is not None else getattr(obj.case, "id", None)
            if case_id is not None:
                changed.add(case_id)
    for obj in session.dirty:
        if (
            isinstance(obj, Dispatch)
            and obj.status is DispatchStatus.CANCELLED
            and inspect(obj).attrs.status.history.has_changes()
        ):
            away[obj.case_id].add(obj.partner_id)
    cases = set(new_to) | set(away) | changed
    if not cases or not _subscriptions(session):
        return {}
    routed: dict[int, set[int]] = defaultdict(set)
    for case_id, partner_id in session.execute(
        select(Dispatch.case_id, Dispatch.partner_id).where(
            Dispatch.case_id.in_(cases), Dispatch.status != DispatchStatus.CANCELLED
        )
    ):
        routed[case_id].add(partner_id)
    found: dict[int, dict[int, str]] = defaultdict(dict)
    for case_id in changed:
        for partner_id in routed[case_id] | away[case_id]:
            found[case_id][partner_id] = CHANGED
    for case_id, partners in away.items():
        for partner_id in partners:
            found[case_id][partner_id] = CHANGED
    for case_id, partners in new_to.items():
        for partner_id in partners:
            before = partner_id in routed[case_id] or partner_id in away[case_id]
            found[case_id][partner_id] = CHANGED if before else NEW
    return found


def _subscriptions(session: Session) -> dict[int, list[tuple[int, list[str]]]]:
    """partner id -> its active subscriptions (id, events), read once per transaction."""
    if SUBSCRIPTIONS_KEY not in session.info:
        kept = config_cache.cached(
            "webhook_subscriptions", lambda: _read_subscriptions(session), session
        )
        session.info[SUBSCRIPTIONS_KEY] = kept if kept is not None else _read_subscriptions(session)
    return session.info[SUBSCRIPTIONS_KEY]


def _read_subscriptions(session: Session) -> dict[int, list[tuple[int, list[str]]]]:
    by_partner: dict[int, list[tuple[int, list[str]]]] = defaultdict(list)
    for sub_id, partner_id, events in session.execute(
        select(
            WebhookSubscription.id, WebhookSubscription.partner_id, WebhookSubscription.events
        ).where(WebhookSubscription.active.is_(True))
    ):
        by_partner[partner_id].append((sub_id, events))
    return dict(by_partner)


@event.listens_for(Session, "before_flush")
def _write_webhook_events(session: Session, _context, _instances) -> None:
    changes = _changes(session)
    if not changes:
        return
    subscriptions = _subscriptions(session)
    said_by = session.info.get(SAID_BY_KEY)
    written: dict[tuple[int, int], WebhookDelivery] = session.info.setdefault(WRITTEN_KEY, {})
    for case_id, partners in changes.items():
        case = None
        for partner_id, event_name in partners.items():
            if partner_id == said_by:
                continue
            for sub_id, events in subscriptions.get(partner_id, ()):
                case = case or session.get(Case, case_id)
                earlier = written.get((sub_id, case_id))
                if earlier is not None and earlier in session:  # not rolled back to a savepoint
                    kept = NEW if earlier.event == NEW else event_name
                    kept = kept if kept in events else earlier.event
                    earlier.event, earlier.payload = kept, payload_for(kept, case)
                elif event_name in events:
                    delivery = WebhookDelivery(
                        subscription_id=sub_id,
                        case_id=case_id,
                        event=event_name,
                        payload=payload_for(event_name, case),
                        status=DeliveryStatus.PENDING,
                        next_attempt_at=clock.now(),
                        attempts=0,
                    )
                    session.add(delivery)
                    written[sub_id, case_id] = delivery


def tell_of_new_cases(session: Session, routed: list[tuple[Case, tuple[int, ...]]]) -> None:
    """New cases dispatched to partners by rows written without the unit of work (cases
    raised and routed together), which the hook above never sees: the same rows it would
    write, ``case.new`` for each subscription of each partner a case was sent to, in one
    INSERT. They are kept in the session, so a later change of a case in this transaction
    brings its row up to date as the hook does."""
    if not routed or not _subscriptions(session):
        return
    subscriptions = _subscriptions(session)
    said_by = session.info.get(SAID_BY_KEY)
    now = clock.now()
    rows, keys = [], []
    for case, partner_ids in routed:
        for partner_id in partner_ids:
            if partner_id == said_by:
                continue
            for sub_id, events in subscriptions.get(partner_id, ()):
                if NEW in events and (sub_id, case.id) not in keys:
                    keys.append((sub_id, case.id))
                    rows.append(
                        {
                            "subscription_id": sub_id,
                            "case_id": case.id,
                            "event": NEW,
                            "payload": payload_for(NEW, case),
                            "status": DeliveryStatus.PENDING,
                            "next_attempt_at": now,
                            "attempts": 0,
                            "created_at": now,
                        }
                    )
    if not rows:
        return
    made = session.scalars(
        insert(WebhookDelivery).returning(WebhookDelivery, sort_by_parameter_order=True), rows
    ).all()
    written: dict[tuple[int, int], WebhookDelivery] = session.info.setdefault(WRITTEN_KEY, {})
    written.update(zip(keys, made, strict=True))
    session.info.setdefault(OUTBOX_KEY, set()).update(d.id for d in made)


@event.listens_for(Session, "after_flush_postexec")
def _collect_ids(session: Session, _context) -> None:
    written = session.info.get(WRITTEN_KEY)
    if written:
        session.info.setdefault(OUTBOX_KEY, set()).update(
            d.id for d in written.values() if d.id is not None
        )


transaction_scoped(SAID_BY_KEY, WRITTEN_KEY, SUBSCRIPTIONS_KEY, OUTBOX_KEY)
