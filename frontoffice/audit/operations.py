from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import insert

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.audit.models import AuditEvent
from frontoffice.extensions import db


def record(
    actor: Actor,
    action: str,
    record_type: str,
    record_id: int | str,
    *,
    customer_id: int | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.user_id,
        actor_label=actor.label,
        action=action,
        record_type=record_type,
        record_id=str(record_id),
        customer_id=customer_id,
        ip_address=actor.ip_address,
        reason=reason,
        details=details or {},
    )
    db.session.add(event)
    return event


def record_many(
    actor: Actor,
    action: str,
    record_type: str,
    records: Iterable[tuple[int | str, int | None, dict[str, Any]]],
) -> None:
    """One action on several records (record id, customer id, details), written at once in
    one INSERT and not kept in the session: a dozen cases raised together."""
    now = clock.now()
    rows = [
        {
            "at": now,
            "actor_id": actor.user_id,
            "actor_label": actor.label,
            "action": action,
            "record_type": record_type,
            "record_id": str(record_id),
            "customer_id": customer_id,
            "ip_address": actor.ip_address,
            "reason": "",
            "details": details,
        }
        for record_id, customer_id, details in records
    ]
    held = db.session.info.get(_TOGETHER_KEY)
    if held is not None:
        held.extend(rows)
    elif rows:
        db.session.execute(insert(AuditEvent.__table__), rows)


_TOGETHER_KEY = "frontoffice.audit.together"


@contextmanager
def together() -> Iterator[None]:
    """The rows of every record_many inside, written in one INSERT at the end (a life event
    told to a dozen services audits the record's change, the cases and the report). Nothing
    is written if the block raises: the caller's transaction is then rolled back."""
    if _TOGETHER_KEY in db.session.info:  # within another: that one writes them
        yield
        return
    rows: list[dict[str, Any]] = []
    db.session.info[_TOGETHER_KEY] = rows
    try:
        yield
    finally:
        db.session.info.pop(_TOGETHER_KEY, None)
    if rows:
        db.session.execute(insert(AuditEvent.__table__), rows)
