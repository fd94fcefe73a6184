"""The OpenAPI 3.1 document of the partner API, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from frontoffice.cases.status import CaseStatus
from frontoffice.partner_api.actions import STATUSES
from frontoffice.partner_webhooks import openapi as webhooks


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


REFERENCE = {
    "name": "reference",
    "in": "path",
    "required": True,
    "description": "The case reference, like FO-000123",
    "schema": {"type": "string", "maxLength": 30},
}
NULLABLE_TEXT = {"type": ["string", "null"]}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "frontoffice partner API",
            "version": "1.0.0",
            "description": (
                "Partners' systems read the cases routed to them and send status back. "
                "Authenticate with `Authorization: Bearer <key>`; an administrator makes keys. "
                "Register a webhook (`POST /webhooks`) to be told of new and changed cases."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"apiKey": []}],
        "paths": {
            "/cases": {
                "get": {
                    "operationId": "listCases",
                    "summary": "Cases routed to your partner, oldest change first",
                    "parameters": [
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {"type": "string", "enum": [s.value for s in CaseStatus]},
                        },
                        {"name": "service", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "updated_since",
                            "in": "query",
                            "schema": {"type": "string", "format": "date-time"},
                        },
                        {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                    ],
                    "responses": {
                        "200": _json("CaseList", "A page of cases"),
                        "401": _error("No key, or a key that is not valid"),
                        "422": _error("A filter is not valid"),
                    },
                }
            },
            "/cases/{reference}": {
                "get": {
                    "operationId": "readCase",
                    "summary": "One case, with the customer details your partner needs",
                    "parameters": [REFERENCE],
                    "responses": {
                        "200": _json("Case", "The case"),
                        "401": _error("No key, or a key that is not valid"),
                        "403": _error("The case was not routed to your partner"),
                        "404": _error("There is no such case"),
                    },
                }
            },
            "/cases/{reference}/accept": {
                "post": {
                    "operationId": "acceptCase",
                    "summary": "Your partner will deliver this case",
                    "parameters": [REFERENCE],
                    "responses": {
                        "200": _json("UpdateResult", "Accepted"),
                        "401": _error("No key, or a key that is not valid"),
                        "403": _error("The case was not routed to your partner"),
                        "404": _error("There is no such case"),
                        "409": _error("The case is already resolved, closed or cancelled"),
                    },
                }
            },
            "/cases/{reference}/reject": {
                "post": {
                    "operationId": "rejectCase",
                    "summary": "Not yours to deliver: the front office routes it again",
                    "parameters": [REFERENCE],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["reason"],
                                    "properties": {"reason": {"type": "string", "maxLength": 5000}},
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json("Rejected", "Returned to the front office"),
                        "400": _error("The body is not a JSON object"),
                        "401": _error("No key, or a key that is not valid"),
                        "403": _error("The case was not routed to your partner"),
                        "404": _error("There is no such case"),
                        "409": _error("The case is already resolved, closed or cancelled"),
                        "413": _error("The body is too large"),
                        "422": _error("No reason given"),
                    },
                }
            },
            "/cases/{reference}/updates": {
                "post": {
                    "operationId": "postUpdate",
                    "summary": "Tell us where the case stands",
                    "parameters": [REFERENCE],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/UpdateRequest"}
                            }
                        },
                    },
                    "responses": {
                        "200": _json("UpdateResult", "Already had it, or older than the last"),
                        "201": _json("UpdateResult", "Applied"),
                        "400": _error("The body is not a JSON object"),
                        "401": _error("No key, or a key that is not valid"),
                        "403": _error("The case was not routed to your partner"),
                        "404": _error("There is no such case"),
                        "409": _error("The case's state does not allow this"),
                        "413": _error("The body is too large"),
                        "422": _error("A field is not valid"),
                    },
                }
            },
            **webhooks.PATHS,
        },
        "webhooks": webhooks.WEBHOOKS,
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                **webhooks.SCHEMAS,
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "fields": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                            },
                        }
                    },
                },
                "CaseSummary": {
                    "type": "object",
                    "required": ["reference", "service_code", "status", "updated_at"],
                    "properties": {
                        "reference": {"type": "string"},
                        "service_code": {"type": "string"},
                        "service_name": {"type": "string"},
                        "status": {"type": "string", "enum": [s.value for s in CaseStatus]},
                        "priority": {"type": "string"},
                        "created_at": {"type": "string", "format": "date-time"},
                        "updated_at": {"type": "string", "format": "date-time"},
                        "due_date": {"type": ["string", "null"], "format": "date"},
                    },
                },
                "CaseList": {
                    "type": "object",
                    "required": ["cases", "next_cursor"],
                    "properties": {
                        "cases": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/CaseSummary"},
                        },
                        "next_cursor": {
                            "type": ["string", "null"],
                            "description": "Pass as `cursor` for the next page; null at the end",
                        },
                    },
                },
                "Case": {
                    "allOf": [
                        {"$ref": "#/components/schemas/CaseSummary"},
                        {
                            "type": "object",
                            "properties": {
                                "summary": {"type": "string"},
                                "answers": {"type": "object"},
                                "customer": {
                                    "type": "object",
                                    "properties": {
                                        "given_name": {"type": "string"},
                                        "family_name": {"type": "string"},
                                        "phone": {"type": "string"},
                                        "email": {"type": "string"},
                                        "address": {"type": "string"},
                                        "postcode": {"type": "string"},
                                        "uprn": NULLABLE_TEXT,
                                    },
                                },
                                "location": {
                                    "type": "object",
                                    "properties": {
                                        "address": NULLABLE_TEXT,
                                        "lat": {"type": ["number", "null"]},
                                        "long": {"type": ["number", "null"]},
                                    },
                                },
                                "your_reference": NULLABLE_TEXT,
                                "your_status": NULLABLE_TEXT,
                            },
                        },
                    ]
                },
                "UpdateRequest": {
                    "type": "object",
                    "required": ["status"],
                    "properties": {
                        "status": {"type": "string", "enum": list(STATUSES)},
                        "public_note": {
                            "type": "string",
                            "maxLength": 5000,
                            "description": "Shown on the case and told to the resident",
                        },
                        "internal_note": {"type": "string", "maxLength": 5000},
                        "your_reference": {"type": "string", "maxLength": 100},
                        "update_id": {
                            "type": "string",
                            "maxLength": 100,
                            "description": "Your id for this update: kept once if sent twice",
                        },
                        "updated_at": {
                            "type": "string",
                            "format": "date-time",
                            "description": "When this became true; older than the last is ignored",
                        },
                    },
                },
                "Rejected": {
                    "type": "object",
                    "required": ["reference", "returned_to"],
                    "properties": {
                        "reference": {"type": "string"},
                        "returned_to": {"type": "string"},
                    },
                },
                "UpdateResult": {
                    "type": "object",
                    "required": ["outcome", "case"],
                    "properties": {
                        "outcome": {
                            "type": "string",
                            "enum": ["applied", "stale", "repeated", "unknown"],
                        },
                        "case": {"$ref": "#/components/schemas/Case"},
                    },
                },
            },
        },
    }
