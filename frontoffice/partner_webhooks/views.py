"""/api/v1/webhooks: a partner's system registers, lists and deletes its own webhooks.

The routes are the partner API's (its blueprint, key check and JSON errors)."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify

from frontoffice.access.actor import Actor
from frontoffice.extensions import db
from frontoffice.partner_api.errors import ApiError, invalid
from frontoffice.partner_api.views import bp, json_body, with_api_key
from frontoffice.partner_webhooks import operations
from frontoffice.partner_webhooks.models import WebhookSubscription

FIELDS = ("url", "events", "description")


def _actor() -> Actor:
    return Actor.system(f"partner:{g.api_key.partner.code}")


def as_json(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": subscription.id,
        "url": subscription.url,
        "description": subscription.description,
        "events": subscription.events,
        "active": subscription.active,
        "created_at": subscription.created_at.isoformat(),
        "last_delivered_at": (
            subscription.last_delivered_at.isoformat() if subscription.last_delivered_at else None
        ),
    }


@bp.route("/webhooks")
@with_api_key
def list_webhooks():
    rows = operations.listed_for(g.api_key.partner_id)
    return jsonify({"webhooks": [as_json(s) for s in rows]})


@bp.route("/webhooks", methods=["POST"])
@with_api_key
def create_webhook():
    body = json_body()
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise invalid({name[:50]: "Not a field we know" for name in unknown[:10]})
    try:
        subscription, secret = operations.create(
            _actor(),
            g.api_key.partner_id,
            g.api_key.id,
            url=body.get("url"),
            events=body.get("events"),
            description=body.get("description"),
        )
    except operations.WebhookError as error:
        raise invalid(error.fields) from None
    except operations.TooMany as error:
        raise ApiError(409, "too_many_webhooks", str(error)) from None
    db.session.commit()
    return jsonify({**as_json(subscription), "secret": secret}), 201


@bp.route("/webhooks/<int:webhook_id>", methods=["DELETE"])
@with_api_key
def delete_webhook(webhook_id: int):
    subscription = operations.own(g.api_key.partner_id, webhook_id)
    if subscription is None:
        raise ApiError(404, "not_found", f"You have no webhook {webhook_id}")
    operations.disable(_actor(), subscription, operations.DELETED)
    db.session.commit()
    return "", 204
