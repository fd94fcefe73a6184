"""Partners' webhook subscriptions, and moving their deliveries along. Flush only."""

from __future__ import annotations

import ipaddress
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update

from frontoffice import clock
from frontoffice.access.actor import Actor
from frontoffice.adapters._http import safe_url
from frontoffice.audit import operations as audit
from frontoffice.crypto import decrypt_json, encrypt_json
from frontoffice.dispatch import outbox
from frontoffice.dispatch.policy import RetryPolicy
from frontoffice.extensions import db
from frontoffice.partner_webhooks.models import (
    EVENTS,
    DeliveryStatus,
    WebhookDelivery,
    WebhookSubscription,
)

MAX_ACTIVE = 10
MAX_ID = 2**31 - 1
DELETED = "deleted by the partner"
URL_MAX = 2000
DESCRIPTION_MAX = 200


class WebhookError(ValueError):
    """A request the domain refuses: `fields` says which fields and why."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(fields.values()))
        self.fields = fields


class TooMany(ValueError):
    pass


def _local_allowed() -> bool:
    return current_app.config.get("FRONTOFFICE_ENV") != "production"


def check_url(value: Any) -> str | None:
    """Why `value` cannot be a receiver's address, or None. HTTPS to a public host; plain
    HTTP only to 127.0.0.1 outside production (a partner's test receiver, our tests)."""
    if not isinstance(value, str) or not value.strip():
        return "Give the https:// address of your receiver"
    if len(value) > URL_MAX:
        return f"Give at most {URL_MAX} characters"
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return "An address cannot contain spaces or control characters"
    try:
        parts = urlsplit(value)
        host, _port = parts.hostname or "", parts.port
    except ValueError:
        return "This is not an address we can send to"
    if parts.username is not None or parts.password is not None:
        return "Do not put credentials in the address: we sign every request instead"
    if parts.fragment:
        return "An address cannot have a #fragment"
    if host == "127.0.0.1" and parts.scheme in ("http", "https") and _local_allowed():
        return None
    if parts.scheme != "https":
        return "Use an https:// address"
    if not host or "." not in host.strip("."):
        return "Give a full host name, like hooks.example.org"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None if host != "localhost" and not host.endswith(".localhost") else _private()
    return _private() if not ip.is_global else None


def _private() -> str:
    return "Give a public address: we do not send to private or local networks"


def check_events(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return f"Give a list of one or more of: {', '.join(EVENTS)}"
    if any(not isinstance(v, str) or v not in EVENTS for v in value):
        return f"Use only: {', '.join(EVENTS)}"
    return None


def create(
    actor: Actor,
    partner_id: int,
    api_key_id: int | None,
    *,
    url: Any,
    events: Any = None,
    description: Any = None,
) -> tuple[WebhookSubscription, str]:
    """A new subscription and its signing secret, which is shown once and kept encrypted."""
    events = list(EVENTS) if events is None else events
    description = "" if description is None else description
    fields = {}
    if (problem := check_url(url)) is not None:
        fields["url"] = problem
    if (problem := check_events(events)) is not None:
        fields["events"] = problem
    if not isinstance(description, str):
        fields["description"] = "Give text"
    elif len(description) > DESCRIPTION_MAX:
        fields["description"] = f"Give at most {DESCRIPTION_MAX} characters"
    if fields:
        raise WebhookError(fields)
    if len(active_for(partner_id)) >= MAX_ACTIVE:
        raise TooMany(f"Your partner has {MAX_ACTIVE} webhooks already: delete one first")
    secret = "whsec_" + secrets.token_urlsafe(32)
    subscription = WebhookSubscription(
        partner_id=partner_id,
        api_key_id=api_key_id,
        url=url,
        description=" ".join(description.split()),
        events=[e for e in EVENTS if e in events],
        secret=encrypt_json(current_app.config["SECRET_KEY"], {"secret": secret}),
        active=True,
    )
    db.session.add(subscription)
    db.session.flush()
    audit.record(
        actor,
        "create",
        "webhook_subscription",
        subscription.id,
        details={"partner_id": partner_id, "url": safe_url(url), "events": subscription.events},
    )
    return subscription, secret


def secret_of(subscription: WebhookSubscription) -> str:
    return decrypt_json(current_app.config["SECRET_KEY"], subscription.secret)["secret"]


def active_for(partner_id: int) -> list[WebhookSubscription]:
    return list(
        db.session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.partner_id == partner_id, WebhookSubscription.active)
            .order_by(WebhookSubscription.id)
        )
    )


def all_for(partner_id: int) -> list[WebhookSubscription]:
    return list(
        db.session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.partner_id == partner_id)
            .order_by(WebhookSubscription.id.desc())
        )
    )


def _not_deleted():
    return WebhookSubscription.active | (WebhookSubscription.disabled_by != DELETED)


def listed_for(partner_id: int) -> list[WebhookSubscription]:
    """What the partner sees: its webhooks, bar those it deleted (disabled ones show)."""
    return list(
        db.session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.partner_id == partner_id, _not_deleted())
            .order_by(WebhookSubscription.id)
        )
    )


def own(partner_id: int, subscription_id: int) -> WebhookSubscription | None:
    """The partner's own subscription with this id; another partner's is None."""
    if not 0 < subscription_id <= MAX_ID:
        return None
    return db.session.scalar(
        select(WebhookSubscription).where(
            WebhookSubscription.id == subscription_id,
            WebhookSubscription.partner_id == partner_id,
            _not_deleted(),
        )
    )


def disable(actor: Actor, subscription: WebhookSubscription, why: str) -> None:
    """Stops a subscription (its partner deleted it, or an administrator disabled it). Events
    not yet sent are dropped when their turn comes."""
    subscription.active = False
    subscription.disabled_at = clock.now()
    subscription.disabled_by = why[:200]
    db.session.flush()
    audit.record(
        actor,
        "disable",
        "webhook_subscription",
        subscription.id,
        reason=why,
        details={"partner_id": subscription.partner_id, "url": safe_url(subscription.url)},
    )


# --- deliveries -------------------------------------------------------------------------------


def claim(delivery_id: int, policy: RetryPolicy) -> WebhookDelivery | None:
    return outbox.claim(
        WebhookDelivery,
        delivery_id,
        policy,
        waiting=DeliveryStatus.PENDING,
        working=DeliveryStatus.SENDING,
    )


def earlier_unsent(delivery: WebhookDelivery) -> WebhookDelivery | None:
    """An earlier event about the same case for the same receiver, not yet delivered: a
    case's events go out in the order they happened, so a partner never sees a case.new
    after the case.changed that followed it."""
    return db.session.scalar(
        select(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == delivery.subscription_id,
            WebhookDelivery.case_id == delivery.case_id,
            WebhookDelivery.id < delivery.id,
            WebhookDelivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.SENDING)),
        )
        .order_by(WebhookDelivery.id)
        .limit(1)
    )


def wait_behind(delivery: WebhookDelivery, earlier: WebhookDelivery) -> float:
    """Given back, not counted as an attempt, until the earlier event is out: the seconds to
    wait (a second past the earlier one's next try, or a second while it is being sent)."""
    now = clock.now()
    due = earlier.next_attempt_at if earlier.status is DeliveryStatus.PENDING else None
    seconds = max(1.0, (due - now).total_seconds() + 1.0) if due is not None else 1.0
    defer(delivery, now + timedelta(seconds=seconds))
    return seconds


def record_delivered(delivery: WebhookDelivery) -> None:
    now = clock.now()
    delivery.status = DeliveryStatus.DELIVERED
    delivery.delivered_at = now
    delivery.next_attempt_at = None
    delivery.last_error = ""
    db.session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.id == delivery.subscription_id)
        .values(last_delivered_at=now)
        .execution_options(synchronize_session=False)
    )
    outbox.reset_breaker(WebhookSubscription, delivery.subscription_id)


def defer(delivery: WebhookDelivery, until: datetime) -> None:
    """Not called now (its receiver is failing, or an earlier event must go first), and not
    counted as an attempt."""
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts -= 1
    delivery.next_attempt_at = until


def record_failure(
    delivery: WebhookDelivery,
    error: str,
    *,
    permanent: bool,
    policy: RetryPolicy,
    retry_after: float | None = None,
) -> datetime | None:
    """When to try again, or None: dead (permanent, or past the horizon)."""
    next_at = None
    if not permanent:
        next_at = policy.next_attempt(
            created_at=delivery.created_at,
            now=clock.now(),
            attempt=delivery.attempts,
            retry_after=retry_after,
        )
    delivery.last_error = error[:2000]
    delivery.status = DeliveryStatus.PENDING if next_at else DeliveryStatus.DEAD
    delivery.next_attempt_at = next_at
    outbox.count_failure(WebhookSubscription, delivery.subscription_id, clock.now(), policy)
    return next_at


def due(policy: RetryPolicy, limit: int = 500) -> list[int]:
    """Deliveries whose task may have been lost, for the sweeper."""
    return outbox.due(
        WebhookDelivery,
        policy,
        waiting=DeliveryStatus.PENDING,
        working=DeliveryStatus.SENDING,
        limit=limit,
    )
