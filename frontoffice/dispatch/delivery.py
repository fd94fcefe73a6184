"""The worker's hot path: claim a group of dispatches, read what their calls need, and record
the deliveries, in a few Core statements for the whole group.

Rows go in and out as tuples, not ORM objects: for a group of ten, building, tracking and
flushing objects cost the worker more CPU than the calls to the partner. The rarer paths
(failures, a breaker that is open, a claim given back) use the ORM operations in
operations.py, one dispatch at a time.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import (
    Integer,
    Select,
    Update,
    bindparam,
    insert,
    select,
    union_all,
    update,
)

from frontoffice import clock
from frontoffice.adapters.base import DeliveryPayload
from frontoffice.cases.models import CaseEvent, CaseEventKind
from frontoffice.crypto import decrypt_json
from frontoffice.dispatch import operations, outbox, timeline
from frontoffice.dispatch.models import (
    AttemptOutcome,
    Dispatch,
    DispatchAttempt,
    DispatchStatus,
    PartnerAdapter,
    idempotency_key,
)
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.extensions import db
from frontoffice.partners.models import Partner

_DISPATCH = Dispatch.__table__
_ATTEMPT = DispatchAttempt.__table__
_EVENT = CaseEvent.__table__
_ADAPTER = PartnerAdapter.__table__
_PARTNER = Partner.__table__
# A task scheduled for a retry's time may start a moment before it by the clock that wrote it.
RETRY_SLACK = timedelta(seconds=2)


@dataclass(frozen=True)
class Claimed:
    """A dispatch this worker holds: what its call and its record need."""

    id: int
    case_id: int
    partner_id: int
    partner_adapter_id: int | None
    adapter_type: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class Destination:
    """A partner's adapter as this group found it: settings decrypted, breaker state read now."""

    partner_name: str
    settings: dict[str, Any]
    breaker_open_until: datetime | None = None
    failing: bool = False  # its breaker's count must be reset on success


def claim(dispatch_ids: list[int], policy: RetryPolicy, room: int = 0) -> list[Claimed]:
    """Takes those of the dispatches that are due and not held by another worker's fresh
    claim, in id order: one conditional UPDATE, so two workers never both claim one (the same
    condition as operations.claimable). With `room`, up to that many more of the same
    partner adapters' dispatches that are due now (_others_due)."""
    rows = (
        db.session.connection()
        .execute(_claim_statement(room > 0), _claim_parameters(dispatch_ids, policy, room))
        .all()
    )
    return sorted((Claimed(*row) for row in rows), key=lambda c: c.id)


def _claim_parameters(dispatch_ids: list[int], policy: RetryPolicy, room: int) -> dict[str, Any]:
    now = clock.now()
    stale = now - timedelta(seconds=policy.lease_seconds)
    due = now + RETRY_SLACK
    parameters = {"ids": list(dispatch_ids), "now": now, "stale": stale, "due": due}
    if room > 0:
        parameters["room"] = room
    return parameters


# The hot path's statements are built once per process, with their values as parameters
# (building a statement again for every group cost about as much as running it), and run on
# the session's connection, in its transaction, past the ORM layer they have no use for.


@functools.cache
def _claim_statement(with_others: bool = False) -> Update:
    d = _DISPATCH.c
    when = d.claimed_at.type
    chosen = d.id.in_(bindparam("ids", expanding=True))
    if with_others:
        # A union, not an OR, so the UPDATE finds its rows by primary key.
        named, others = _DISPATCH.alias("named").c, _others_due().subquery("others")
        chosen = d.id.in_(
            union_all(
                select(named.id).where(named.id.in_(bindparam("ids", expanding=True))),
                select(others.c.id),
            )
        )
    return (
        update(_DISPATCH)
        .where(
            chosen,
            operations.claimable(
                d, bindparam("stale", type_=when), bindparam("due", type_=d.next_attempt_at.type)
            ),
        )
        .values(
            status=DispatchStatus.DELIVERING,
            claimed_at=bindparam("now", type_=when),
            attempts=d.attempts + 1,
        )
        .returning(
            d.id,
            d.case_id,
            d.partner_id,
            d.partner_adapter_id,
            d.adapter_type,
            d.payload,
            d.attempts,
        )
    )


def _others_due() -> Select:
    """Up to `room` other dispatches waiting and due now through the adapter the first named
    one goes through, oldest first: when the worker is behind, a task takes the ones whose
    own tasks are still queued, and those tasks then find nothing to claim. Only from an
    adapter that is answering (no failure counted, breaker closed): a failing partner's
    dispatches keep their own tasks and back-off; retries keep theirs too. Rows another
    worker is claiming now are skipped, not waited for."""
    other, named, a = _DISPATCH.alias("other"), _DISPATCH.alias("first_named"), _ADAPTER.c
    o = other.c
    adapter = (
        select(named.c.partner_adapter_id)
        .join(_ADAPTER, a.id == named.c.partner_adapter_id)
        .where(
            named.c.id.in_(bindparam("ids", expanding=True)),
            a.consecutive_failures == 0,
            a.breaker_open_until.is_(None),
        )
        .order_by(named.c.id)
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(o.id)
        .where(
            o.partner_adapter_id == adapter,
            o.status == DispatchStatus.PENDING,
            o.next_attempt_at <= bindparam("now", type_=o.next_attempt_at.type),
            o.id.not_in(bindparam("ids", expanding=True)),
        )
        .order_by(o.id)
        .limit(bindparam("room", type_=Integer))
        .with_for_update(skip_locked=True, of=other)
    )


@functools.cache
def _destinations_statement() -> Select:
    a, p = _ADAPTER.c, _PARTNER.c
    return (
        select(
            a.id,
            a.partner_id,
            a.adapter_type,
            a.settings,
            a.secret_settings,
            a.consecutive_failures,
            a.breaker_open_until,
            p.name,
        )
        .join_from(_ADAPTER, _PARTNER, p.id == a.partner_id)
        .where(a.id.in_(bindparam("ids", expanding=True)))
    )


@functools.cache
def _portal_statement() -> Select:
    p = _PARTNER.c
    return select(p.id, p.name).where(p.id.in_(bindparam("ids", expanding=True)))


@functools.cache
def _delivered_statement() -> Update:
    d = _DISPATCH.c
    return (
        update(_DISPATCH)
        .where(d.id == bindparam("dispatch_id"))
        .values(
            status=DispatchStatus.DELIVERED,
            delivered_at=bindparam("now", type_=d.delivered_at.type),
            partner_reference=bindparam("reference"),
            next_attempt_at=None,
            last_error="",
        )
    )


def destinations(claimed: Iterable[Claimed]) -> dict[tuple[int, int | None], Destination]:
    """(partner id, adapter id) -> where its dispatches go, read in one statement (two when
    some go to the portal). Read for every group, so a changed URL, secret or breaker is seen
    by the next one; only decrypting unchanged secrets again is saved (_decrypted)."""
    claimed = list(claimed)
    adapter_ids = {c.partner_adapter_id for c in claimed if c.partner_adapter_id is not None}
    found: dict[tuple[int, int | None], Destination] = {}
    if adapter_ids:
        connection = db.session.connection()
        secret_key = current_app.config["SECRET_KEY"]
        for row in connection.execute(_destinations_statement(), {"ids": sorted(adapter_ids)}):
            found[row.partner_id, row.id] = _adapter_destination(
                secret_key,
                row.name,
                row.settings,
                row.secret_settings,
                row.consecutive_failures,
                row.breaker_open_until,
            )
    portal = {c.partner_id for c in claimed if c.partner_adapter_id is None}
    if portal:
        rows = db.session.connection().execute(_portal_statement(), {"ids": sorted(portal)})
        for partner_id, name in rows:
            found[partner_id, None] = Destination(partner_name=name, settings={})
    return found


def claim_with_destinations(
    dispatch_ids: list[int], policy: RetryPolicy, room: int = 0
) -> tuple[list[Claimed], dict[tuple[int, int | None], Destination]]:
    """claim(), then destinations() of what it claimed: on PostgreSQL in one statement (the
    claiming UPDATE as a CTE, joined to the partners and adapters its rows name), so a group
    costs a round trip less; elsewhere in two."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        claimed = claim(dispatch_ids, policy, room)
        return claimed, destinations(claimed)
    claimed, found = [], {}
    secret_key = current_app.config["SECRET_KEY"]
    for row in connection.execute(
        _claim_with_destinations_statement(room > 0),
        _claim_parameters(dispatch_ids, policy, room),
    ):
        taken = Claimed(*row[:7])
        claimed.append(taken)
        settings, secret_settings, failures, open_until, partner_name = row[7:]
        key = (taken.partner_id, taken.partner_adapter_id)
        if key in found:
            continue
        if taken.partner_adapter_id is None:
            found[key] = Destination(partner_name=partner_name, settings={})
        elif settings is not None:
            found[key] = _adapter_destination(
                secret_key, partner_name, settings, secret_settings, failures, open_until
            )
    claimed.sort(key=lambda c: c.id)
    return claimed, found


@functools.cache
def _claim_with_destinations_statement(with_others: bool = False) -> Select:
    taken = _claim_statement(with_others).cte("claimed")
    t, a, p = taken.c, _ADAPTER.c, _PARTNER.c
    return select(
        t.id,
        t.case_id,
        t.partner_id,
        t.partner_adapter_id,
        t.adapter_type,
        t.payload,
        t.attempts,
        a.settings,
        a.secret_settings,
        a.consecutive_failures,
        a.breaker_open_until,
        p.name,
    ).select_from(
        taken.join(_PARTNER, p.id == t.partner_id).outerjoin(_ADAPTER, a.id == t.partner_adapter_id)
    )


def _adapter_destination(
    secret_key: str,
    partner_name: str,
    settings: dict[str, Any],
    secret_settings: str,
    failures: int,
    open_until: datetime | None,
) -> Destination:
    return Destination(
        partner_name=partner_name,
        settings={**settings, **_secrets(secret_key, secret_settings)},
        breaker_open_until=open_until,
        failing=failures > 0 or open_until is not None,
    )


def _secrets(secret_key: str, token: str) -> dict[str, Any]:
    return dict(_decrypted(secret_key, token))


@functools.lru_cache(maxsize=256)
def _decrypted(secret_key: str, token: str) -> tuple[tuple[str, Any], ...]:
    """Kept per process by the encrypted text itself: a changed secret is another text, so
    it is never served stale. Decrypting (a key derivation and a MAC) costs more than a call
    to a local partner."""
    return tuple(decrypt_json(secret_key, token).items())


def payload(claimed: Claimed) -> DeliveryPayload:
    return DeliveryPayload.from_dict(
        {**claimed.payload, "idempotency_key": idempotency_key(claimed.id)}
    )


@dataclass(frozen=True)
class Delivered:
    claimed: Claimed
    destination: Destination
    partner_reference: str | None
    detail: str
    duration_ms: int


def record_delivered(delivered: list[Delivered]) -> None:
    """The group's deliveries: statuses, attempts and timeline entries, a statement each for
    the whole group, and each failing partner's breaker reset once.

    The timeline entries are written past the ORM, so the flush hooks do not see them; they
    would ignore them anyway (DISPATCHED is not a change partners' webhooks are told of)."""
    if not delivered:
        return
    now = clock.now()
    connection = db.session.connection()
    connection.execute(
        _delivered_statement(),
        [
            {
                "now": now,
                "dispatch_id": x.claimed.id,
                "reference": (x.partner_reference or None) and x.partner_reference[:100],
            }
            for x in delivered
        ],
    )
    connection.execute(
        insert(_ATTEMPT),
        [
            {
                "dispatch_id": x.claimed.id,
                "number": x.claimed.attempts,
                "at": now,
                "outcome": AttemptOutcome.DELIVERED,
                "detail": x.detail[:2000],
                "duration_ms": x.duration_ms,
            }
            for x in delivered
        ],
    )
    connection.execute(
        insert(_EVENT),
        [
            {
                "case_id": x.claimed.case_id,
                "kind": CaseEventKind.DISPATCHED,
                "at": now,
                "actor_id": None,
                "from_status": None,
                "to_status": None,
                "note": timeline.delivered_note(
                    x.destination.partner_name,
                    x.claimed.adapter_type,
                    (x.partner_reference or None) and x.partner_reference[:100],
                )[:5000],
                "details": {
                    "dispatch_id": x.claimed.id,
                    "attempt": x.claimed.attempts,
                    "partner_id": x.claimed.partner_id,
                },
            }
            for x in delivered
        ],
    )
    for adapter_id in sorted(
        {
            x.claimed.partner_adapter_id
            for x in delivered
            if x.destination.failing and x.claimed.partner_adapter_id is not None
        }
    ):
        outbox.reset_breaker(PartnerAdapter, adapter_id)
