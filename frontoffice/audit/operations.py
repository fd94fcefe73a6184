from __future__ import annotations

from typing import Any

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
