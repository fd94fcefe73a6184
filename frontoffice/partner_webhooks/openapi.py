"""The webhooks' part of the partner API's OpenAPI document: the endpoints that manage them,
and (OpenAPI 3.1 `webhooks`) the request we send to a partner's receiver."""

from __future__ import annotations

from typing import Any

from frontoffice.cases.status import CaseStatus
from frontoffice.partner_webhooks.models import EVENTS
from frontoffice.partner_webhooks.operations import DESCRIPTION_MAX, MAX_ACTIVE, URL_MAX


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def _error(description: str) -> dict[str, Any]:
    return _json("Error", description)


UNAUTHORISED = _error("No key, or a key that is not valid")
EVENT_LIST = {"type": "array", "items": {"type": "string", "enum": list(EVENTS)}}
ABOUT = (
    "We POST a small JSON notification to your receiver when a case is routed to your partner "
    "(`case.new`) or a case routed to it changes (`case.changed`: its status, a note, a "
    "re-route away from you, an update from another partner of the case). It carries no "
    "customer details: read the case with your key at `case.href`. Your own updates are not "
    "echoed back to you. Each request has `Idempotency-Key` (the event's `id`, the same on every "
    "retry: keep each once), `X-Frontoffice-Event`, `X-Frontoffice-Timestamp` (unix seconds) and "
    '`X-Frontoffice-Signature: sha256=<hex>`, the HMAC-SHA256 of `"{timestamp}.{body}"` keyed '
    "with your webhook's secret: check it, and refuse a timestamp more than five minutes old. "
    "Answer any 2xx. Network errors, timeouts, 408, 429 (Retry-After is honoured) and 5xx are "
    "retried with exponential back-off for 24 hours; other answers are not retried."
)

PATHS: dict[str, Any] = {
    "/webhooks": {
        "get": {
            "operationId": "listWebhooks",
            "summary": "Your partner's webhooks (those it deleted are not shown)",
            "responses": {"200": _json("WebhookList", "Your webhooks"), "401": UNAUTHORISED},
        },
        "post": {
            "operationId": "createWebhook",
            "summary": "Be told of new and changed cases",
            "description": ABOUT,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/NewWebhook"}}
                },
            },
            "responses": {
                "201": _json("CreatedWebhook", "Made: copy the secret, it is not shown again"),
                "400": _error("The body is not a JSON object"),
                "401": UNAUTHORISED,
                "409": _error(f"Your partner has {MAX_ACTIVE} webhooks already"),
                "413": _error("The body is too large"),
                "422": _error("A field is not valid"),
            },
        },
    },
    "/webhooks/{webhook_id}": {
        "delete": {
            "operationId": "deleteWebhook",
            "summary": "Stop a webhook; events not yet sent to it are dropped",
            "parameters": [
                {
                    "name": "webhook_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                }
            ],
            "responses": {
                "204": {"description": "Deleted"},
                "401": UNAUTHORISED,
                "404": _error("Your partner has no webhook with this id"),
            },
        }
    },
}

WEBHOOKS: dict[str, Any] = {
    "caseEvent": {
        "post": {
            "summary": "A case routed to your partner is new or has changed",
            "description": ABOUT,
            "parameters": [
                {"name": name, "in": "header", "required": True, "schema": {"type": "string"}}
                for name in (
                    "Idempotency-Key",
                    "X-Frontoffice-Event",
                    "X-Frontoffice-Timestamp",
                    "X-Frontoffice-Signature",
                )
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/WebhookEvent"}}
                },
            },
            "responses": {"2XX": {"description": "Received"}},
        }
    }
}

SCHEMAS: dict[str, Any] = {
    "NewWebhook": {
        "type": "object",
        "required": ["url"],
        "additionalProperties": False,
        "properties": {
            "url": {
                "type": "string",
                "maxLength": URL_MAX,
                "description": "An https:// address on the public internet",
            },
            "events": {**EVENT_LIST, "minItems": 1, "description": "Both when not given"},
            "description": {"type": ["string", "null"], "maxLength": DESCRIPTION_MAX},
        },
    },
    "Webhook": {
        "type": "object",
        "required": ["id", "url", "events", "active", "created_at", "last_delivered_at"],
        "properties": {
            "id": {"type": "integer"},
            "url": {"type": "string"},
            "description": {"type": "string"},
            "events": EVENT_LIST,
            "active": {
                "type": "boolean",
                "description": "False when an administrator has disabled it",
            },
            "created_at": {"type": "string", "format": "date-time"},
            "last_delivered_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "CreatedWebhook": {
        "allOf": [
            {"$ref": "#/components/schemas/Webhook"},
            {
                "type": "object",
                "required": ["secret"],
                "properties": {
                    "secret": {
                        "type": "string",
                        "description": "Signs every event we send: shown this once only",
                    }
                },
            },
        ]
    },
    "WebhookList": {
        "type": "object",
        "required": ["webhooks"],
        "properties": {
            "webhooks": {"type": "array", "items": {"$ref": "#/components/schemas/Webhook"}}
        },
    },
    "WebhookEvent": {
        "type": "object",
        "required": ["id", "event", "case"],
        "properties": {
            "id": {"type": "string", "description": "Also the Idempotency-Key header"},
            "event": {"type": "string", "enum": list(EVENTS)},
            "case": {
                "type": "object",
                "required": ["reference", "status", "updated_at", "href"],
                "properties": {
                    "reference": {"type": "string"},
                    "status": {"type": "string", "enum": [s.value for s in CaseStatus]},
                    "updated_at": {
                        "type": "string",
                        "format": "date-time",
                        "description": "When the case changed",
                    },
                    "href": {
                        "type": "string",
                        "description": "Where to read the case, e.g. /api/v1/cases/FO-000123",
                    },
                },
            },
        },
    },
}
